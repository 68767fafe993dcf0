#!powershell

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ..module_utils._EntraSyncCommon
#AnsibleRequires -PowerShell ..module_utils._EntraSyncEvidence
#AnsibleRequires -PowerShell ..module_utils._EntraSyncProcess
#AnsibleRequires -PowerShell ansible_collections.ansible.windows.plugins.module_utils.Process

$spec = @{
    options = @{
        state = @{ type = 'str'; choices = @('present', 'absent'); default = 'present' }
        path = @{ type = 'str' }
        environment = @{ type = 'str'; choices = @('AzureCloud', 'AzureUSGovernment'); default = 'AzureCloud' }
        minimum_version = @{ type = 'str' }
        remove_stale = @{ type = 'bool'; default = $false }
        log_path = @{ type = 'str' }
        norestart = @{ type = 'bool'; default = $true }
        timeout = @{ type = 'int'; default = 1800 }
        retry_1618_count = @{ type = 'int'; default = 3 }
        retry_1618_delay = @{ type = 'int'; default = 60 }
        log_excerpt_lines = @{ type = 'int'; default = 60 }
        agent_service_name = @{ type = 'str'; default = 'AADConnectProvisioningAgent' }
        updater_service_names = @{ type = 'list'; elements = 'str'; default = @('AzureADConnectAgentUpdater') }
        other_agent_service_names = @{ type = 'list'; elements = 'str'; default = @('AzureADConnectAuthenticationAgent', 'WAPCSvc') }
    }
    required_if = @(
        , @('state', 'present', @('path'))
    )
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$state = $module.Params.state
$path = $module.Params.path
$environment = $module.Params.environment
$minimumVersion = $module.Params.minimum_version
$removeStale = $module.Params.remove_stale
$logPath = $module.Params.log_path
$noRestart = $module.Params.norestart
$timeout = $module.Params.timeout
$retryCount = $module.Params.retry_1618_count
$retryDelay = $module.Params.retry_1618_delay
$excerptLines = $module.Params.log_excerpt_lines
$agentServiceName = $module.Params.agent_service_name
$updaterServiceNames = @($module.Params.updater_service_names)
$otherAgentServiceNames = @($module.Params.other_agent_service_names)

$ERROR_SUCCESS_REBOOT_REQUIRED = 3010
$ERROR_SUCCESS_REBOOT_INITIATED = 1641
$ERROR_INSTALL_ALREADY_RUNNING = 1618
$ERROR_INSTALL_FAILURE = 1603
# 0x80070643 is the HRESULT form of 1603 that Burn bundles may return as the process exit code.
$HRESULT_INSTALL_FAILURE = -2147023293
# Add/Remove Programs names of the other Entra agents that install the same Agent Updater
# (Pass-through Authentication agent, private network / application proxy connector), old and new names.
$OtherAgentEntryPatterns = @(
    'Microsoft Entra Connect Authentication Agent*'
    'Microsoft Azure AD Connect Authentication Agent*'
    'Microsoft Entra private network connector*'
    'Microsoft Entra application proxy connector*'
    'Microsoft AAD Application Proxy Connector*'
)
$UpdaterEntryPattern = '*Agent Updater*'

# --- validate every input before anything is read or changed --------------------------
Function Test-AbsolutePath {
    param ([string]$Value)
    # A drive-rooted (C:\...) or UNC (\\server\share\...) path; "\foo" and "C:foo" are relative.
    $Value -match '^[A-Za-z]:\\' -or $Value -match '^\\\\[^\\]+\\[^\\]+'
}

if ($state -eq 'present') {
    if (-not (Test-AbsolutePath -Value $path)) {
        $module.FailJson("path must be an absolute path to the installer on the target, got '$path'")
    }
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) {
        $module.FailJson("path '$path' does not exist on the target or is not a file")
    }
    if ([System.IO.Path]::GetExtension($path) -ne '.exe') {
        $module.FailJson("path must point to the agent's setup .exe (bootstrapper bundle), got '$path'")
    }
}
if ($logPath -and -not (Test-AbsolutePath -Value $logPath)) {
    $module.FailJson("log_path must be an absolute path on the target, got '$logPath'")
}
$minimum = $null
if ($minimumVersion -and -not [Version]::TryParse($minimumVersion, [ref]$minimum)) {
    $module.FailJson("minimum_version must be a dotted version such as 1.1.1586.0, got '$minimumVersion'")
}
if ($timeout -le 0) {
    $module.FailJson("timeout must be a positive number of seconds, got $timeout")
}
if ($retryCount -lt 0 -or $retryDelay -lt 0) {
    $module.FailJson("retry_1618_count and retry_1618_delay must not be negative")
}
if ($excerptLines -le 0) {
    $module.FailJson("log_excerpt_lines must be a positive number of lines, got $excerptLines")
}

$module.Result.changed = $false
$module.Result.state = $state
$module.Result.version_before = $null
$module.Result.version_after = $null
$module.Result.exit_code = $null
$module.Result.attempts = 0
$module.Result.reboot_required = $false
$module.Result.timed_out = $false
$module.Result.log_paths = [System.Collections.Generic.List[string]]@()
$module.Result.log_excerpt = [System.Collections.Generic.List[string]]@()
$module.Result.command = $null
$module.Result.removed = [System.Collections.Generic.List[string]]@()
$module.Result.kept = [System.Collections.Generic.List[string]]@()

# --- helpers -----------------------------------------------------------------------------
Function Format-CommandLine {
    <# One command line from an argument list, each argument escaped as CreateProcess parses it. #>
    param ([string[]]$Argv)
    @($Argv | ConvertTo-EscapedArgument) -join ' '
}

Function Get-ExistingServiceName {
    <#
    Which of the given service names exist; found by name only, never by display name. A service
    that cannot be read fails the module: it is not reported absent from nothing read.
    #>
    param ([string[]]$Name)
    foreach ($candidate in $Name) {
        if (-not $candidate) {
            continue
        }
        $problems = $null
        $service = Get-Service -Name $candidate -ErrorAction SilentlyContinue -ErrorVariable problems
        if ($service) {
            $candidate
        }
        elseif ($problems -and "$($problems[0].FullyQualifiedErrorId)" -notlike 'NoServiceFoundForGivenName*') {
            $module.FailJson("Failed to read service ${candidate}: $($problems[0].Exception.Message)", $problems[0])
        }
    }
}

Function Get-OtherAgent {
    <# The other Entra agents on this host that share the Agent Updater: their services and Add/Remove Programs entries. #>
    @(Get-ExistingServiceName -Name $otherAgentServiceNames | ForEach-Object { "service $_" }) +
    @(Get-EntraSyncUninstallEntry -DisplayNamePattern $OtherAgentEntryPatterns | ForEach-Object { $_.display_name })
}

Function Stop-InstallerTree {
    <#
    Stops a run that did not finish in time: the bundle first (so it starts nothing more), then
    the processes it started (Burn's elevated engine). Returns the message for the result.
    #>
    param ($Process)

    $rootId = $Process.ProcessId
    $descendants = [System.Collections.Generic.List[int]]@()
    try {
        $rows = @(Get-CimInstance -ClassName Win32_Process -ErrorAction Stop)
        $parents = @($rootId)
        while ($parents.Count -gt 0) {
            $children = @($rows | Where-Object { $_.ParentProcessId -in $parents -and $_.ProcessId -ne $rootId -and -not $descendants.Contains([int]$_.ProcessId) } |
                    ForEach-Object { [int]$_.ProcessId })
            foreach ($child in $children) {
                $descendants.Add($child)
            }
            $parents = $children
        }
    }
    catch {
        $module.Warn("Failed to list the installer's child processes: $($_.Exception.Message); only process $rootId is stopped")
    }

    $failures = [System.Collections.Generic.List[string]]@()
    foreach ($id in (@($rootId) + @($descendants))) {
        try {
            Stop-EntraSyncProcess -ProcessId $id
        }
        catch {
            $failures.Add("process ${id}: $($_.Exception.Message)")
        }
    }
    $rootGone = $null -ne (Wait-EntraSyncProcess -Process $Process -TimeoutSeconds 30)
    $children = if ($descendants.Count) { " and its child processes $($descendants -join ', ')" } else { '' }
    $message = "did not finish within $timeout seconds; process $rootId$children were stopped"
    if ($failures.Count -or -not $rootGone) {
        $notStopped = if ($failures.Count) { $failures -join '; ' } else { "process $rootId did not end" }
        $message = "did not finish within $timeout seconds and could not be stopped completely ($notStopped); it may still be running"
    }
    # Stopping the bundle does not stop the Windows Installer service: an MSI transaction it started goes on.
    "$message. The MSI work itself may still be running in the Windows Installer service (msiexec); a new install returns 1618 until it ends"
}

Function Invoke-Bounded {
    <#
    Runs one command line, waits at most $timeout seconds, retries while it returns 1618.
    On timeout the process tree is stopped and that is reported, never left silently running.
    #>
    param ([AllowNull()][string]$FilePath, [string]$CommandLine)

    $attempt = 0
    while ($true) {
        $attempt++
        $module.Result.attempts = $module.Result.attempts + 1
        try {
            $process = Start-EntraSyncProcess -FilePath $FilePath -CommandLine $CommandLine
        }
        catch {
            $module.FailJson("Failed to start $CommandLine`: $($_.Exception.Message)", $_)
        }
        try {
            $exitCode = Wait-EntraSyncProcess -Process $process -TimeoutSeconds $timeout
            if ($null -eq $exitCode) {
                return @{ ExitCode = $null; TimedOut = $true; Message = (Stop-InstallerTree -Process $process) }
            }
        }
        finally {
            $process.Dispose()
        }
        if ($exitCode -eq $ERROR_INSTALL_ALREADY_RUNNING -and $attempt -le $retryCount) {
            $module.Warn("Another installation was in progress (exit code 1618) running $CommandLine; retried after $retryDelay seconds")
            Start-Sleep -Seconds $retryDelay
            continue
        }
        return @{ ExitCode = $exitCode; TimedOut = $false; Message = $null }
    }
}

Function Get-InstallerLog {
    <#
    The installer logs written since a time: the Burn bundle's default logs in the temp folders,
    and with log_path that log and the chained package logs Burn writes next to it
    (<log_path without .log>_<nnn>_<package>.log).
    #>
    param ([DateTime]$Since)

    $logs = @(Find-EntraSyncInstallerLog -Since $Since)
    if ($logPath) {
        $folder = $logPath.Substring(0, $logPath.LastIndexOf('\'))
        $stem = $logPath.Substring($folder.Length + 1) -replace '\.[^.]*$', ''
        $logs += @(Find-EntraSyncInstallerLog -Since $Since -Directory @($folder))
        if (Test-Path -LiteralPath $logPath -PathType Leaf) {
            $logs += [ordered]@{ path = $logPath; kind = 'burn_log' }
        }
        $chained = @(Get-ChildItem -LiteralPath $folder -Filter "${stem}_*.log" -File -ErrorAction SilentlyContinue |
                Where-Object { $_.LastWriteTime -ge $Since } | Sort-Object -Property Name)
        foreach ($file in $chained) {
            $logs += [ordered]@{ path = $file.FullName; kind = 'msi_log' }
        }
    }
    $seen = @{}
    foreach ($log in $logs) {
        if (-not $seen.ContainsKey($log.path)) {
            $seen[$log.path] = $true
            $log
        }
    }
}

Function Add-LogEvidence {
    param ([DateTime]$Since, [switch]$Excerpt)

    $logs = @(Get-InstallerLog -Since $Since)
    foreach ($log in $logs) {
        if (-not $module.Result.log_paths.Contains($log.path)) {
            $module.Result.log_paths.Add($log.path)
        }
    }
    if (-not $Excerpt) {
        return
    }
    # Burn log first (it names the failing package), then the package logs that hold the detail.
    $ordered = @($logs | Where-Object { $_.kind -eq 'burn_log' }) + @($logs | Where-Object { $_.kind -ne 'burn_log' })
    $perLog = [Math]::Max(5, [int]($excerptLines / [Math]::Max(1, $ordered.Count)))
    $first = $true
    foreach ($log in $ordered) {
        try {
            $tail = Read-EntraSyncFileTail -Path $log.path -MaxBytes 262144
        }
        catch {
            $module.Warn("Failed to read installer log $($log.path): $($_.Exception.Message)")
            continue
        }
        if (-not $first) {
            $module.Result.log_excerpt.Add("--- $($log.path) ---")
        }
        $first = $false
        foreach ($line in @(Select-EntraSyncLogExcerpt -Content $tail.content -MaxLines $perLog)) {
            if ($module.Result.log_excerpt.Count -ge $excerptLines) {
                break
            }
            $module.Result.log_excerpt.Add($line)
        }
    }
}

Function Get-UninstallPlan {
    <#
    The commands that remove the agent: the bundle first (it removes its chained MSIs), then any
    agent MSI entry still present, then the updater, unless another Entra agent uses the updater.
    Each: @{ Entry; FilePath; CommandLine; Keep (why it stays) }.
    #>
    param ($Entries, [string[]]$OtherAgents)

    $bundle = @($Entries | Where-Object { $_.display_name -like '*Package*' })
    $agent = @($Entries | Where-Object { $_.display_name -notlike '*Package*' -and $_.display_name -notlike $UpdaterEntryPattern })
    $updater = @($Entries | Where-Object { $_.display_name -like $UpdaterEntryPattern })
    foreach ($entry in ($bundle + $agent + $updater)) {
        $step = @{ Entry = $entry; FilePath = $null; CommandLine = $null; Keep = $null }
        if ($entry.display_name -like $UpdaterEntryPattern -and $OtherAgents) {
            $step.Keep = "used by $($OtherAgents -join ', ')"
        }
        elseif ($entry.product_code -match '^\{[0-9A-Fa-f-]{36}\}$' -and "$($entry.uninstall_string)" -match 'msiexec') {
            $step.FilePath = "$env:SystemRoot\System32\msiexec.exe"
            $step.CommandLine = Format-CommandLine -Argv @($step.FilePath, '/x', $entry.product_code, '/qn', '/norestart')
        }
        elseif ($entry.quiet_uninstall_string -or $entry.uninstall_string) {
            # A command line as the installer recorded it; CreateProcess takes the program from it.
            $step.CommandLine = if ($entry.quiet_uninstall_string) { $entry.quiet_uninstall_string } else { "$($entry.uninstall_string) /quiet" }
            if ($noRestart) {
                $step.CommandLine += ' /norestart'
            }
        }
        $step
    }
}

Function Add-PlannedStep {
    <# Check mode: what a removal would remove and what it would keep. #>
    param ($Plan)
    foreach ($step in $Plan) {
        if ($step.Keep) {
            $module.Result.kept.Add($step.Entry.display_name)
        }
        else {
            $module.Result.removed.Add($step.Entry.display_name)
        }
    }
}

Function Invoke-Removal {
    <#
    Uninstalls the agent's entries, then makes sure the agent's services (and the updater's, when
    no other agent uses it) are gone, deleting them only when remove_stale allows it.
    #>
    param ($Plan, [string[]]$OtherAgents, [string]$Reason)

    $since = (Get-Date).AddSeconds(-5)
    foreach ($step in $Plan) {
        $entry = $step.Entry
        if ($step.Keep) {
            $stillThere = @(Get-EntraSyncUninstallEntry -DisplayNamePattern @($entry.display_name)) | Where-Object { $_.product_code -eq $entry.product_code }
            if ($stillThere) {
                $module.Result.kept.Add($entry.display_name)
                $module.Warn("Left '$($entry.display_name)' in place: the updater is $($step.Keep)")
            }
            else {
                # Burn's own uninstall decides about the packages it chained; say so when it took the shared one.
                $module.Warn("The bundle's uninstall removed '$($entry.display_name)', which is $($step.Keep); repair or reinstall that agent")
            }
            continue
        }
        # The bundle may already have removed this entry.
        $still = @(Get-EntraSyncUninstallEntry -DisplayNamePattern @($entry.display_name)) |
            Where-Object { $_.product_code -eq $entry.product_code }
        if (-not $still) {
            $module.Result.removed.Add($entry.display_name)
            continue
        }
        if (-not $step.CommandLine) {
            $module.Warn("No uninstall command is recorded for '$($entry.display_name)'; it was left in place")
            continue
        }
        if (-not $module.Result.command) {
            $module.Result.command = $step.CommandLine
        }
        $run = Invoke-Bounded -FilePath $step.FilePath -CommandLine $step.CommandLine
        $module.Result.exit_code = $run.ExitCode
        if ($run.TimedOut) {
            $module.Result.timed_out = $true
            Add-LogEvidence -Since $since -Excerpt
            $module.FailJson("Failed to remove '$($entry.display_name)': the uninstaller $($run.Message)")
        }
        if ($run.ExitCode -in @($ERROR_SUCCESS_REBOOT_REQUIRED, $ERROR_SUCCESS_REBOOT_INITIATED)) {
            $module.Result.reboot_required = $true
        }
        elseif ($run.ExitCode -ne 0) {
            Add-LogEvidence -Since $since -Excerpt
            $module.FailJson("Failed to remove '$($entry.display_name)' ($Reason): $($step.CommandLine) returned $($run.ExitCode). See log_excerpt; run the collection's diagnosis (playbooks/diagnose.yml) for the root cause.")
        }
        $module.Result.removed.Add($entry.display_name)
    }

    # Confirm the services are gone: a stale install often leaves them behind. Only services found
    # by their own name are ever deleted.
    $serviceNames = @($agentServiceName)
    if ($OtherAgents) {
        foreach ($updater in @(Get-ExistingServiceName -Name $updaterServiceNames)) {
            $module.Result.kept.Add("service $updater")
        }
    }
    else {
        $serviceNames += $updaterServiceNames
    }
    foreach ($serviceName in @(Get-ExistingServiceName -Name $serviceNames)) {
        if (-not $removeStale) {
            $module.Warn("Service $serviceName still exists after the uninstall; set remove_stale to delete it")
            continue
        }
        try {
            Stop-Service -Name $serviceName -Force -ErrorAction Stop
        }
        catch {
            $module.Warn("Failed to stop service ${serviceName}: $($_.Exception.Message)")
        }
        $output = Remove-EntraSyncService -Name $serviceName
        $deadline = (Get-Date).AddSeconds(30)
        while ((Get-Service -Name $serviceName -ErrorAction SilentlyContinue) -and (Get-Date) -lt $deadline) {
            Start-Sleep -Seconds 2
        }
        if (Get-Service -Name $serviceName -ErrorAction SilentlyContinue) {
            $module.Result.reboot_required = $true
            $module.Warn("Service $serviceName is marked for deletion but still present ($output); reboot before installing again")
        }
        $module.Result.removed.Add("service $serviceName")
    }
}

Function Get-InstallState {
    <#
    The agent's pieces, counted by its own identity only: its registry key, its Add/Remove Programs
    entries, its service name, and the updater's entries and service names unless another Entra
    agent uses the updater.
    #>
    $agentState = Get-EntraSyncAgentState -ServiceName $agentServiceName
    $otherAgents = @(Get-OtherAgent)
    $entries = @($agentState.uninstall_entries)
    $agentEntries = @($entries | Where-Object { $_.display_name -notlike $UpdaterEntryPattern })
    $updaterEntries = @($entries | Where-Object { $_.display_name -like $UpdaterEntryPattern })
    $agentService = @(Get-ExistingServiceName -Name @($agentServiceName))
    $updaterServices = @(Get-ExistingServiceName -Name $updaterServiceNames)
    # The updater is ours only while no other Entra agent uses it.
    $ourEntries = $agentEntries + @($updaterEntries | Where-Object { -not $otherAgents })
    $ourServices = $agentService + @($updaterServices | Where-Object { -not $otherAgents })
    $oursLeft = $ourEntries.Count -gt 0 -or $ourServices.Count -gt 0
    # Stale or partial: pieces present while the registry key (Microsoft's "installed" test) is not,
    # or the key present while the agent service is missing.
    $stale = (-not $agentState.registry_key_present -and $oursLeft) -or
    ($agentState.registry_key_present -and -not $agentService)

    # A service that only looks like the updater (display name) is never ours to remove: say so.
    $lookalikes = @(Get-Service -ErrorAction SilentlyContinue | Where-Object { $_.DisplayName -like $UpdaterEntryPattern -and $_.Name -notin $updaterServiceNames })
    foreach ($service in $lookalikes) {
        $module.Warn("Service $($service.Name) ('$($service.DisplayName)') looks like an agent updater but is not one of updater_service_names; it is left alone")
    }
    @{
        Agent = $agentState
        Stale = [bool]$stale
        OursLeft = [bool]$oursLeft
        OurEntries = $ourEntries
        OurServices = $ourServices
        OtherAgents = $otherAgents
        Entries = $entries
    }
}

# --- observe ---------------------------------------------------------------------------------
$current = Get-InstallState
$installedVersion = if ($current.Agent.registry_key_present) { $current.Agent.version } else { $null }
$module.Result.version_before = $installedVersion

if ($state -eq 'absent') {
    # Services alone are only deleted with remove_stale: without it there is nothing to do for them.
    $needed = $current.Agent.registry_key_present -or $current.OurEntries.Count -gt 0 -or ($removeStale -and $current.OurServices.Count -gt 0)
    if (-not $needed) {
        foreach ($service in $current.OurServices) {
            $module.Warn("Service $service is left from an earlier install; set remove_stale to delete it")
        }
        $module.ExitJson()
    }
    $plan = @(Get-UninstallPlan -Entries $current.Entries -OtherAgents $current.OtherAgents)
    $module.Result.changed = $true
    $module.Diff.before = @{ version = $installedVersion; installed = $true }
    $module.Diff.after = @{ version = $null; installed = $false }
    if ($module.CheckMode) {
        Add-PlannedStep -Plan $plan
        $module.Result.command = @($plan | Where-Object { $_.CommandLine } | ForEach-Object { $_.CommandLine })[0]
        $module.ExitJson()
    }
    Invoke-Removal -Plan $plan -OtherAgents $current.OtherAgents -Reason 'state=absent'
    $module.Result.version_after = $null
    $module.ExitJson()
}

# state=present
$installerVersion = Get-EntraSyncFileVersion -Path $path
if ($minimum -and $installerVersion -and (Compare-EntraSyncVersion -Left $installerVersion -Right $minimumVersion) -lt 0) {
    $module.FailJson("minimum_version $minimumVersion asks for more than the installer at path provides ($installerVersion)")
}

$upToDate = $false
if ($installedVersion -and -not $current.Stale) {
    # Any installed version satisfies state=present (the agent updates itself); only
    # minimum_version asks for more. The installer is never run to downgrade.
    $upToDate = $true
    if ($minimum -and (Compare-EntraSyncVersion -Left $installedVersion -Right $minimumVersion) -lt 0) {
        $upToDate = $false
    }
}
if ($upToDate) {
    $module.Result.version_after = $installedVersion
    $module.ExitJson()
}

$argv = [System.Collections.Generic.List[string]]@($path, '/quiet')
if ($noRestart) {
    # Burn bundles accept /norestart; whether this bundle honours it is not documented (see the docs).
    $argv.Add('/norestart')
}
if ($environment -eq 'AzureUSGovernment') {
    $argv.Add('ENVIRONMENTNAME=AzureUSGovernment')
}
if ($logPath) {
    # Standard for WiX Burn bundles; Microsoft does not document it for this agent.
    $argv.Add('/log')
    $argv.Add($logPath)
}
$installCommand = Format-CommandLine -Argv $argv
$module.Result.command = $installCommand
$module.Result.changed = $true
$module.Diff.before = @{ version = $installedVersion }
$module.Diff.after = @{ version = if ($installerVersion) { $installerVersion } else { '(installer)' } }

if ($current.Stale -and -not $removeStale) {
    $module.Warn('A partial or stale agent installation was found (see agent_host_info leftovers); it may make the install fail with 1603. Set remove_stale to remove it first.')
}
$stalePlan = @()
if ($current.Stale -and $removeStale) {
    $stalePlan = @(Get-UninstallPlan -Entries $current.Entries -OtherAgents $current.OtherAgents)
}
if ($module.CheckMode) {
    Add-PlannedStep -Plan $stalePlan
    $module.ExitJson()
}

if ($current.Stale -and $removeStale) {
    Invoke-Removal -Plan $stalePlan -OtherAgents $current.OtherAgents -Reason 'remove_stale'
    $module.Result.command = $installCommand
    $module.Result.exit_code = $null
    $module.Result.attempts = 0
    if ($module.Result.reboot_required) {
        $module.FailJson('Removed a stale agent installation but Windows needs a reboot before the agent can be installed again; reboot and re-run')
    }
    $staleVersion = @($current.Entries | Where-Object { $_.display_version } | ForEach-Object { $_.display_version } | Select-Object -Unique) -join ', '
    $module.Warn("Removed a partial installation (version $(if ($staleVersion) { $staleVersion } else { 'unknown' })); a reboot before the next install is recommended if services were stuck")
}

$started = (Get-Date).AddSeconds(-5)
$run = Invoke-Bounded -FilePath $path -CommandLine $installCommand
$module.Result.exit_code = $run.ExitCode
if ($run.TimedOut) {
    $module.Result.timed_out = $true
    Add-LogEvidence -Since $started -Excerpt
    $module.FailJson("Failed to install the provisioning agent: the installer $($run.Message)")
}

switch ($run.ExitCode) {
    0 {
        Add-LogEvidence -Since $started
    }
    { $_ -in @($ERROR_SUCCESS_REBOOT_REQUIRED, $ERROR_SUCCESS_REBOOT_INITIATED) } {
        $module.Result.reboot_required = $true
        Add-LogEvidence -Since $started
        if ($_ -eq $ERROR_SUCCESS_REBOOT_INITIATED) {
            $module.Warn('The installer started a reboot (exit code 1641); the installed version can be read after the host is back')
        }
    }
    $ERROR_INSTALL_ALREADY_RUNNING {
        $module.FailJson("Failed to install the provisioning agent: another installation kept running (exit code 1618) after $($module.Result.attempts) attempts")
    }
    { $_ -in @($ERROR_INSTALL_FAILURE, $HRESULT_INSTALL_FAILURE) } {
        Add-LogEvidence -Since $started -Excerpt
        $module.Result.exit_code = $ERROR_INSTALL_FAILURE
        $module.FailJson('Failed to install the provisioning agent: the installer returned 1603 (0x80070643, fatal error during installation). See log_excerpt; run the collection''s diagnosis (playbooks/diagnose.yml) for the root cause.')
    }
    default {
        Add-LogEvidence -Since $started -Excerpt
        $module.FailJson("Failed to install the provisioning agent: the installer returned $($run.ExitCode). See log_excerpt; run the collection's diagnosis (playbooks/diagnose.yml) for the root cause.")
    }
}

if ($run.ExitCode -ne $ERROR_SUCCESS_REBOOT_INITIATED) {
    $after = Get-EntraSyncAgentState -ServiceName $agentServiceName
    $module.Result.version_after = $after.version
    if (-not $after.registry_key_present) {
        $module.Warn('The installer reported success but the agent registry key is absent; check the installer logs')
    }
}

$module.ExitJson()

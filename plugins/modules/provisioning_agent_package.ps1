#!powershell

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ..module_utils._EntraSyncCommon
#AnsibleRequires -PowerShell ..module_utils._EntraSyncEvidence

$spec = @{
    options = @{
        state = @{ type = 'str'; choices = @('present', 'absent'); default = 'present' }
        path = @{ type = 'str' }
        environment = @{ type = 'str'; choices = @('AzureCloud', 'AzureUSGovernment'); default = 'AzureCloud' }
        minimum_version = @{ type = 'str' }
        remove_stale = @{ type = 'bool'; default = $false }
        log_path = @{ type = 'str' }
        timeout = @{ type = 'int'; default = 1800 }
        retry_1618_count = @{ type = 'int'; default = 3 }
        retry_1618_delay = @{ type = 'int'; default = 60 }
        log_excerpt_lines = @{ type = 'int'; default = 60 }
        agent_service_name = @{ type = 'str'; default = 'AADConnectProvisioningAgent' }
        updater_service_names = @{ type = 'list'; elements = 'str'; default = @('AzureADConnectAgentUpdater') }
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
$timeout = $module.Params.timeout
$retryCount = $module.Params.retry_1618_count
$retryDelay = $module.Params.retry_1618_delay
$excerptLines = $module.Params.log_excerpt_lines
$agentServiceName = $module.Params.agent_service_name
$updaterServiceNames = $module.Params.updater_service_names

$ERROR_SUCCESS_REBOOT_REQUIRED = 3010
$ERROR_SUCCESS_REBOOT_INITIATED = 1641
$ERROR_INSTALL_ALREADY_RUNNING = 1618
$ERROR_INSTALL_FAILURE = 1603
# 0x80070643 is the HRESULT form of 1603 that Burn bundles may return as the process exit code.
$HRESULT_INSTALL_FAILURE = -2147023293

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

# --- helpers -----------------------------------------------------------------------------
Function Get-ServiceNameSet {
    $updater = Find-EntraSyncServiceName -Name $updaterServiceNames -DisplayNamePattern '*Agent Updater*'
    @($agentServiceName, $updater) | Where-Object { $_ } | Select-Object -Unique
}

Function Format-CommandLine {
    param ([string]$FilePath, [string[]]$Arguments)
    (@("`"$FilePath`"") + $Arguments) -join ' '
}

Function Invoke-Bounded {
    <#
    Runs one process, waits at most $timeout seconds, retries while it returns 1618.
    On timeout the process tree is stopped and that is reported, never left silently running.
    #>
    param ([string]$FilePath, [string[]]$Arguments)

    $commandLine = Format-CommandLine -FilePath $FilePath -Arguments $Arguments
    $attempt = 0
    while ($true) {
        $attempt++
        $module.Result.attempts = $module.Result.attempts + 1
        $startInfo = New-Object -TypeName System.Diagnostics.ProcessStartInfo
        $startInfo.FileName = $FilePath
        $startInfo.Arguments = ($Arguments -join ' ')
        $startInfo.UseShellExecute = $false
        $startInfo.CreateNoWindow = $true
        $process = [System.Diagnostics.Process]::Start($startInfo)
        if (-not $process.WaitForExit($timeout * 1000)) {
            $processId = $process.Id
            $null = & "$env:SystemRoot\System32\taskkill.exe" /PID $processId /T /F 2>&1
            $stopped = $process.WaitForExit(30000)
            $message = "did not finish within $timeout seconds; process $processId and its child processes were stopped"
            if (-not $stopped) {
                $message = "did not finish within $timeout seconds and process $processId could not be stopped; it may still be running"
            }
            return @{ ExitCode = $null; TimedOut = $true; Message = $message }
        }
        $exitCode = $process.ExitCode
        if ($exitCode -eq $ERROR_INSTALL_ALREADY_RUNNING -and $attempt -le $retryCount) {
            $module.Warn("Another installation was in progress (exit code 1618) running $commandLine; retried after $retryDelay seconds")
            Start-Sleep -Seconds $retryDelay
            continue
        }
        return @{ ExitCode = $exitCode; TimedOut = $false; Message = $null }
    }
}

Function Add-LogEvidence {
    param ([DateTime]$Since, [switch]$Excerpt)

    $logs = @(Find-EntraSyncInstallerLog -Since $Since -ExtraPath @($logPath))
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

Function Split-CommandLine {
    # '"C:\x\setup.exe" /uninstall /quiet' -> exe + arguments; MsiExec strings too.
    param ([string]$CommandLine)
    if ($CommandLine -match '^\s*"(?<exe>[^"]+)"\s*(?<rest>.*)$' -or $CommandLine -match '^\s*(?<exe>\S+)\s*(?<rest>.*)$') {
        return @{ FilePath = $Matches.exe; Arguments = @($Matches.rest -split '\s+' | Where-Object { $_ }) }
    }
    $null
}

Function Get-UninstallPlan {
    <#
    The commands that remove the agent: the bundle first (it removes its chained MSIs), then any
    agent or updater MSI entry still present.
    #>
    $entries = @(Get-EntraSyncUninstallEntry -DisplayNamePattern (Get-EntraSyncAgentConstant).UninstallPatterns)
    $bundle = @($entries | Where-Object { $_.display_name -like '*Package*' })
    $packages = @($entries | Where-Object { $_.display_name -notlike '*Package*' } |
            Sort-Object -Property { if ($_.display_name -like '*Updater*') { 1 } else { 0 } })
    foreach ($entry in ($bundle + $packages)) {
        if ($entry.product_code -match '^\{[0-9A-Fa-f-]{36}\}$' -and "$($entry.uninstall_string)" -match 'msiexec') {
            $command = @{ FilePath = "$env:SystemRoot\System32\msiexec.exe"; Arguments = @('/x', $entry.product_code, '/qn', '/norestart') }
        }
        elseif ($entry.quiet_uninstall_string) {
            $command = Split-CommandLine -CommandLine $entry.quiet_uninstall_string
        }
        elseif ($entry.uninstall_string) {
            $command = Split-CommandLine -CommandLine $entry.uninstall_string
            if ($command -and $command.Arguments -notcontains '/quiet') {
                $command.Arguments += '/quiet'
            }
        }
        else {
            $command = $null
        }
        @{ Entry = $entry; Command = $command }
    }
}

Function Invoke-Removal {
    <#
    Uninstalls every agent entry, then makes sure the agent and updater services are gone
    (deleting them only when remove_stale allows it). Returns nothing; fails the module on error.
    #>
    param ([string]$Reason)

    $since = (Get-Date).AddSeconds(-5)
    foreach ($step in @(Get-UninstallPlan)) {
        $entry = $step.Entry
        # The bundle may already have removed this entry.
        $still = @(Get-EntraSyncUninstallEntry -DisplayNamePattern @($entry.display_name)) |
            Where-Object { $_.product_code -eq $entry.product_code }
        if (-not $still) {
            $module.Result.removed.Add($entry.display_name)
            continue
        }
        if (-not $step.Command) {
            $module.Warn("No uninstall command is recorded for '$($entry.display_name)'; it was left in place")
            continue
        }
        $commandLine = Format-CommandLine -FilePath $step.Command.FilePath -Arguments $step.Command.Arguments
        if (-not $module.Result.command) {
            $module.Result.command = $commandLine
        }
        $run = Invoke-Bounded -FilePath $step.Command.FilePath -Arguments $step.Command.Arguments
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
            $module.FailJson("Failed to remove '$($entry.display_name)' ($Reason): $commandLine returned $($run.ExitCode). See log_excerpt; run the collection's diagnosis (playbooks/diagnose.yml) for the root cause.")
        }
        $module.Result.removed.Add($entry.display_name)
    }

    # Confirm the services are gone: a stale install often leaves them behind.
    foreach ($serviceName in (Get-ServiceNameSet)) {
        if (-not (Get-Service -Name $serviceName -ErrorAction SilentlyContinue)) {
            continue
        }
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
        $output = & "$env:SystemRoot\System32\sc.exe" delete $serviceName 2>&1 | Out-String
        $deadline = (Get-Date).AddSeconds(30)
        while ((Get-Service -Name $serviceName -ErrorAction SilentlyContinue) -and (Get-Date) -lt $deadline) {
            Start-Sleep -Seconds 2
        }
        if (Get-Service -Name $serviceName -ErrorAction SilentlyContinue) {
            $module.Result.reboot_required = $true
            $module.Warn("Service $serviceName is marked for deletion but still present ($($output.Trim())); reboot before installing again")
        }
        $module.Result.removed.Add("service $serviceName")
    }
}

Function Get-InstallState {
    $agentState = Get-EntraSyncAgentState -ServiceName $agentServiceName
    $serviceNames = @(Get-ServiceNameSet)
    $existingServices = @($serviceNames | Where-Object { Get-Service -Name $_ -ErrorAction SilentlyContinue })
    # Stale or partial: pieces present while the registry key (Microsoft's "installed" test) is not,
    # or the key present while the agent service is missing.
    $stale = (-not $agentState.registry_key_present -and ($agentState.uninstall_entries.Count -gt 0 -or $existingServices.Count -gt 0)) -or
    ($agentState.registry_key_present -and $existingServices -notcontains $agentServiceName)
    @{ Agent = $agentState; Stale = [bool]$stale; Services = $existingServices }
}

# --- observe ---------------------------------------------------------------------------------
$current = Get-InstallState
$installedVersion = if ($current.Agent.registry_key_present) { $current.Agent.version } else { $null }
$module.Result.version_before = $installedVersion

if ($state -eq 'absent') {
    $needed = $current.Agent.registry_key_present -or $current.Agent.uninstall_entries.Count -gt 0 -or
    ($removeStale -and $current.Services.Count -gt 0)
    if (-not $needed) {
        $module.ExitJson()
    }
    $module.Result.changed = $true
    $module.Diff.before = @{ version = $installedVersion; installed = $true }
    $module.Diff.after = @{ version = $null; installed = $false }
    if ($module.CheckMode) {
        $plan = @(Get-UninstallPlan)
        foreach ($step in $plan) {
            $module.Result.removed.Add($step.Entry.display_name)
        }
        if ($plan -and $plan[0].Command) {
            $module.Result.command = Format-CommandLine -FilePath $plan[0].Command.FilePath -Arguments $plan[0].Command.Arguments
        }
        $module.ExitJson()
    }
    Invoke-Removal -Reason 'state=absent'
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

$arguments = [System.Collections.Generic.List[string]]@('/quiet')
if ($environment -eq 'AzureUSGovernment') {
    $arguments.Add('ENVIRONMENTNAME=AzureUSGovernment')
}
if ($logPath) {
    # Standard for WiX Burn bundles; Microsoft does not document it for this agent.
    $arguments.Add('/log')
    $arguments.Add("`"$logPath`"")
}
$installCommand = Format-CommandLine -FilePath $path -Arguments $arguments
$module.Result.command = $installCommand
$module.Result.changed = $true
$module.Diff.before = @{ version = $installedVersion }
$module.Diff.after = @{ version = if ($installerVersion) { $installerVersion } else { '(installer)' } }

if ($current.Stale -and -not $removeStale) {
    $module.Warn('A partial or stale agent installation was found (see agent_host_info leftovers); it may make the install fail with 1603. Set remove_stale to remove it first.')
}
if ($module.CheckMode) {
    if ($current.Stale -and $removeStale) {
        foreach ($step in @(Get-UninstallPlan)) {
            $module.Result.removed.Add($step.Entry.display_name)
        }
    }
    $module.ExitJson()
}

if ($current.Stale -and $removeStale) {
    Invoke-Removal -Reason 'remove_stale'
    $module.Result.command = $installCommand
    $module.Result.exit_code = $null
    $module.Result.attempts = 0
    if ($module.Result.reboot_required) {
        $module.FailJson('Removed a stale agent installation but Windows needs a reboot before the agent can be installed again; reboot and re-run')
    }
    $module.Warn("Removed a partial installation (version $($current.Agent.version)); a reboot before the next install is recommended if services were stuck")
}

$started = (Get-Date).AddSeconds(-5)
$run = Invoke-Bounded -FilePath $path -Arguments $arguments
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

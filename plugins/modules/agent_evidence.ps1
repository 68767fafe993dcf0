#!powershell

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ..module_utils._EntraSyncCommon
#AnsibleRequires -PowerShell ..module_utils._EntraSyncEvidence

$spec = @{
    options = @{
        since = @{ type = 'str' }
        hours = @{ type = 'int' }
        services = @{
            type = 'list'
            elements = 'str'
            default = @('AADConnectProvisioningAgent', 'AzureADConnectAgentUpdater', 'ADSync')
        }
        max_events = @{ type = 'int'; default = 200 }
        max_file_bytes = @{ type = 'int'; default = 262144 }
        max_total_bytes = @{ type = 'int'; default = 2097152 }
        trace_files = @{ type = 'int'; default = 3 }
        include_installer_logs = @{ type = 'bool'; default = $true }
        extra_paths = @{ type = 'list'; elements = 'str'; default = @() }
        kds_log_names = @{ type = 'list'; elements = 'str'; default = @('Microsoft-Windows-KdsSvc/Operational', 'System') }
        timeout = @{ type = 'int'; default = 120 }
    }
    mutually_exclusive = @(
        , @('since', 'hours')
    )
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$p = $module.Params
$sinceTime = if ($p.since) {
    $parsed = [DateTime]::MinValue
    if (-not [DateTime]::TryParse($p.since, [System.Globalization.CultureInfo]::InvariantCulture,
            [System.Globalization.DateTimeStyles]::AdjustToUniversal -bor [System.Globalization.DateTimeStyles]::AssumeUniversal, [ref]$parsed)) {
        $module.FailJson("since must be an ISO 8601 date and time such as 2025-06-12T08:00:00Z, got '$($p.since)'")
    }
    $parsed.ToLocalTime()
}
else {
    $hours = if ($null -eq $p.hours) { 24 } else { $p.hours }
    if ($hours -le 0) {
        $module.FailJson("hours must be a positive number, got $hours")
    }
    (Get-Date).AddHours(-$hours)
}
foreach ($bound in @('max_events', 'max_file_bytes', 'max_total_bytes', 'timeout')) {
    if ($p[$bound] -le 0) {
        $module.FailJson("$bound must be positive, got $($p[$bound])")
    }
}
foreach ($extra in $p.extra_paths) {
    if ($extra -notmatch '^[A-Za-z]:\\' -and $extra -notmatch '^\\\\') {
        $module.FailJson("extra_paths entries must be absolute paths on the target, got '$extra'")
    }
}

$module.Result.changed = $false
$module.Result.since = ConvertTo-EntraSyncIsoTime -Value $sinceTime
$events = [System.Collections.Generic.List[object]]@()
$files = [System.Collections.Generic.List[object]]@()
$errors = [System.Collections.Generic.List[string]]@()
$deadline = (Get-Date).AddSeconds($p.timeout)
$constants = Get-EntraSyncAgentConstant

Function Test-TimeLeft {
    param ([string]$What)
    if ((Get-Date) -lt $deadline) {
        return $true
    }
    $module.Warn("Stopped collecting before ${What}: the timeout of $($p.timeout) seconds was reached")
    $false
}

# --- events ------------------------------------------------------------------------------------
# SCM events name the service only in their text, by name or display name: match both.
$serviceNeedles = [System.Collections.Generic.List[string]]@()
foreach ($name in $p.services) {
    $serviceNeedles.Add($name)
    $svc = Get-Service -Name $name -ErrorAction SilentlyContinue
    if ($svc -and $svc.DisplayName) {
        $serviceNeedles.Add($svc.DisplayName)
    }
}
# Display names of the agent and the updater over the product's history.
foreach ($needle in @('Provisioning Agent', 'Agent Updater')) {
    $serviceNeedles.Add($needle)
}

if (Test-TimeLeft -What 'Service Control Manager events') {
    foreach ($e in @(Get-EntraSyncEvent -LogName 'System' -ProviderName 'Service Control Manager' -Id 7000, 7009, 7034, 7038, 7041 `
                -Since $sinceTime -MaxEvents $p.max_events -MessageFilter $serviceNeedles -Errors $errors)) {
        $events.Add($e)
    }
}
if (Test-TimeLeft -What 'Netlogon events') {
    foreach ($e in @(Get-EntraSyncEvent -LogName 'System' -ProviderName 'NETLOGON' -Id 9001, 9002 -Since $sinceTime -MaxEvents $p.max_events -Errors $errors)) {
        $events.Add($e)
    }
}
# An empty kds_log_names asks for no KDS events: nothing is read, so nothing is reported missing.
if (@($p.kds_log_names).Count -gt 0 -and (Test-TimeLeft -What 'KDS events')) {
    $kdsFound = $false
    $kdsErrors = [System.Collections.Generic.List[string]]@()
    foreach ($logName in $p.kds_log_names) {
        foreach ($e in @(Get-EntraSyncEvent -LogName $logName -Id 4004 -Since $sinceTime -MaxEvents $p.max_events -Errors $kdsErrors)) {
            if ($e.provider -like '*Kds*' -or $e.provider -like '*Key Distribution*') {
                $events.Add($e)
                $kdsFound = $true
            }
        }
    }
    if (-not $kdsFound) {
        $module.Warn("No KDS event 4004 was found in $($p.kds_log_names -join ', ') on this host (it is logged on domain controllers)")
    }
}
if (Test-TimeLeft -What "the agent's Admin channel") {
    $adminErrors = [System.Collections.Generic.List[string]]@()
    foreach ($e in @(Get-EntraSyncEvent -LogName $constants.EventChannel -Since $sinceTime -MaxEvents $p.max_events -Errors $adminErrors)) {
        $events.Add($e)
    }
    if ($adminErrors.Count -gt 0 -and (Get-EntraSyncAgentState).registry_key_present) {
        foreach ($message in $adminErrors) { $errors.Add($message) }
    }
}
if (Test-TimeLeft -What 'Windows Installer events') {
    foreach ($e in @(Get-EntraSyncEvent -LogName 'Application' -ProviderName 'MsiInstaller' -Id 1033, 1034, 11707, 11708, 11724 `
                -Since $sinceTime -MaxEvents $p.max_events -MessageFilter @('Provisioning Agent', 'Agent Updater') -Errors $errors)) {
        $events.Add($e)
    }
}
foreach ($message in $errors) {
    $module.Warn($message)
}
# A script block, not -Property time_created: Windows PowerShell 5.1's Sort-Object does not see the
# keys of an ordered dictionary as properties and would leave the events unsorted (issue 11 item 9).
# ISO 8601 UTC text of one width sorts as time does; log and record id make ties deterministic.
$module.Result.events = @($events | Sort-Object -Property { $_.time_created }, { $_.log }, { $_.record_id } -Descending)

# --- files, within one byte budget ---------------------------------------------------------------
$candidates = [System.Collections.Generic.List[object]]@()
if ($p.include_installer_logs) {
    foreach ($log in @(Find-EntraSyncInstallerLog -Since $sinceTime)) {
        $candidates.Add(@{ path = $log.path; kind = $log.kind })
    }
}
if ($p.trace_files -gt 0 -and (Test-Path -LiteralPath $constants.TraceDir -PathType Container)) {
    Get-ChildItem -LiteralPath $constants.TraceDir -Filter '*.log' -File -ErrorAction SilentlyContinue |
        Sort-Object -Property LastWriteTime -Descending | Select-Object -First $p.trace_files |
        ForEach-Object { $candidates.Add(@{ path = $_.FullName; kind = 'trace_log' }) }
}
$agentState = Get-EntraSyncAgentState
$installDir = if ($agentState.install_dir) { $agentState.install_dir } else { $constants.DefaultInstallDir }
$configPath = Join-Path $installDir 'AADConnectProvisioningAgent.exe.config'
if (Test-Path -LiteralPath $configPath -PathType Leaf) {
    $candidates.Add(@{ path = $configPath; kind = 'agent_config' })
}
foreach ($extra in $p.extra_paths) {
    foreach ($item in @(Get-ChildItem -Path $extra -File -ErrorAction SilentlyContinue)) {
        $kind = if ($item.Name -match '_\d{14}_\d{3}_') { 'msi_log' } elseif ($item.Name -match '_\d{14}\.log$') { 'burn_log' } else { 'installer_log' }
        $candidates.Add(@{ path = $item.FullName; kind = $kind })
    }
}

$collected = 0
$skipped = 0
$seen = @{}
foreach ($candidate in $candidates) {
    if ($seen.ContainsKey($candidate.path)) {
        continue
    }
    $seen[$candidate.path] = $true
    $remaining = $p.max_total_bytes - $collected
    if ($remaining -le 0 -or -not (Test-TimeLeft -What $candidate.path)) {
        $skipped++
        continue
    }
    try {
        $tail = Read-EntraSyncFileTail -Path $candidate.path -MaxBytes ([Math]::Min($p.max_file_bytes, $remaining))
    }
    catch {
        $module.Warn("Failed to read $($candidate.path): $($_.Exception.Message)")
        continue
    }
    $bytes = [System.Text.Encoding]::UTF8.GetByteCount($tail.content)
    $collected += $bytes
    $files.Add([ordered]@{
            path = $tail.path
            kind = $candidate.kind
            size = $tail.size
            truncated = $tail.truncated
            content = $tail.content
        })
}
if ($skipped -gt 0) {
    $module.Warn("Stopped collecting files after $collected bytes (max_total_bytes or timeout); $skipped file(s) were skipped")
}
$module.Result.files = $files
$module.Result.collected_bytes = $collected

# --- managed-account flags ------------------------------------------------------------------------
$module.Result.managed_accounts = @(
    foreach ($name in $p.services) {
        if ($name -eq 'AADConnectProvisioningAgent' -or (Get-Service -Name $name -ErrorAction SilentlyContinue)) {
            $flag = Get-EntraSyncManagedAccountFlag -Name $name
            [ordered]@{ service = $flag.service; output = $flag.output; managed = $flag.managed }
        }
    }
)

$module.ExitJson()

# The agent's installer and uninstallers as processes: scenario section `installer`.
#   "installer": {
#     "runs": [ <run>, ... ],                       each start of the setup bundle takes the next run
#     "uninstall": { "<uninstall key name, e.g. {GUID}>": <run> },   a start of that entry's uninstaller
#     "log_timestamp": "20250612101502",            <yyyyMMddHHmmss> in the Burn log's name (default: now)
#     "bundle_log_name": "Microsoft_Azure_AD_Connect_Provisioning_Agent_Package"   (the default)
#   }
#   <run> = { "exit_code": 0 | 3010 | 1641 | 1618 | 1603 | "0x80070643",
#             "never_ends": true,                   the process never exits (a timeout), until stopped
#             "children": [ { "ProcessId": 4413, "Name": "..." } ],   processes it started (Win32_Process)
#             "unkillable": [ 4412 ],               ids whose Kill fails (access denied)
#             "process_id": 4412,                   (default: 4400 + the number of the start)
#             "changes": { "registry": { key: {values} | null }, "files": { path: {...} | null },
#                          "services": { name: {Get-Service fields} | null },
#                          "rights": { "SeServiceLogonRight": [ SIDs ] | null },     what LSA holds after
#                          "cim": { "namespace:Class": [ instances ] | null },       e.g. the RSoP rows
#                          "event_logs": { "System": [ events ] } },                 appended to the log
#                        applied when it exits (null removes the key, folder, service, right or class;
#                        or { "host": "<base host>" }: that host's registry, files and services laid
#                        over this one). `rights` and `cim` together are a Group Policy refresh that ran
#                        while the installer did; an event without time_created gets the exit time.
#             "burn_log": "text", "msi_logs": { "<package id>": "text" } }       written when it starts
# The Burn log goes to /log <path> when the command line has one, else to C:\Windows\Temp as
# <bundle_log_name>_<yyyyMMddHHmmss>.log; each chained package's log goes next to it as
# <Burn log name without .log>_<nnn>_<package id>.log (WiX Burn 3 naming). An uninstall key the
# scenario does not script exits 0 and removes that key only.
# Served to the module_util functions of plugins/module_utils/_EntraSyncProcess.psm1 (TestHarness
# BoundaryMocks): Start/Wait/Stop-EntraSyncProcess and Remove-EntraSyncService; and
# Read-EntraSyncFileTail (files section).

$script:SimProcesses = @{}
$script:SimStarts = 0
$script:SimHostsDir = Join-Path (Split-Path -Parent $PSScriptRoot) 'hosts'

Register-WinSimArea -Name Installer -Initialize {
    $script:SimProcesses = @{}
    $script:SimStarts = 0
}

Function ConvertFrom-WinSimCommandLine {
    <# argv as CommandLineToArgvW splits a command line (the first argument by CreateProcess' own rule). #>
    param ([Parameter(Mandatory)][string]$CommandLine)
    $argv = [System.Collections.Generic.List[string]]::new()
    $text = $CommandLine.TrimStart()
    # First argument: up to the closing quote when quoted, else up to white space; no escapes.
    if ($text.StartsWith('"')) {
        $end = $text.IndexOf('"', 1)
        if ($end -lt 0) { $end = $text.Length }
        $argv.Add($text.Substring(1, $end - 1))
        $i = $end + 1
    }
    else {
        $end = $text.IndexOfAny([char[]]" `t")
        if ($end -lt 0) { $end = $text.Length }
        $argv.Add($text.Substring(0, $end))
        $i = $end
    }
    $current = $null
    $quoted = $false
    while ($i -lt $text.Length) {
        $c = $text[$i]
        if (-not $quoted -and ($c -eq ' ' -or $c -eq "`t")) {
            if ($null -ne $current) { $argv.Add($current); $current = $null }
            $i++
            continue
        }
        if ($null -eq $current) { $current = '' }
        if ($c -eq '\') {
            $n = 0
            while ($i -lt $text.Length -and $text[$i] -eq '\') { $n++; $i++ }
            if ($i -lt $text.Length -and $text[$i] -eq '"') {
                $current += '\' * [Math]::Floor($n / 2)
                if ($n % 2 -eq 1) { $current += '"'; $i++ }
            }
            else {
                $current += '\' * $n
            }
            continue
        }
        if ($c -eq '"') {
            if ($quoted -and $i + 1 -lt $text.Length -and $text[$i + 1] -eq '"') {
                $current += '"'
                $i += 2
                continue
            }
            $quoted = -not $quoted
            $i++
            continue
        }
        $current += $c
        $i++
    }
    if ($null -ne $current) { $argv.Add($current) }
    , $argv.ToArray()
}

Function Get-WinSimInstallerSection {
    $state = Get-WinSimState
    if (-not $state.Contains('installer') -or $null -eq $state['installer']) {
        $state['installer'] = [ordered]@{}
    }
    $state['installer']
}

Function Find-WinSimUninstallKey {
    <# The uninstall key (64- or 32-bit view) whose name is the product code, or whose uninstall string starts the same exe. #>
    param ([string[]]$Argv)
    $roots = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall', 'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall'
    $exe = $Argv[0].Split('\')[-1]
    if ($exe -ieq 'msiexec.exe' -or $exe -ieq 'msiexec') {
        $index = [Array]::FindIndex($Argv, [Predicate[string]] { param($a) $a -match '^[/-][xX]$' })
        return $(if ($index -ge 0 -and $index + 1 -lt $Argv.Count) { $Argv[$index + 1] } else { $null })
    }
    foreach ($root in $roots) {
        foreach ($name in (Get-WinSimRegistrySubKeyName -Path $root)) {
            $values = Get-WinSimRegistryValues -Path "$root\$name"
            foreach ($field in 'QuietUninstallString', 'UninstallString') {
                if ($values.Contains($field) -and $values[$field]) {
                    $recorded = (ConvertFrom-WinSimCommandLine -CommandLine ([string]$values[$field]))[0]
                    if ($recorded -ieq $Argv[0]) {
                        return $name
                    }
                }
            }
        }
    }
    $null
}

Function Write-WinSimInstallerLog {
    <# The Burn log and the chained package logs of one run, named as WiX Burn 3 names them. #>
    param ($Run, [string[]]$Argv)
    if (-not $Run.Contains('burn_log') -and -not $Run.Contains('msi_logs')) {
        return
    }
    $section = Get-WinSimInstallerSection
    $index = [Array]::FindIndex($Argv, [Predicate[string]] { param($a) $a -match '^[/-](log|l)$' })
    if ($index -ge 0 -and $index + 1 -lt $Argv.Count) {
        $burnLog = $Argv[$index + 1]
    }
    else {
        $bundle = if ($section.Contains('bundle_log_name')) { $section.bundle_log_name } else { 'Microsoft_Azure_AD_Connect_Provisioning_Agent_Package' }
        $stamp = if ($section.Contains('log_timestamp')) { $section.log_timestamp } else { (Get-Date).ToString('yyyyMMddHHmmss') }
        $burnLog = "C:\Windows\Temp\${bundle}_$stamp.log"
    }
    $now = [DateTime]::UtcNow.ToString('o')
    $files = Get-WinSimSection -Name files
    if ($Run.Contains('burn_log')) {
        $files[$burnLog] = [ordered]@{ content = [string]$Run.burn_log; last_write_time = $now }
    }
    $number = 0
    if ($Run.Contains('msi_logs')) {
        foreach ($package in $Run.msi_logs.Keys) {
            $path = '{0}_{1:000}_{2}.log' -f $burnLog.Substring(0, $burnLog.Length - 4), $number, $package
            $files[$path] = [ordered]@{ content = [string]$Run.msi_logs[$package]; last_write_time = $now }
            $number++
        }
    }
}

Function Set-WinSimInstallerChange {
    <# What a run leaves on the host when it exits: registry keys, files and services added, replaced or removed. #>
    param ($Changes)
    if (-not $Changes) {
        return
    }
    if ($Changes.Contains('host')) {
        # The registry, files and services of a base host (tests/windows_sim/hosts), laid over this one.
        $base = Read-WinSimHost -Path (Join-Path $script:SimHostsDir "$($Changes.host).json")
        $services = [ordered]@{}
        foreach ($service in @($base['services'])) {
            $services[$service.Name] = $service
        }
        $Changes = [ordered]@{ registry = $base['registry']; files = $base['files']; services = $services }
        # ... and that host's scripted uninstallers, which now exist here too.
        if ($base.Contains('installer') -and $base.installer.Contains('uninstall')) {
            $section = Get-WinSimInstallerSection
            if (-not $section.Contains('uninstall')) {
                $section.uninstall = [ordered]@{}
            }
            foreach ($code in $base.installer.uninstall.Keys) {
                $section.uninstall[$code] = $base.installer.uninstall[$code]
            }
        }
    }
    if ($Changes.Contains('registry')) {
        $table = Get-WinSimRegistryTable
        foreach ($key in $Changes.registry.Keys) {
            $canonical = ConvertTo-WinSimRegistryPath -Path $key
            foreach ($existing in @($table.Keys)) {
                $other = ConvertTo-WinSimRegistryPath -Path $existing
                if ($other -eq $canonical -or $other.StartsWith("$canonical\", [System.StringComparison]::OrdinalIgnoreCase)) {
                    $table.Remove($existing)
                }
            }
            if ($null -ne $Changes.registry[$key]) {
                $table[$key] = $Changes.registry[$key]
            }
        }
    }
    if ($Changes.Contains('files')) {
        $files = Get-WinSimSection -Name files
        foreach ($path in $Changes.files.Keys) {
            $canonical = ConvertTo-WinSimFilePath -Path $path
            foreach ($existing in @($files.Keys)) {
                $other = ConvertTo-WinSimFilePath -Path $existing
                if ($other -eq $canonical -or $other.StartsWith("$canonical\", [System.StringComparison]::OrdinalIgnoreCase)) {
                    $files.Remove($existing)
                }
            }
            if ($null -ne $Changes.files[$path]) {
                $files[$path] = $Changes.files[$path]
            }
        }
    }
    foreach ($sectionName in 'rights', 'cim') {
        if ($Changes.Contains($sectionName)) {
            $section = Get-WinSimSection -Name $sectionName
            foreach ($name in $Changes[$sectionName].Keys) {
                if ($null -eq $Changes[$sectionName][$name]) {
                    $section.Remove($name)
                }
                else {
                    $section[$name] = [object[]]@($Changes[$sectionName][$name])
                }
            }
        }
    }
    if ($Changes.Contains('event_logs')) {
        $logs = Get-WinSimSection -Name event_logs
        foreach ($logName in $Changes.event_logs.Keys) {
            $events = [System.Collections.Generic.List[object]]::new()
            $known = @($logs.Keys | Where-Object { $_ -eq $logName })
            if ($known) {
                foreach ($event in @($logs[$known[0]])) {
                    $events.Add($event)
                }
            }
            $nextRecord = 1 + (@($events | ForEach-Object { [long]$_['record_id'] }) + 0 | Measure-Object -Maximum).Maximum
            foreach ($event in @($Changes.event_logs[$logName])) {
                $entry = [ordered]@{}
                foreach ($field in $event.Keys) {
                    $entry[$field] = $event[$field]
                }
                if (-not $entry['time_created']) {
                    $entry.time_created = [DateTime]::UtcNow.ToString('o')
                }
                if (-not $entry['record_id']) {
                    $entry.record_id = $nextRecord
                }
                $nextRecord = [long]$entry.record_id + 1
                $events.Add($entry)
            }
            $logs[$(if ($known) { $known[0] } else { $logName })] = $events
        }
    }
    if ($Changes.Contains('services')) {
        # A new list: the scenario's own (from JSON) is a fixed-size array.
        $services = [System.Collections.Generic.List[object]]::new()
        foreach ($service in @(Get-WinSimServiceList)) {
            if (-not $Changes.services.Contains($service.Name)) {
                $services.Add($service)
            }
        }
        foreach ($name in $Changes.services.Keys) {
            if ($null -ne $Changes.services[$name]) {
                $entry = [ordered]@{ Name = $name }
                foreach ($field in $Changes.services[$name].Keys) {
                    $entry[$field] = $Changes.services[$name][$field]
                }
                $services.Add($entry)
            }
        }
        (Get-WinSimState)['services'] = $services
    }
}

Function Set-WinSimProcessRow {
    <# Win32_Process rows of a running run (the bundle and its children), so the module can find the tree. #>
    param ($Process, [switch]$Remove)
    $cim = Get-WinSimSection -Name cim
    if (-not $cim.Contains('Win32_Process')) {
        $cim['Win32_Process'] = [System.Collections.Generic.List[object]]::new()
    }
    $rows = [System.Collections.Generic.List[object]]::new()
    foreach ($row in @($cim['Win32_Process'])) {
        if ($row.ProcessId -notin $Process.Ids) {
            $rows.Add($row)
        }
    }
    if (-not $Remove) {
        $rows.Add([ordered]@{ ProcessId = $Process.ProcessId; ParentProcessId = 4000; Name = $Process.Argv[0].Split('\')[-1]; ExecutablePath = $Process.Argv[0] })
        foreach ($child in @($Process.Run['children'] | Where-Object { $_ })) {
            $rows.Add([ordered]@{ ProcessId = [int]$child.ProcessId; ParentProcessId = $Process.ProcessId; Name = $child.Name; ExecutablePath = $child['ExecutablePath'] })
        }
    }
    $cim['Win32_Process'] = $rows
}

Register-WinSimHandler -Command 'Start-EntraSyncProcess' -Handler {
    param ($Bound, $SetName, $Cmdlet, $Call)
    $argv = ConvertFrom-WinSimCommandLine -CommandLine $Bound['CommandLine']
    $call.argv = $argv
    if ($Bound['FilePath'] -and $Bound['FilePath'] -ne $argv[0]) {
        throw "WinSim: the command line's first argument '$($argv[0])' is not the FilePath '$($Bound['FilePath'])' it starts"
    }
    $section = Get-WinSimInstallerSection
    $productCode = Find-WinSimUninstallKey -Argv $argv
    if ($productCode) {
        $run = if ($section.Contains('uninstall') -and $section.uninstall.Contains($productCode)) { $section.uninstall[$productCode] } else {
            [ordered]@{ exit_code = 0; changes = [ordered]@{ registry = [ordered]@{
                        "HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\$productCode" = $null
                        "HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\$productCode" = $null } } }
        }
    }
    else {
        $runs = if ($section.Contains('runs')) { $section.runs } else { @() }
        $taken = if ($section.Contains('runs_taken')) { [int]$section.runs_taken } else { 0 }
        if ($taken -ge @($runs).Count) {
            throw "WinSim: the installer was started $($taken + 1) times, the scenario scripts $(@($runs).Count) runs (installer.runs)"
        }
        $run = @($runs)[$taken]
        $section.runs_taken = $taken + 1
    }
    $script:SimStarts++
    $processId = if ($run.Contains('process_id')) { [int]$run.process_id } else { 4400 + $script:SimStarts }
    $process = @{ ProcessId = $processId; Argv = $argv; Run = $run; Exited = $false; Killed = $false
        Ids = @($processId) + @($run['children'] | Where-Object { $_ } | ForEach-Object { [int]$_.ProcessId }) }
    $script:SimProcesses[$processId] = $process
    Write-WinSimInstallerLog -Run $run -Argv $argv
    if ($run['never_ends']) {
        Set-WinSimProcessRow -Process $process
    }
    Set-WinSimChanged -Call $Call
    $handle = [pscustomobject]@{ ProcessId = $processId; ThreadId = $processId + 1; Process = "WinSim process handle $processId" }
    $handle | Add-Member -MemberType ScriptMethod -Name Dispose -Value { }
    $handle
}

Register-WinSimHandler -Command 'Wait-EntraSyncProcess' -Handler {
    param ($Bound, $SetName, $Cmdlet, $Call)
    $process = $script:SimProcesses[[int]$Bound['Process'].ProcessId]
    if ($process.Killed) {
        return -1  # what Process.Kill (TerminateProcess with -1) leaves as the exit code
    }
    if ($process.Run['never_ends']) {
        return $null
    }
    if (-not $process.Exited) {
        $process.Exited = $true
        Set-WinSimInstallerChange -Changes $process.Run['changes']
        Set-WinSimChanged -Call $Call
    }
    $code = $process.Run['exit_code']
    if ($code -is [string] -and $code.StartsWith('0x')) {
        return [BitConverter]::ToInt32([BitConverter]::GetBytes([Convert]::ToUInt32($code.Substring(2), 16)), 0)
    }
    [int]$code
}

Register-WinSimHandler -Command 'Stop-EntraSyncProcess' -Handler {
    param ($Bound, $SetName, $Cmdlet, $Call)
    $id = [int]$Bound['ProcessId']
    $owner = $script:SimProcesses.Values | Where-Object { $id -in $_.Ids -and -not $_.Exited } | Select-Object -First 1
    if (-not $owner -or $id -in @($owner['StoppedIds'])) {
        throw [System.ArgumentException]::new("Process with an Id of $id is not running.")
    }
    if ($id -in @($owner.Run['unkillable'])) {
        throw [System.ComponentModel.Win32Exception]::new(5, 'Access is denied')
    }
    $owner['StoppedIds'] = @($owner['StoppedIds']) + $id
    if ($id -eq $owner.ProcessId) {
        $owner.Killed = $true
        Set-WinSimProcessRow -Process $owner -Remove
    }
    Set-WinSimChanged -Call $Call
}

Register-WinSimHandler -Command 'Remove-EntraSyncService' -Handler {
    param ($Bound, $SetName, $Cmdlet, $Call)
    $services = Get-WinSimServiceList
    $service = @($services | Where-Object { $_.Name -eq $Bound['Name'] })[0]
    if (-not $service) {
        return '[SC] OpenService FAILED 1060:' + "`r`n`r`n" + 'The specified service does not exist as an installed service.'
    }
    # A service still open by a process stays, marked for deletion, until the next reboot.
    if (-not $service['delete_pending']) {
        (Get-WinSimState)['services'] = [System.Collections.Generic.List[object]]@($services | Where-Object { $_.Name -ne $Bound['Name'] })
    }
    Set-WinSimChanged -Call $Call
    '[SC] DeleteService SUCCESS'
}

Function Read-WinSimFileTail {
    <# What Read-EntraSyncFileTail returns for a file of the scenario: the last MaxBytes characters. #>
    param ([Parameter(Mandatory)][string]$Path, [long]$MaxBytes)
    $content = Get-WinSimFileContent -Path $Path
    if ($null -eq $content) {
        throw [System.IO.FileNotFoundException]::new("Could not find file '$Path'.", $Path)
    }
    $start = [Math]::Max(0, $content.Length - $MaxBytes)
    [ordered]@{
        path = $Path
        size = [long]$content.Length
        truncated = $start -gt 0
        content = $content.Substring($start)
    }
}

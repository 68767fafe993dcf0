# Event logs and the raw file reads of agent_evidence.
#   "event_logs": { "System": [ { "provider": "Service Control Manager", "id": 7041, "level": "Error",
#                                 "time_created": "2025-06-12T10:21:07.123Z", "record_id": 40211,
#                                 "message": "...", "properties": ["...", "..."] } ],
#                   "Security": { "error": "access_denied" } }
# `time_created` may be relative to now: "-PT1H" (an ISO 8601 duration, an hour ago), so that a
# lab host's events stay inside the modules' look-back window whenever the lab runs.
# A log the scenario does not name does not exist on the host. An event without `message` has
# no rendered text (its provider's message file is missing): FormatDescription() gives $null.
# Get-WinEvent returns the matching events newest first, as Windows does, whatever their order
# in the scenario.
# Files (the `files` section of Files.ps1) are read as bytes: `"encoding": "utf16"` writes the
# content as UTF-16 LE with its byte order mark (as MSI logs often are), otherwise UTF-8
# without one. `"access_denied": true` makes opening the file fail.
#   "environment": { "machine_temp": "C:\\Windows\\TEMP" }   the machine's TEMP variable

$script:GetWinEventErrorSuffix = ',Microsoft.PowerShell.Commands.GetWinEventCommand'

Function Write-WinSimEventError {
    param ($Cmdlet, [string]$Message, [string]$ErrorId, [type]$Type = [System.Exception], $Category = 'ObjectNotFound', $Target)
    # The id as Windows gives it: the cmdlet's own FullyQualifiedErrorId.
    $Cmdlet.WriteError((New-WinSimError -Message $Message -Type $Type -Category $Category -ErrorId "$ErrorId$script:GetWinEventErrorSuffix" -Target $Target))
}

Function ConvertTo-WinSimEventRecord {
    <# What an EventLogRecord offers the modules: its properties and FormatDescription(). #>
    param ([string]$LogName, $Event)
    # TimeCreated is local time on Windows. ConvertFrom-Json may already have made the text a DateTime.
    $created = $Event['time_created']
    if ($created -is [string] -and $created.StartsWith('-P')) {
        # A time relative to now ("-PT1H": an hour ago), for host descriptions that outlive a date.
        $created = [DateTime]::UtcNow - [System.Xml.XmlConvert]::ToTimeSpan($created.Substring(1))
    }
    elseif ($created -isnot [datetime]) {
        $created = [datetime]::Parse([string]$created, [cultureinfo]::InvariantCulture, 'AdjustToUniversal')
    }
    elseif ($created.Kind -eq 'Unspecified') {
        $created = [datetime]::SpecifyKind($created, 'Utc')
    }
    $created = $created.ToLocalTime()
    $record = [pscustomobject]@{
        LogName = $LogName
        ProviderName = [string]$Event['provider']
        Id = [int]$Event['id']
        LevelDisplayName = [string]$Event['level']
        TimeCreated = $created
        RecordId = [long]$Event['record_id']
        Properties = @(foreach ($value in @($Event['properties'])) { if ($null -ne $value) { [pscustomobject]@{ Value = $value } } })
        Message = $Event['message']
    }
    $record | Add-Member -MemberType ScriptMethod -Name FormatDescription -Value { $this.Message }
    $record
}

Register-WinSimHandler -Command 'Get-WinEvent' -Handler {
    param ($Bound, $SetName, $Cmdlet)
    $logs = Get-WinSimSection -Name event_logs
    if ($Bound.ContainsKey('FilterHashtable')) {
        $filter = @($Bound['FilterHashtable'])[0]
        $logNames = @($filter['LogName'])
        $ids = @($filter['Id'] | Where-Object { $null -ne $_ })
        $providers = @($filter['ProviderName'] | Where-Object { $null -ne $_ })
        $startTime = $filter['StartTime']
    }
    elseif ($Bound.ContainsKey('LogName')) {
        $logNames = @($Bound['LogName'])
        $ids = @()
        $providers = @()
        $startTime = $null
    }
    else {
        throw "WinSim: Get-WinEvent is simulated for -FilterHashtable and -LogName only"
    }
    $found = [System.Collections.Generic.List[object]]::new()
    $anyLog = $false
    foreach ($logName in $logNames) {
        $key = @($logs.Keys | Where-Object { $_ -eq $logName })
        if (-not $key) {
            Write-WinSimEventError -Cmdlet $Cmdlet -ErrorId 'NoMatchingLogsFound' -Target $logName `
                -Message "There is not an event log on the localhost computer that matches `"$logName`"."
            continue
        }
        $anyLog = $true
        $log = $logs[$key[0]]
        if ($log -is [System.Collections.IDictionary] -and $log.Contains('error')) {
            $Cmdlet.WriteError((New-WinSimError -Kind $log.error -ErrorId "WinSim.$($log.error)$script:GetWinEventErrorSuffix" -Target $logName))
            continue
        }
        foreach ($event in @($log)) {
            $record = ConvertTo-WinSimEventRecord -LogName $key[0] -Event $event
            if ($ids -and $record.Id -notin $ids) { continue }
            if ($providers -and $record.ProviderName -notin $providers) { continue }
            if ($startTime -and $record.TimeCreated -lt [datetime]$startTime) { continue }
            $found.Add($record)
        }
    }
    $sorted = @($found | Sort-Object -Property TimeCreated, RecordId -Descending)
    if ($Bound.ContainsKey('MaxEvents')) {
        $sorted = @($sorted | Select-Object -First ([int]$Bound['MaxEvents']))
    }
    if ($sorted.Count -eq 0 -and $anyLog) {
        Write-WinSimEventError -Cmdlet $Cmdlet -ErrorId 'NoMatchingEventsFound' `
            -Message 'No events were found that match the specified selection criteria.'
        return
    }
    $sorted
}

Function Get-WinSimFileBytes {
    <# A file's bytes as the scenario describes them, or a throw as File.Open does. #>
    param ([string]$Path)
    $key = Find-WinSimFile -Path $Path
    if ($null -eq $key -or (Get-WinSimSection -Name files)[$key]['directory']) {
        throw [System.IO.FileNotFoundException]::new("Could not find file '$Path'.", $Path)
    }
    $entry = (Get-WinSimSection -Name files)[$key]
    if ($entry['access_denied']) {
        throw [System.UnauthorizedAccessException]::new("Access to the path '$Path' is denied.")
    }
    $content = [string]$entry['content']
    if ($entry['encoding'] -eq 'utf16') {
        return [byte[]](@(0xFF, 0xFE) + [System.Text.Encoding]::Unicode.GetBytes($content))
    }
    [System.Text.Encoding]::UTF8.GetBytes($content)
}

Function Read-WinSimFileRange {
    <# Answers Read-EntraSyncFileRange (_EntraSyncEvidence): @{ size; bytes; read }. #>
    param ([string]$Path, [long]$Offset, [int]$Count)
    $all = Get-WinSimFileBytes -Path $Path
    $length = [int][Math]::Max(0, [Math]::Min([long]$Count, $all.Length - $Offset))
    $bytes = [byte[]]::new($length)
    if ($length -gt 0) {
        [Array]::Copy($all, $Offset, $bytes, 0, $length)
    }
    @{ size = [long]$all.Length; bytes = $bytes; read = $length }
}

Function Get-WinSimMachineTempPath {
    <# Answers Get-EntraSyncMachineTempPath (_EntraSyncEvidence). #>
    $environment = Get-WinSimSection -Name environment
    if ($environment.Contains('machine_temp')) {
        return $environment['machine_temp']
    }
    'C:\Windows\TEMP'
}


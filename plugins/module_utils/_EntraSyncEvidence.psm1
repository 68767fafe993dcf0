# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Internal to hybrid_identity.entra_sync: bounded reads of event logs and text
# files (installer, Burn, MSI and trace logs). Read-only; every reader takes a
# size or count limit so a module never returns an unbounded amount of text.

Function ConvertTo-EntraSyncIsoTime {
    [CmdletBinding()]
    [OutputType([string])]
    param (
        [AllowNull()][object]$Value
    )

    if ($null -eq $Value) {
        return $null
    }
    ([DateTime]$Value).ToUniversalTime().ToString('o')
}

Function Get-EntraSyncEvent {
    <#
    .SYNOPSIS
    Events from one log as plain records, newest first, bounded by MaxEvents.
    .PARAMETER Id
    Event ids to match; all ids when omitted.
    .PARAMETER ProviderName
    Providers to match; all providers when omitted.
    .PARAMETER MessageFilter
    Keep only events whose message contains one of these strings (for example
    service names, since SCM events name the service only in their text).
    .PARAMETER Errors
    A list that receives a message when the log cannot be read (absent channel, access).
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][string]$LogName,
        [int[]]$Id,
        [string[]]$ProviderName,
        [Parameter(Mandatory)][DateTime]$Since,
        [int]$MaxEvents = 100,
        [string[]]$MessageFilter,
        [System.Collections.Generic.List[string]]$Errors
    )

    $filter = @{
        LogName = $LogName
        StartTime = $Since
    }
    if ($Id) {
        $filter.Id = $Id
    }
    if ($ProviderName) {
        $filter.ProviderName = $ProviderName
    }

    # Read more than asked when a message filter will drop some, but stay bounded.
    $readLimit = if ($MessageFilter) { $MaxEvents * 5 } else { $MaxEvents }
    try {
        $events = @(Get-WinEvent -FilterHashtable $filter -MaxEvents $readLimit -ErrorAction Stop)
    }
    catch [System.Exception] {
        # "No events were found that match the specified selection criteria." is not an error.
        if ($_.FullyQualifiedErrorId -notlike 'NoMatchingEventsFound*') {
            if ($null -ne $Errors) {
                $Errors.Add("Failed to read event log ${LogName}: $($_.Exception.Message)")
            }
        }
        return
    }

    $count = 0
    foreach ($event in $events) {
        $message = $null
        try {
            $message = $event.FormatDescription()
        }
        catch {
            $message = $null
        }
        if (-not $message) {
            $message = ($event.Properties | ForEach-Object { "$($_.Value)" }) -join ' | '
        }
        if ($MessageFilter) {
            $hit = $false
            foreach ($needle in $MessageFilter) {
                if ($message -and $message.IndexOf($needle, [StringComparison]::OrdinalIgnoreCase) -ge 0) {
                    $hit = $true
                    break
                }
            }
            if (-not $hit) {
                continue
            }
        }
        [ordered]@{
            log = $event.LogName
            provider = $event.ProviderName
            id = [int]$event.Id
            level = $event.LevelDisplayName
            time_created = ConvertTo-EntraSyncIsoTime -Value $event.TimeCreated
            message = $message
            record_id = $event.RecordId
        }
        $count++
        if ($count -ge $MaxEvents) {
            break
        }
    }
}

Function Read-EntraSyncFileRange {
    <#
    .SYNOPSIS
    Up to Count bytes of a file from Offset, and the file's size: @{ size; bytes; read } (read: how many of bytes are the file's).
    .DESCRIPTION
    Opens the file with shared read/write/delete so a log still being written can be read.
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][string]$Path,
        [Parameter(Mandatory)][long]$Offset,
        [Parameter(Mandatory)][int]$Count
    )

    $stream = [System.IO.File]::Open($Path, 'Open', 'Read', 'ReadWrite, Delete')
    try {
        $size = $stream.Length
        $length = [int][Math]::Max(0, [Math]::Min([long]$Count, $size - $Offset))
        $buffer = New-Object -TypeName byte[] -ArgumentList $length
        $null = $stream.Seek($Offset, 'Begin')
        $read = 0
        while ($read -lt $length) {
            $n = $stream.Read($buffer, $read, $length - $read)
            if ($n -le 0) {
                break
            }
            $read += $n
        }
        @{ size = [long]$size; bytes = $buffer; read = $read }
    }
    finally {
        $stream.Dispose()
    }
}

Function Read-EntraSyncFileTail {
    <#
    .SYNOPSIS
    The last MaxBytes of a text file (the end of an installer log holds the failure).
    .DESCRIPTION
    Returns @{ path; size; truncated; content }. Detects UTF-16 (MSI logs are often
    UTF-16 LE) by its byte order mark and never starts inside a UTF-16 character.
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][string]$Path,
        [Parameter(Mandatory)][long]$MaxBytes
    )

    $head = Read-EntraSyncFileRange -Path $Path -Offset 0 -Count 2
    $size = $head.size
    $unicode = $head.read -eq 2 -and $head.bytes[0] -eq 0xFF -and $head.bytes[1] -eq 0xFE

    $start = [Math]::Max(0, $size - $MaxBytes)
    if ($unicode -and ($start % 2) -ne 0) {
        $start++
    }
    if ($start -eq 0 -and $unicode) {
        $start = 2
    }
    $tail = Read-EntraSyncFileRange -Path $Path -Offset $start -Count ([int]($size - $start))
    $encoding = if ($unicode) { [System.Text.Encoding]::Unicode } else { [System.Text.Encoding]::UTF8 }
    $text = $encoding.GetString($tail.bytes, 0, $tail.read)
    if (-not $unicode -and $start -eq 0 -and $text.Length -gt 0 -and $text[0] -eq [char]0xFEFF) {
        $text = $text.Substring(1)
    }
    [ordered]@{
        path = $Path
        size = [long]$size
        truncated = $start -gt 0 -and -not ($unicode -and $start -eq 2)
        content = $text
    }
}

Function Get-EntraSyncMachineTempPath {
    <# The machine's TEMP folder (where the installer logs when it runs as SYSTEM); $null when unset. #>
    [CmdletBinding()]
    [OutputType([string])]
    param ()

    [System.Environment]::GetEnvironmentVariable('TEMP', 'Machine')
}

Function Find-EntraSyncInstallerLog {
    <#
    .SYNOPSIS
    Burn bundle and chained MSI logs of the agent installer written since a time.
    .DESCRIPTION
    The bundle logs to the system temp folder as <bundle name with _>_<yyyyMMddHHmmss>.log
    and each chained package to ..._<nnn>_<package>.log. The bundle name changed over
    time ("Microsoft Azure AD Connect Provisioning Agent Package", later "Microsoft Entra ..."),
    so both are matched. Returns @{ path; kind } newest first.
    #>
    [CmdletBinding()]
    param (
        [DateTime]$Since = [DateTime]::MinValue,
        [string[]]$Directory,
        [string[]]$ExtraPath
    )

    if (-not $Directory) {
        $Directory = @(
            Get-EntraSyncMachineTempPath
            "$env:SystemRoot\Temp"
            $env:TEMP
        ) | Where-Object { $_ } | Select-Object -Unique
    }
    $patterns = @(
        'Microsoft_Azure_AD_Connect_Provisioning_Agent*.log'
        'Microsoft_Entra*Provisioning_Agent*.log'
        'Microsoft_Entra_Connect_Provisioning_Agent*.log'
    )
    $seen = @{}
    $found = foreach ($dir in $Directory) {
        if (-not (Test-Path -LiteralPath $dir -PathType Container)) {
            continue
        }
        foreach ($pattern in $patterns) {
            Get-ChildItem -LiteralPath $dir -Filter $pattern -File -ErrorAction SilentlyContinue |
                Where-Object { $_.LastWriteTime -ge $Since }
        }
    }
    $found = @($found) + @(
        foreach ($p in $ExtraPath) {
            if ($p -and (Test-Path -LiteralPath $p -PathType Leaf)) {
                Get-Item -LiteralPath $p
            }
        }
    )
    foreach ($file in ($found | Sort-Object -Property LastWriteTime -Descending)) {
        if ($seen.ContainsKey($file.FullName)) {
            continue
        }
        $seen[$file.FullName] = $true
        # Chained package logs carry a _<nnn>_<package> suffix after the timestamp.
        $kind = if ($file.BaseName -match '_\d{14}_\d{3}_') { 'msi_log' }
        elseif ($file.BaseName -match '_\d{14}$') { 'burn_log' }
        else { 'installer_log' }
        [ordered]@{
            path = $file.FullName
            kind = $kind
        }
    }
}

Function Select-EntraSyncLogExcerpt {
    <#
    .SYNOPSIS
    The lines of a log that explain a failure: errors, failed actions, return value 3,
    and the lines just before each; bounded to MaxLines (the last ones are kept).
    #>
    [CmdletBinding()]
    param (
        [AllowEmptyString()][string]$Content,
        [int]$MaxLines = 40,
        [int]$Context = 2
    )

    if (-not $Content) {
        return
    }
    $lines = $Content -split "`r?`n"
    $pattern = 'error|fail|0x8007|return value 3|rollback|\]e\d{3}:|status: 1603'
    $keep = New-Object -TypeName 'System.Collections.Generic.SortedSet[int]'
    for ($i = 0; $i -lt $lines.Count; $i++) {
        if ($lines[$i] -match $pattern) {
            for ($j = [Math]::Max(0, $i - $Context); $j -le $i; $j++) {
                $null = $keep.Add($j)
            }
        }
    }
    $selected = @(foreach ($i in $keep) { $lines[$i] })
    if ($selected.Count -eq 0) {
        $selected = @($lines | Where-Object { $_ } | Select-Object -Last $MaxLines)
    }
    $selected | Select-Object -Last $MaxLines
}

$exportMembers = @{
    Function = @(
        'ConvertTo-EntraSyncIsoTime'
        'Find-EntraSyncInstallerLog'
        'Get-EntraSyncEvent'
        'Get-EntraSyncMachineTempPath'
        'Read-EntraSyncFileRange'
        'Read-EntraSyncFileTail'
        'Select-EntraSyncLogExcerpt'
    )
}
Export-ModuleMember @exportMembers

# Files on drive-letter paths: scenario section `files`, a map from a Windows path to
#   { "content": "text", "version": "1.1.1586.0", "last_write_time": "2026-12-01T10:00:00Z" }
# or { "directory": true }. A folder exists when listed or when a listed file lies below it.
# `version` is the file's ProductVersion (what FileVersionInfo reads on Windows).

Function ConvertTo-WinSimFilePath {
    param ([Parameter(Mandatory)][string]$Path)
    ($Path -replace '/', '\' -replace '\\+$', '')
}

Function Find-WinSimFile {
    param ([string]$Path)
    $canonical = ConvertTo-WinSimFilePath -Path $Path
    $files = Get-WinSimSection -Name files
    foreach ($key in $files.Keys) {
        if ((ConvertTo-WinSimFilePath -Path $key) -eq $canonical) {
            return $key
        }
    }
    $null
}

Function Test-WinSimFolder {
    param ([string]$Path)
    $canonical = ConvertTo-WinSimFilePath -Path $Path
    if ($canonical -match '^[A-Za-z]:$') {
        return $true
    }
    $files = Get-WinSimSection -Name files
    foreach ($key in $files.Keys) {
        $other = ConvertTo-WinSimFilePath -Path $key
        if (($other -eq $canonical -and $files[$key]['directory']) -or
            $other.StartsWith("$canonical\", [System.StringComparison]::OrdinalIgnoreCase)) {
            return $true
        }
    }
    $false
}

Function Test-WinSimFilePath {
    param ([string]$Path, $PathType)
    $isFile = $null -ne (Find-WinSimFile -Path $Path) -and -not (Get-WinSimSection -Name files)[(Find-WinSimFile -Path $Path)]['directory']
    $isFolder = Test-WinSimFolder -Path $Path
    switch ("$PathType") {
        'Leaf' { return $isFile }
        'Container' { return $isFolder }
        default { return $isFile -or $isFolder }
    }
}

Function New-WinSimFileObject {
    <# What Get-Item/Get-ChildItem return for a file or folder: the FileInfo members the modules use. #>
    param ([string]$Path)
    $canonical = ConvertTo-WinSimFilePath -Path $Path
    $key = Find-WinSimFile -Path $canonical
    $entry = if ($null -ne $key) { (Get-WinSimSection -Name files)[$key] } else { @{ directory = $true } }
    $isFolder = [bool]$entry['directory']
    $content = [string]$entry['content']
    $written = if ($entry['last_write_time']) { [datetime]::Parse($entry['last_write_time'], [cultureinfo]::InvariantCulture, 'AdjustToUniversal') } else { [datetime]'2026-01-01' }
    [pscustomobject]@{
        Name = $canonical.Split('\')[-1]
        FullName = $canonical
        DirectoryName = $canonical.Substring(0, [Math]::Max(0, $canonical.LastIndexOf('\')))
        Extension = if ($isFolder) { '' } else { [System.IO.Path]::GetExtension($canonical.Split('\')[-1]) }
        BaseName = if ($isFolder) { $canonical.Split('\')[-1] } else { [System.IO.Path]::GetFileNameWithoutExtension($canonical.Split('\')[-1]) }
        Length = if ($isFolder) { $null } else { [long][System.Text.Encoding]::UTF8.GetByteCount($content) }
        LastWriteTime = $written.ToLocalTime()
        LastWriteTimeUtc = $written
        PSIsContainer = $isFolder
        Mode = if ($isFolder) { 'd----' } else { '-a---' }
    }
}

Function Get-WinSimFileItem {
    param ([string]$Path, $Cmdlet)
    if (Test-WinSimFilePath -Path $Path) {
        return New-WinSimFileObject -Path $Path
    }
    Write-WinSimNotFound -Cmdlet $Cmdlet -Path $Path
}

Function Get-WinSimFileChild {
    param ([string]$Path, $Bound, $Cmdlet)
    # As on Windows: -Path with a wildcard in its leaf lists the matching children of its folder,
    # and a file's own path gives the file.
    $leaf = (ConvertTo-WinSimFilePath -Path $Path).Split('\')[-1]
    if (-not $Bound.ContainsKey('LiteralPath') -and [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($leaf)) {
        $folder = @{} + $Bound
        $folder['Filter'] = $leaf
        return Get-WinSimFileChild -Path (ConvertTo-WinSimFilePath -Path $Path).Substring(0, (ConvertTo-WinSimFilePath -Path $Path).Length - $leaf.Length - 1) -Bound $folder -Cmdlet $Cmdlet
    }
    if (Test-WinSimFilePath -Path $Path -PathType Leaf) {
        return New-WinSimFileObject -Path $Path
    }
    if (-not (Test-WinSimFolder -Path $Path)) {
        Write-WinSimNotFound -Cmdlet $Cmdlet -Path $Path
        return
    }
    $canonical = ConvertTo-WinSimFilePath -Path $Path
    $filter = if ($Bound.ContainsKey('Filter')) { [string]$Bound['Filter'] } else { '*' }
    $recurse = [bool]$Bound['Recurse']
    $seen = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
    foreach ($key in @((Get-WinSimSection -Name files).Keys)) {
        $other = ConvertTo-WinSimFilePath -Path $key
        if (-not $other.StartsWith("$canonical\", [System.StringComparison]::OrdinalIgnoreCase)) {
            continue
        }
        $rest = $other.Substring($canonical.Length + 1).Split('\')
        $paths = if ($recurse) {
            for ($i = 1; $i -le $rest.Count; $i++) { "$canonical\$($rest[0..($i - 1)] -join '\')" }
        }
        else {
            "$canonical\$($rest[0])"
        }
        foreach ($child in $paths) {
            if ($seen.Add($child) -and $child.Split('\')[-1] -like $filter) {
                $item = New-WinSimFileObject -Path $child
                if ((-not $Bound['File'] -or -not $item.PSIsContainer) -and (-not $Bound['Directory'] -or $item.PSIsContainer)) {
                    $item
                }
            }
        }
    }
}

Function New-WinSimFileItem {
    param ($Bound, [string]$Path, $Call)
    $files = Get-WinSimSection -Name files
    if ($null -eq (Find-WinSimFile -Path $Path)) {
        $files[(ConvertTo-WinSimFilePath -Path $Path)] = if ("$($Bound['ItemType'])" -eq 'Directory') { [ordered]@{ directory = $true } } else { [ordered]@{ content = [string]$Bound['Value'] } }
        Set-WinSimChanged -Call $Call
    }
    New-WinSimFileObject -Path $Path
}

Function Remove-WinSimFileItem {
    param ([string]$Path, $Bound, $Cmdlet, $Call)
    if (-not (Test-WinSimFilePath -Path $Path)) {
        Write-WinSimNotFound -Cmdlet $Cmdlet -Path $Path
        return
    }
    $canonical = ConvertTo-WinSimFilePath -Path $Path
    $files = Get-WinSimSection -Name files
    foreach ($key in @($files.Keys)) {
        $other = ConvertTo-WinSimFilePath -Path $key
        if ($other -eq $canonical -or $other.StartsWith("$canonical\", [System.StringComparison]::OrdinalIgnoreCase)) {
            $files.Remove($key)
        }
    }
    Set-WinSimChanged -Call $Call
}

Function Get-WinSimFileVersion {
    <# The ProductVersion the scenario gives a file, or $null when the file is absent or has none. #>
    param ([Parameter(Mandatory)][string]$Path)
    $key = Find-WinSimFile -Path $Path
    if ($null -eq $key) {
        return $null
    }
    (Get-WinSimSection -Name files)[$key]['version']
}

Function Get-WinSimFileContent {
    <# A file's text, or $null when absent. #>
    param ([Parameter(Mandatory)][string]$Path)
    $key = Find-WinSimFile -Path $Path
    if ($null -eq $key) {
        return $null
    }
    [string](Get-WinSimSection -Name files)[$key]['content']
}

Register-WinSimHandler -Command 'Get-Content' -Handler {
    param ($Bound, $SetName, $Cmdlet)
    foreach ($path in (Get-WinSimItemPath -Bound $Bound)) {
        $content = Get-WinSimFileContent -Path $path
        if ($null -eq $content) {
            Write-WinSimNotFound -Cmdlet $Cmdlet -Path $path
            continue
        }
        if ($Bound['Raw']) {
            $content
        }
        else {
            $content -split "`r?`n"
        }
    }
}

# Join-Path on a drive-letter path, as Windows joins it (Linux PowerShell would join with '/').
Register-WinSimHandler -Command 'Join-Path' -Handler {
    param ($Bound, $SetName, $Cmdlet)
    foreach ($parent in @($Bound['Path'])) {
        '{0}\{1}' -f ([string]$parent).TrimEnd('\', '/'), ([string]$Bound['ChildPath']).TrimStart('\', '/')
    }
}

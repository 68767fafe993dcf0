# The registry: scenario section `registry`, a map from key path to its values:
#   "registry": { "HKLM:\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full": { "Release": 528040 } }
# A key exists when it is listed or when a listed key lies below it. Numbers that fit a
# REG_DWORD come back as Int32, larger ones as Int64 (REG_QWORD), as the registry provider
# returns them. A value given as { "type": "expand_string", "value": "..." } keeps its kind.

Function ConvertTo-WinSimRegistryPath {
    <# 'HKLM:\X', 'Registry::HKEY_LOCAL_MACHINE\X', ... -> 'HKLM:\X' (no trailing separator). #>
    param ([Parameter(Mandatory)][string]$Path)
    $p = $Path -replace '^Microsoft\.PowerShell\.Core\\Registry::', '' -replace '^Registry::', ''
    $p = $p -replace '^HKEY_LOCAL_MACHINE', 'HKLM:' -replace '^HKEY_CURRENT_USER', 'HKCU:'
    $p = $p -replace '^(HKLM|HKCU):(?!\\)', '$1:\' -replace '/', '\' -replace '\\+$', ''
    if ($p -match '^(HKLM|HKCU):$') {
        $p += '\'
    }
    $p
}

Function Get-WinSimRegistryTable {
    # Key paths are compared without case (ConvertTo-WinSimRegistryPath + -eq), as Windows does.
    Get-WinSimSection -Name registry
}

Function Find-WinSimRegistryKey {
    <# The scenario's name for a key (its exact spelling), or $null. #>
    param ([string]$Path)
    $canonical = ConvertTo-WinSimRegistryPath -Path $Path
    foreach ($key in (Get-WinSimRegistryTable).Keys) {
        if ((ConvertTo-WinSimRegistryPath -Path $key) -eq $canonical) {
            return $key
        }
    }
    $null
}

Function Test-WinSimRegistryKey {
    param ([string]$Path)
    $canonical = ConvertTo-WinSimRegistryPath -Path $Path
    if ($canonical -match '^(HKLM|HKCU):\\$') {
        return $true
    }
    foreach ($key in (Get-WinSimRegistryTable).Keys) {
        $other = ConvertTo-WinSimRegistryPath -Path $key
        if ($other -eq $canonical -or $other.StartsWith("$canonical\", [System.StringComparison]::OrdinalIgnoreCase)) {
            return $true
        }
    }
    $false
}

Function Get-WinSimRegistryValues {
    <# The values of a key as an ordered map name -> raw scenario value (empty when the key has none). #>
    param ([string]$Path)
    $name = Find-WinSimRegistryKey -Path $Path
    if ($null -eq $name) {
        return [ordered]@{}
    }
    $values = (Get-WinSimRegistryTable)[$name]
    if ($null -eq $values) {
        return [ordered]@{}
    }
    $values
}

Function ConvertFrom-WinSimRegistryValue {
    <# A scenario value as the registry provider returns it. #>
    param ($Value)
    if ($Value -is [System.Collections.IDictionary] -and $Value.Contains('type')) {
        $inner = $Value.value
        switch ($Value.type) {
            # A REG_DWORD reads back as Int32: above 0x7FFFFFFF, negative.
            'dword' { return [BitConverter]::ToInt32([BitConverter]::GetBytes([uint32]$inner), 0) }
            'qword' { return [long]$inner }
            'multi_string' { return [string[]]@($inner) }
            'binary' { return [byte[]]@($inner) }
            default { return [string]$inner }
        }
    }
    if ($Value -is [long] -or $Value -is [int]) {
        if ($Value -ge [int]::MinValue -and $Value -le [int]::MaxValue) {
            return [int]$Value
        }
        if ($Value -ge 0 -and $Value -le [uint32]::MaxValue) {
            # A REG_DWORD above 0x7FFFFFFF reads back as a negative Int32.
            return [BitConverter]::ToInt32([BitConverter]::GetBytes([uint32]$Value), 0)
        }
        return [long]$Value
    }
    if ($Value -is [System.Collections.IList]) {
        return [string[]]@($Value)
    }
    $Value
}

Function Get-WinSimRegistrySubKeyName {
    param ([string]$Path)
    $canonical = (ConvertTo-WinSimRegistryPath -Path $Path).TrimEnd('\')
    $names = [System.Collections.Generic.SortedSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
    foreach ($key in (Get-WinSimRegistryTable).Keys) {
        $other = ConvertTo-WinSimRegistryPath -Path $key
        if ($other.StartsWith("$canonical\", [System.StringComparison]::OrdinalIgnoreCase)) {
            $null = $names.Add($other.Substring($canonical.Length + 1).Split('\')[0])
        }
    }
    @($names)
}

Function New-WinSimRegistryKeyObject {
    <# What Get-Item returns for a registry key: the RegistryKey members the modules use. #>
    param ([string]$Path)
    $canonical = ConvertTo-WinSimRegistryPath -Path $Path
    $values = Get-WinSimRegistryValues -Path $canonical
    $long = $canonical -replace '^HKLM:', 'HKEY_LOCAL_MACHINE' -replace '^HKCU:', 'HKEY_CURRENT_USER'
    $key = [pscustomobject]@{
        Name = $long.TrimEnd('\')
        PSPath = "Microsoft.PowerShell.Core\Registry::$($long.TrimEnd('\'))"
        PSChildName = $canonical.TrimEnd('\').Split('\')[-1]
        Property = [string[]]@($values.Keys)
        ValueCount = $values.Count
        SubKeyCount = @(Get-WinSimRegistrySubKeyName -Path $canonical).Count
        PSIsContainer = $true
    }
    $key | Add-Member -MemberType NoteProperty -Name WinSimPath -Value $canonical
    $key | Add-Member -MemberType ScriptMethod -Name GetValueNames -Value {
        [string[]]@((Get-WinSimRegistryValues -Path $this.WinSimPath).Keys)
    }
    $key | Add-Member -MemberType ScriptMethod -Name GetSubKeyNames -Value {
        [string[]]@(Get-WinSimRegistrySubKeyName -Path $this.WinSimPath)
    }
    # GetValue(name), GetValue(name, default), GetValue(name, default, options): as RegistryKey.
    $key | Add-Member -MemberType ScriptMethod -Name GetValue -Value {
        $values = Get-WinSimRegistryValues -Path $this.WinSimPath
        $name = [string]$args[0]
        foreach ($existing in $values.Keys) {
            if ($existing -eq $name) {
                return ConvertFrom-WinSimRegistryValue -Value $values[$existing]
            }
        }
        if ($args.Count -gt 1) {
            return $args[1]
        }
        $null
    }
    $key
}

Function Get-WinSimItemPath {
    <# The path a call names, from -LiteralPath or -Path (the first one). #>
    param ([System.Collections.IDictionary]$Bound)
    foreach ($name in 'LiteralPath', 'Path') {
        if ($Bound.ContainsKey($name) -and $null -ne $Bound[$name]) {
            return @($Bound[$name])
        }
    }
    @()
}

Function Test-WinSimRegistryPath {
    param ([string]$Path)
    $Path -match '^(HKLM:|HKCU:|HKEY_|(Microsoft\.PowerShell\.Core\\)?Registry::)'
}

Function Write-WinSimNotFound {
    param ($Cmdlet, [string]$Path)
    $record = New-WinSimError -Message "Cannot find path '$Path' because it does not exist." `
        -Type ([System.Management.Automation.ItemNotFoundException]) -Category ObjectNotFound -ErrorId 'PathNotFound,WinSim' -Target $Path
    $Cmdlet.WriteError($record)
}

Register-WinSimHandler -Command 'Test-Path' -Handler {
    param ($Bound, $SetName, $Cmdlet)
    foreach ($path in (Get-WinSimItemPath -Bound $Bound)) {
        if (Test-WinSimRegistryPath -Path $path) {
            Test-WinSimRegistryKey -Path $path
        }
        else {
            Test-WinSimFilePath -Path $path -PathType $Bound['PathType']
        }
    }
}

Register-WinSimHandler -Command 'Get-Item' -Handler {
    param ($Bound, $SetName, $Cmdlet)
    foreach ($path in (Get-WinSimItemPath -Bound $Bound)) {
        if (Test-WinSimRegistryPath -Path $path) {
            if (Test-WinSimRegistryKey -Path $path) {
                New-WinSimRegistryKeyObject -Path $path
            }
            else {
                Write-WinSimNotFound -Cmdlet $Cmdlet -Path $path
            }
        }
        else {
            Get-WinSimFileItem -Path $path -Cmdlet $Cmdlet
        }
    }
}

Register-WinSimHandler -Command 'Get-ChildItem' -Handler {
    param ($Bound, $SetName, $Cmdlet)
    foreach ($path in (Get-WinSimItemPath -Bound $Bound)) {
        if (Test-WinSimRegistryPath -Path $path) {
            if (-not (Test-WinSimRegistryKey -Path $path)) {
                Write-WinSimNotFound -Cmdlet $Cmdlet -Path $path
                continue
            }
            $base = (ConvertTo-WinSimRegistryPath -Path $path).TrimEnd('\')
            foreach ($child in (Get-WinSimRegistrySubKeyName -Path $path)) {
                New-WinSimRegistryKeyObject -Path "$base\$child"
            }
        }
        else {
            Get-WinSimFileChild -Path $path -Bound $Bound -Cmdlet $Cmdlet
        }
    }
}

Register-WinSimHandler -Command 'Get-ItemProperty' -Handler {
    param ($Bound, $SetName, $Cmdlet)
    foreach ($path in (Get-WinSimItemPath -Bound $Bound)) {
        if (-not (Test-WinSimRegistryKey -Path $path)) {
            Write-WinSimNotFound -Cmdlet $Cmdlet -Path $path
            continue
        }
        $key = New-WinSimRegistryKeyObject -Path $path
        $values = Get-WinSimRegistryValues -Path $path
        $wanted = if ($Bound.ContainsKey('Name')) { @($Bound['Name']) } else { @($values.Keys) }
        $result = [ordered]@{}
        foreach ($name in $wanted) {
            $found = @($values.Keys | Where-Object { $_ -eq $name })
            if (-not $found) {
                $record = New-WinSimError -Message "Property $name does not exist at path $($key.Name)." `
                    -Type ([System.Management.Automation.PSArgumentException]) -Category InvalidArgument -ErrorId 'System.Management.Automation.PSArgumentException,WinSim'
                $Cmdlet.WriteError($record)
                continue
            }
            $result[$found[0]] = ConvertFrom-WinSimRegistryValue -Value $values[$found[0]]
        }
        if ($result.Count -eq 0) {
            continue
        }
        $result.PSPath = $key.PSPath
        $result.PSChildName = $key.PSChildName
        [pscustomobject]$result
    }
}

Function Set-WinSimRegistryValue {
    param ([string]$Path, [string]$Name, $Value, [string]$Type)
    $table = Get-WinSimRegistryTable
    $key = Find-WinSimRegistryKey -Path $Path
    if ($null -eq $key) {
        $key = ConvertTo-WinSimRegistryPath -Path $Path
        $table[$key] = [ordered]@{}
    }
    if ($null -eq $table[$key]) {
        $table[$key] = [ordered]@{}
    }
    $existing = @($table[$key].Keys | Where-Object { $_ -eq $Name })
    $slot = if ($existing) { $existing[0] } else { $Name }
    $stored = switch -Regex ($Type) {
        '^(ExpandString|MultiString|Binary|QWord)$' { [ordered]@{ type = ($Type -creplace '([a-z])([A-Z])', '$1_$2').ToLowerInvariant(); value = $Value } }
        default { $Value }
    }
    $table[$key][$slot] = $stored
}

foreach ($command in 'Set-ItemProperty', 'New-ItemProperty') {
    Register-WinSimHandler -Command $command -Handler {
        param ($Bound, $SetName, $Cmdlet, $Call)
        foreach ($path in (Get-WinSimItemPath -Bound $Bound)) {
            if (-not (Test-WinSimRegistryKey -Path $path)) {
                Write-WinSimNotFound -Cmdlet $Cmdlet -Path $path
                continue
            }
            $type = if ($Bound.ContainsKey('PropertyType')) { [string]$Bound['PropertyType'] } elseif ($Bound.ContainsKey('Type')) { [string]$Bound['Type'] } else { '' }
            Set-WinSimRegistryValue -Path $path -Name $Bound['Name'] -Value $Bound['Value'] -Type $type
            Set-WinSimChanged -Call $Call
        }
    }
}

Register-WinSimHandler -Command 'New-Item' -Handler {
    param ($Bound, $SetName, $Cmdlet, $Call)
    foreach ($path in (Get-WinSimItemPath -Bound $Bound)) {
        if (-not (Test-WinSimRegistryPath -Path $path)) {
            New-WinSimFileItem -Bound $Bound -Path $path -Call $Call
            continue
        }
        if (-not (Test-WinSimRegistryKey -Path $path)) {
            (Get-WinSimRegistryTable)[(ConvertTo-WinSimRegistryPath -Path $path)] = [ordered]@{}
            Set-WinSimChanged -Call $Call
        }
        New-WinSimRegistryKeyObject -Path $path
    }
}

Register-WinSimHandler -Command 'Remove-ItemProperty' -Handler {
    param ($Bound, $SetName, $Cmdlet, $Call)
    foreach ($path in (Get-WinSimItemPath -Bound $Bound)) {
        $key = Find-WinSimRegistryKey -Path $path
        $values = if ($null -ne $key) { (Get-WinSimRegistryTable)[$key] } else { $null }
        foreach ($name in @($Bound['Name'])) {
            $found = if ($values) { @($values.Keys | Where-Object { $_ -eq $name }) } else { @() }
            if (-not $found) {
                $record = New-WinSimError -Message "Property $name does not exist at path $path." `
                    -Type ([System.Management.Automation.PSArgumentException]) -Category InvalidArgument
                $Cmdlet.WriteError($record)
                continue
            }
            $values.Remove($found[0])
            Set-WinSimChanged -Call $Call
        }
    }
}

Register-WinSimHandler -Command 'Remove-Item' -Handler {
    param ($Bound, $SetName, $Cmdlet, $Call)
    foreach ($path in (Get-WinSimItemPath -Bound $Bound)) {
        if (-not (Test-WinSimRegistryPath -Path $path)) {
            Remove-WinSimFileItem -Path $path -Bound $Bound -Cmdlet $Cmdlet -Call $Call
            continue
        }
        if (-not (Test-WinSimRegistryKey -Path $path)) {
            Write-WinSimNotFound -Cmdlet $Cmdlet -Path $path
            continue
        }
        $canonical = ConvertTo-WinSimRegistryPath -Path $path
        $table = Get-WinSimRegistryTable
        foreach ($key in @($table.Keys)) {
            $other = ConvertTo-WinSimRegistryPath -Path $key
            if ($other -eq $canonical -or $other.StartsWith("$canonical\", [System.StringComparison]::OrdinalIgnoreCase)) {
                $table.Remove($key)
            }
        }
        Set-WinSimChanged -Call $Call
    }
}

# CIM/WMI: scenario section `cim`, a map from "Class" (root\cimv2) or "namespace:Class" to
# its instances, e.g. "cim": { "Win32_OperatingSystem": [ { "Caption": "...", "BuildNumber": "17763" } ],
# "root\\rsop\\computer:RSOP_UserPrivilegeRight": [ ... ] }. Win32_Service comes from the
# `services` section (Services.ps1) unless the scenario lists it. A class the scenario does
# not list has no instances; a namespace no class of the scenario lives in fails as WMI
# does ("Invalid namespace"), unless it is root\cimv2.

Function Get-WinSimCimClass {
    param ([string]$Namespace, [string]$ClassName)
    $ns = if ($Namespace) { $Namespace.Replace('/', '\').TrimStart('\') } else { 'root\cimv2' }
    $cim = Get-WinSimSection -Name cim
    $namespaceKnown = $ns -eq 'root\cimv2'
    foreach ($key in $cim.Keys) {
        $keyNs, $keyClass = if ($key.Contains(':')) { $key.Split(':', 2) } else { 'root\cimv2', $key }
        if ($keyNs -eq $ns) {
            $namespaceKnown = $true
            if ($keyClass -eq $ClassName) {
                return @{ Known = $true; Instances = @($cim[$key]) }
            }
        }
    }
    if ($ns -eq 'root\cimv2' -and $ClassName -eq 'Win32_Service') {
        return @{ Known = $true; Instances = @(Get-WinSimServiceAsCim) }
    }
    @{ Known = $namespaceKnown; Instances = @() }
}

Function Test-WinSimWqlCondition {
    <# The WQL the modules use: A='x' [AND|OR B="y"] and LIKE with % wildcards; nothing else. #>
    param ($Instance, [string]$Condition)
    if (-not $Condition) {
        return $true
    }
    foreach ($alternative in ($Condition -split '\s+OR\s+')) {
        $all = $true
        foreach ($term in ($alternative -split '\s+AND\s+')) {
            if ($term -notmatch "^\s*\(?\s*(\w+)\s*(=|<>|!=|LIKE)\s*(['""])(.*)\3\s*\)?\s*$") {
                throw "WinSim: WQL condition not understood: '$term'"
            }
            $property, $operator, $value = $Matches[1], $Matches[2], ($Matches[4] -replace "''", "'" -replace '\\\\', '\')
            $actual = [string]$Instance[$property]
            $ok = switch ($operator) {
                '=' { $actual -eq $value }
                'LIKE' { $actual -like ($value -replace '%', '*' -replace '_', '?') }
                default { $actual -ne $value }
            }
            if (-not $ok) {
                $all = $false
                break
            }
        }
        if ($all) {
            return $true
        }
    }
    $false
}

Register-WinSimHandler -Command 'Get-CimInstance' -Handler {
    param ($Bound, $SetName, $Cmdlet)
    $className = $Bound['ClassName']
    $condition = $Bound['Filter']
    if ($Bound.ContainsKey('Query')) {
        if ($Bound['Query'] -notmatch '^\s*SELECT\s+.+?\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+))?\s*$') {
            throw "WinSim: WQL query not understood: '$($Bound['Query'])'"
        }
        $className, $condition = $Matches[1], $Matches[2]
    }
    $class = Get-WinSimCimClass -Namespace $Bound['Namespace'] -ClassName $className
    if (-not $class.Known) {
        $Cmdlet.WriteError((New-WinSimError -Kind invalid_namespace -ErrorId 'HRESULT 0x8004100e,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand'))
        return
    }
    foreach ($instance in $class.Instances) {
        if (Test-WinSimWqlCondition -Instance $instance -Condition $condition) {
            $copy = [ordered]@{}
            foreach ($key in $instance.Keys) {
                $copy[$key] = $instance[$key]
            }
            $copy.CimClass = $className
            [pscustomobject]$copy
        }
    }
}

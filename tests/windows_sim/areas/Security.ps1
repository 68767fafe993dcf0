# Accounts, user rights and the execution policy.
#   "accounts": { "S-1-5-80-0": "NT SERVICE\\ALL SERVICES", ... }   SID <-> name, as LSA translates
#   "rights":   { "SeServiceLogonRight": [ "S-1-5-80-0", ... ] }     holders, as LSA enumerates them
#   "execution_policy": { "MachinePolicy": "Undefined", "LocalMachine": "RemoteSigned", ... }
#   (an ExecutionPolicy value under HKLM:\SOFTWARE\Policies\Microsoft\Windows\PowerShell or
#   HKLM:\SOFTWARE\Microsoft\PowerShell\1\ShellIds\Microsoft.PowerShell wins for its scope, as on Windows)

Function Get-WinSimRightHolder {
    <# SIDs holding a right; a right the scenario does not list has none. #>
    param ([Parameter(Mandatory)][string]$Right)
    $rights = Get-WinSimSection -Name rights
    foreach ($key in $rights.Keys) {
        if ($key -eq $Right) {
            return [string[]]@($rights[$key])
        }
    }
    [string[]]@()
}

Function Get-WinSimAccountName {
    <# DOMAIN\name for a SID, or $null when the scenario cannot translate it (as an orphaned SID). #>
    param ([Parameter(Mandatory)][string]$Sid)
    $accounts = Get-WinSimSection -Name accounts
    foreach ($key in $accounts.Keys) {
        if ($key -eq $Sid) {
            return [string]$accounts[$key]
        }
    }
    $null
}

Function Get-WinSimAccountSid {
    <# The SID of DOMAIN\name (or name alone, matched on the part after the backslash), or $null. #>
    param ([Parameter(Mandatory)][string]$Name)
    if ($Name -match '^\*?(S-1-[0-9-]+)$') {
        return $Matches[1]
    }
    # ConvertTo-EntraSyncSid, which this answers for, names these two before it asks LSA.
    if ($Name -eq 'LocalSystem') {
        $Name = 'NT AUTHORITY\SYSTEM'
    }
    elseif ($Name.StartsWith('.\')) {
        $Name = "$env:COMPUTERNAME\$($Name.Substring(2))"
    }
    $accounts = Get-WinSimSection -Name accounts
    foreach ($key in $accounts.Keys) {
        $account = [string]$accounts[$key]
        if ($account -eq $Name -or ($Name -notmatch '\\' -and $account.Split('\')[-1] -eq $Name)) {
            return $key
        }
    }
    $null
}

$script:PolicyScopes = 'MachinePolicy', 'UserPolicy', 'Process', 'CurrentUser', 'LocalMachine'
$script:PolicyKeys = [ordered]@{
    MachinePolicy = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\PowerShell'
    LocalMachine = 'HKLM:\SOFTWARE\Microsoft\PowerShell\1\ShellIds\Microsoft.PowerShell'
}

Register-WinSimHandler -Command 'Get-ExecutionPolicy' -Handler {
    param ($Bound, $SetName, $Cmdlet)
    $policy = Get-WinSimSection -Name execution_policy
    $of = {
        param($scope)
        # Windows keeps the two machine scopes in the registry: a value there wins (what win_regedit set).
        if ($script:PolicyKeys.Contains($scope)) {
            $values = Get-WinSimRegistryValues -Path $script:PolicyKeys[$scope]
            foreach ($name in $values.Keys) {
                if ($name -eq 'ExecutionPolicy' -and $values[$name]) {
                    return [string]$values[$name]
                }
            }
        }
        if ($policy.Contains($scope)) { [string]$policy[$scope] } else { 'Undefined' }
    }
    if ($Bound['List']) {
        foreach ($scope in $script:PolicyScopes) {
            [pscustomobject]@{ Scope = $scope; ExecutionPolicy = & $of $scope }
        }
        return
    }
    if ($Bound.ContainsKey('Scope')) {
        return & $of ([string]$Bound['Scope'])
    }
    # The effective policy: the first defined scope in precedence order; Windows Server's default is RemoteSigned.
    foreach ($scope in $script:PolicyScopes) {
        $value = & $of $scope
        if ($value -ne 'Undefined') {
            return $value
        }
    }
    'RemoteSigned'
}

# Accounts as service_account_info reads them: AD over LDAP (ADSI), local users (WinNT
# provider), and the managed-account flag `sc.exe qmanagedaccount` prints.
#   "directory": {
#     "accounts": { "svc-adsync": { "userAccountControl": 512, "msDS-User-Account-Control-Computed": 0,
#                   "pwdLastSet": 133813261230000000, "accountExpires": 9223372036854775807,
#                   "objectClass": ["top", "person", "organizationalPerson", "user"] } },
#     "requires_credential": true    # a bind without one fails (the WinRM double hop)
#   }
#   "local_accounts": { "svc-local": { "UserFlags": 513, "PasswordAge": 86400, "PasswordExpired": 0,
#                       "IsAccountLocked": false, "AccountExpirationDate": null } }
#   services[].ManagedAccount: true | false      (sc.exe qmanagedaccount)
# An attribute left out of an account is one the bind could not read ($null), as ADSI gives it.
# pwdLastSet and accountExpires come back as IADsLargeInteger does: two signed 32-bit halves.
# Failures: { "command": "Get-EntraSyncDirectoryAccount", "error": "rpc_unavailable",
#             "message": "The server is not operational.", "terminating": true }

if (-not ('WinSim.AdsLargeInteger' -as [type])) {
    Add-Type -TypeDefinition @'
namespace WinSim {
    // What IADsLargeInteger exposes: HighPart and LowPart, both signed.
    public sealed class AdsLargeInteger {
        public int HighPart { get; set; }
        public int LowPart { get; set; }
    }
}
'@
}

Function ConvertTo-WinSimLargeInteger {
    <# An Int64 as ADSI hands it over: the halves of its bytes, each a signed Int32. #>
    param ([Parameter(Mandatory)][Int64]$Value)
    $bytes = [BitConverter]::GetBytes($Value)
    [WinSim.AdsLargeInteger]@{ LowPart = [BitConverter]::ToInt32($bytes, 0); HighPart = [BitConverter]::ToInt32($bytes, 4) }
}

Function Find-WinSimNamedEntry {
    <# The entry of a map whose key equals Name without case, or $null. #>
    param ([System.Collections.IDictionary]$Map, [string]$Name)
    foreach ($key in $Map.Keys) {
        if ($key -eq $Name) {
            return $Map[$key]
        }
    }
    $null
}

Function Get-WinSimDirectoryAccount {
    <# Answers Get-EntraSyncDirectoryAccount (_EntraSyncDirectory): the raw attributes of an account, or $null. #>
    [CmdletBinding()]
    param ([string]$Root, [string]$SamAccountName, $BindCredential)
    $bound = [ordered]@{ Root = $Root; SamAccountName = $SamAccountName }
    if ($BindCredential) {
        $bound.BindCredential = $BindCredential
    }
    Invoke-WinSimCommand -Command 'Get-EntraSyncDirectoryAccount' -Bound $bound -Cmdlet $PSCmdlet
}

Register-WinSimHandler -Command 'Get-EntraSyncDirectoryAccount' -Handler {
    param ($Bound, $SetName, $Cmdlet)
    $directory = Get-WinSimSection -Name directory
    if ($directory['requires_credential'] -and -not $Bound['BindCredential']) {
        # What a bind as the network logon of a WinRM session gets: no credential to pass on.
        throw [System.Runtime.InteropServices.COMException]::new('An operations error occurred.', [int]0x80072020)
    }
    $accounts = if ($directory.Contains('accounts')) { $directory.accounts } else { @{} }
    $account = Find-WinSimNamedEntry -Map $accounts -Name $Bound.SamAccountName
    if ($null -eq $account) {
        return $null
    }
    $attributes = @{}
    foreach ($name in 'userAccountControl', 'msDS-User-Account-Control-Computed', 'pwdLastSet', 'accountExpires', 'objectClass') {
        $value = if ($account.Contains($name)) { $account[$name] } else { $null }
        $attributes[$name] = if ($null -eq $value) { $null }
        elseif ($name -in 'pwdLastSet', 'accountExpires') { ConvertTo-WinSimLargeInteger -Value ([Int64]$value) }
        elseif ($name -eq 'objectClass') { [string[]]@($value) }
        else { [int]$value }
    }
    $attributes
}

Function Get-WinSimLocalAccount {
    <# Answers Get-EntraSyncLocalAccount (_EntraSyncDirectory): the WinNT provider's properties of a local user. #>
    param ([string]$Name)
    $account = Find-WinSimNamedEntry -Map (Get-WinSimSection -Name local_accounts) -Name $Name
    if ($null -eq $account) {
        throw [System.Runtime.InteropServices.COMException]::new('The user name could not be found.', [int]0x800708AD)
    }
    @{
        UserFlags = [int]$account['UserFlags']
        PasswordAge = [int]$account['PasswordAge']
        PasswordExpired = [int]$account['PasswordExpired']
        IsAccountLocked = [bool]$account['IsAccountLocked']
        AccountExpirationDate = if ($account['AccountExpirationDate']) {
            [datetime]::Parse($account['AccountExpirationDate'], [cultureinfo]::InvariantCulture, 'AdjustToUniversal')
        }
    }
}

Function Invoke-WinSimScExe {
    <#
    The lines `sc.exe qmanagedaccount <service>` prints. The label "MANAGED ACCOUNT" is the one
    the collection parses; on a real host it is unverified (issue 11, item 5).
    #>
    $verb, $name = $args
    if ($verb -ne 'qmanagedaccount') {
        throw "WinSim: sc.exe $verb is not simulated"
    }
    $service = @(Get-WinSimServiceList | Where-Object { $_.Name -eq $name })
    if (-not $service) {
        $global:LASTEXITCODE = 1060
        '[SC] OpenService FAILED 1060:'
        ''
        'The specified service does not exist as an installed service.'
        return
    }
    $global:LASTEXITCODE = 0
    '[SC] QueryManagedAccount SUCCESS'
    ''
    "SERVICE_NAME: $($service[0].Name)"
    '        MANAGED ACCOUNT     : {0}' -f $(if ($service[0]['ManagedAccount']) { 'TRUE' } else { 'FALSE' })
}

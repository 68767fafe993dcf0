#!powershell

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ..module_utils._EntraSyncCommon

$spec = @{
    options = @{
        name = @{ type = 'list'; elements = 'str'; required = $true }
        domain_server = @{ type = 'str' }
        domain_username = @{ type = 'str' }
        domain_password = @{ type = 'str'; no_log = $true }
    }
    required_together = @(
        , @('domain_username', 'domain_password')
    )
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$names = $module.Params.name
$domainServer = $module.Params.domain_server
$domainUsername = $module.Params.domain_username
$domainPassword = $module.Params.domain_password
$module.Result.changed = $false

# userAccountControl and msDS-User-Account-Control-Computed flags.
$UF_ACCOUNTDISABLE = 0x2
$UF_LOCKOUT = 0x10
$UF_PASSWORD_EXPIRED = 0x800000
$NeverExpires = [Int64]::MaxValue

Function Get-AccountKind {
    param ([string]$StartName)
    if (-not $StartName) { return 'unknown' }
    if ($StartName -eq 'LocalSystem' -or $StartName -match '^NT AUTHORITY\\') { return 'builtin' }
    if ($StartName -match '^NT SERVICE\\') { return 'virtual' }
    if ($StartName.EndsWith('$')) { return 'gmsa' }
    if ($StartName -match '\\|@') { return 'user' }
    'unknown'
}

Function ConvertFrom-FileTime {
    param ($Value)
    if ($null -eq $Value) { return $null }
    $ticks = [Int64]$Value
    if ($ticks -le 0 -or $ticks -eq $NeverExpires) { return $null }
    [DateTime]::FromFileTimeUtc($ticks).ToString('yyyy-MM-ddTHH:mm:ssZ')
}

Function Get-LargeInteger {
    # ADSI returns Int64 attributes as IADsLargeInteger COM objects.
    param ($Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [Int64] -or $Value -is [int]) { return [Int64]$Value }
    $high = $Value.GetType().InvokeMember('HighPart', 'GetProperty', $null, $Value, $null)
    $low = $Value.GetType().InvokeMember('LowPart', 'GetProperty', $null, $Value, $null)
    ([Int64]$high -shl 32) + [UInt32]$low
}

Function Get-DomainAccountStatus {
    param ([string]$StartName, [hashtable]$Account)

    $domainPart, $samName = if ($StartName -match '^(?<d>[^\\]+)\\(?<u>.+)$') { $Matches.d, $Matches.u }
    elseif ($StartName -match '^(?<u>[^@]+)@(?<d>.+)$') { $Matches.d, $Matches.u }
    $root = if ($domainServer) { "LDAP://$domainServer" } else { "LDAP://$domainPart" }
    $entry = if ($domainUsername) {
        New-Object -TypeName System.DirectoryServices.DirectoryEntry -ArgumentList $root, $domainUsername, $domainPassword
    }
    else {
        New-Object -TypeName System.DirectoryServices.DirectoryEntry -ArgumentList $root
    }
    $searcher = New-Object -TypeName System.DirectoryServices.DirectorySearcher -ArgumentList $entry
    $searcher.Filter = "(sAMAccountName=$($samName -replace '([\\*()])', '\$1'))"
    $null = $searcher.PropertiesToLoad.AddRange([string[]]@('distinguishedName', 'objectClass'))
    $found = $searcher.FindOne()
    if (-not $found) {
        throw "no account named $samName was found in $root"
    }
    $object = $found.GetDirectoryEntry()
    # A constructed attribute: only returned when asked for by name on the object itself.
    $object.RefreshCache([string[]]@('userAccountControl', 'msDS-User-Account-Control-Computed', 'pwdLastSet',
            'accountExpires', 'objectClass'))

    $uac = [int]$object.Properties['userAccountControl'].Value
    $computed = [int]$object.Properties['msDS-User-Account-Control-Computed'].Value
    $pwdLastSet = Get-LargeInteger -Value $object.Properties['pwdLastSet'].Value
    $expires = Get-LargeInteger -Value $object.Properties['accountExpires'].Value
    $classes = @($object.Properties['objectClass'])

    if ($classes -contains 'msDS-GroupManagedServiceAccount' -or $classes -contains 'msDS-ManagedServiceAccount') {
        $Account.kind = 'gmsa'
    }
    elseif ($classes -contains 'user') {
        $Account.kind = 'user'
    }
    $Account.enabled = -not ($uac -band $UF_ACCOUNTDISABLE)
    $Account.locked_out = [bool]($computed -band $UF_LOCKOUT)
    $Account.password_expired = [bool]($computed -band $UF_PASSWORD_EXPIRED)
    $Account.must_change_password = $Account.kind -eq 'user' -and $pwdLastSet -eq 0
    $Account.password_last_set = ConvertFrom-FileTime -Value $pwdLastSet
    $Account.account_expires = ConvertFrom-FileTime -Value $expires
    $Account.expired = $null -ne $Account.account_expires -and [DateTime]::FromFileTimeUtc($expires) -lt [DateTime]::UtcNow
}

Function Get-LocalAccountStatus {
    param ([string]$UserName, [hashtable]$Account)

    $user = [ADSI]"WinNT://$env:COMPUTERNAME/$UserName,user"
    $flags = [int]$user.UserFlags.Value
    $Account.enabled = -not ($flags -band $UF_ACCOUNTDISABLE)
    $Account.locked_out = [bool]$user.IsAccountLocked.Value
    # WinNT PasswordExpired is 1 both when the password expired and when it must be changed at next logon.
    $passwordAge = [int]$user.PasswordAge.Value
    $Account.password_expired = [int]$user.PasswordExpired.Value -eq 1 -and $passwordAge -gt 0
    $Account.must_change_password = [int]$user.PasswordExpired.Value -eq 1 -and $passwordAge -eq 0
    $Account.password_last_set = [DateTime]::UtcNow.AddSeconds(-$passwordAge).ToString('yyyy-MM-ddTHH:mm:ssZ')
    $accountExpiration = $null
    try { $accountExpiration = $user.InvokeGet('AccountExpirationDate') } catch { $accountExpiration = $null }
    if ($accountExpiration -and ([DateTime]$accountExpiration).Year -gt 1970) {
        $Account.account_expires = ([DateTime]$accountExpiration).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
        $Account.expired = ([DateTime]$accountExpiration) -lt [DateTime]::Now
    }
    else {
        $Account.account_expires = $null
        $Account.expired = $false
    }
}

$module.Result.services = @(
    foreach ($serviceName in $names) {
        $fact = Get-EntraSyncServiceFact -Name $serviceName
        $entry = [ordered]@{
            name = $fact.name
            exists = $fact.exists
            state = $fact.state
            start_mode = $fact.start_mode
            start_name = $fact.start_name
            managed_account = $fact.managed_account
            account = $null
        }
        if ($fact.exists) {
            $startName = $fact.start_name
            $account = @{
                name = $startName
                sid = ConvertTo-EntraSyncSid -Name $startName
                kind = Get-AccountKind -StartName $startName
                enabled = $null; locked_out = $null; expired = $null; password_expired = $null
                must_change_password = $null; password_last_set = $null; account_expires = $null
            }
            if ($account.sid) {
                $resolved = ConvertTo-EntraSyncAccountName -Sid $account.sid
                if ($resolved) {
                    $account.name = $resolved
                }
            }
            if ($account.kind -in @('user', 'gmsa')) {
                $isLocal = $startName -match '^\.\\' -or $startName -match "^$([Regex]::Escape($env:COMPUTERNAME))\\"
                try {
                    if ($isLocal) {
                        Get-LocalAccountStatus -UserName ($startName -replace '^[^\\]*\\', '') -Account $account
                    }
                    else {
                        Get-DomainAccountStatus -StartName $startName -Account $account
                    }
                }
                catch {
                    $account.kind = 'unknown'
                    $module.Warn("Failed to read account status of ${startName}: $($_.Exception.Message)")
                }
            }
            $entry.account = [ordered]@{
                name = $account.name
                sid = $account.sid
                kind = $account.kind
                enabled = $account.enabled
                locked_out = $account.locked_out
                expired = $account.expired
                password_expired = $account.password_expired
                must_change_password = $account.must_change_password
                password_last_set = $account.password_last_set
                account_expires = $account.account_expires
            }
        }
        $entry
    }
)

$module.ExitJson()

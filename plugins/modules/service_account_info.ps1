#!powershell

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ..module_utils._EntraSyncCommon
#AnsibleRequires -PowerShell ..module_utils._EntraSyncDirectory
#AnsibleRequires -PowerShell ..module_utils._DomainConnection

$spec = @{
    options = @{
        name = @{ type = 'list'; elements = 'str'; required = $true }
    }
    supports_check_mode = $true
}
# domain_server, domain_username, domain_password: shared with gmsa_host(_info) (doc fragment domain_connection).
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec, @(Get-EntraSyncDomainConnectionSpec))

$names = $module.Params.name
$domainServer = $module.Params.domain_server
# The password goes into a NetworkCredential by a .NET constructor, never as a command
# parameter: Module Logging (event 4103) records command parameters in clear text.
$bindCredential = if ($module.Params.domain_username) {
    [System.Net.NetworkCredential]::new($module.Params.domain_username, $module.Params.domain_password)
}
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

Function ConvertFrom-LargeInteger {
    # ADSI returns Int64 attributes as IADsLargeInteger COM objects: two signed 32-bit halves.
    # The low half is negative whenever its top bit is set (accountExpires "never" =
    # 0x7FFFFFFFFFFFFFFF, about half of all pwdLastSet values), so the halves are joined by
    # their bytes, never by arithmetic on a [UInt32] cast, which throws for a negative low half.
    param ($Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [Int64] -or $Value -is [int]) { return [Int64]$Value }
    $type = $Value.GetType()
    $high = [int]$type.InvokeMember('HighPart', 'GetProperty', $null, $Value, $null)
    $low = [int]$type.InvokeMember('LowPart', 'GetProperty', $null, $Value, $null)
    [BitConverter]::ToInt64([byte[]]([BitConverter]::GetBytes($low) + [BitConverter]::GetBytes($high)), 0)
}

Function Get-DomainAccountStatus {
    param ([string]$StartName, [hashtable]$Account)

    $domainPart, $samName = if ($StartName -match '^(?<d>[^\\]+)\\(?<u>.+)$') { $Matches.d, $Matches.u }
    elseif ($StartName -match '^(?<u>[^@]+)@(?<d>.+)$') { $Matches.d, $Matches.u }
    if (-not $samName) {
        throw "the logon account names no domain (DOMAIN\name or name@domain expected)"
    }
    $root = if ($domainServer) { "LDAP://$domainServer" } else { "LDAP://$domainPart" }
    $attributes = Get-EntraSyncDirectoryAccount -Root $root -SamAccountName $samName -BindCredential $bindCredential
    if ($null -eq $attributes) {
        throw "no account named $samName was found in $root"
    }
    $uac = $attributes['userAccountControl']
    if ($null -eq $uac) {
        # Nothing about the account can be judged without its flags (a bind that may not read them).
        throw "userAccountControl of $samName could not be read from $root"
    }
    $classes = @($attributes['objectClass'])
    if ($classes -contains 'msDS-GroupManagedServiceAccount' -or $classes -contains 'msDS-ManagedServiceAccount') {
        $Account.kind = 'gmsa'
    }
    elseif ($classes -contains 'user') {
        $Account.kind = 'user'
    }
    $Account.enabled = -not ([int]$uac -band $UF_ACCOUNTDISABLE)

    $computed = $attributes['msDS-User-Account-Control-Computed']
    if ($null -eq $computed) {
        $module.Warn("msDS-User-Account-Control-Computed of $samName could not be read from ${root}: locked_out and password_expired are unknown")
    }
    else {
        $Account.locked_out = [bool]([int]$computed -band $UF_LOCKOUT)
        $Account.password_expired = [bool]([int]$computed -band $UF_PASSWORD_EXPIRED)
    }

    $pwdLastSet = ConvertFrom-LargeInteger -Value $attributes['pwdLastSet']
    if ($null -eq $pwdLastSet) {
        $module.Warn("pwdLastSet of $samName could not be read from ${root}: must_change_password and password_last_set are unknown")
    }
    else {
        $Account.must_change_password = $Account.kind -eq 'user' -and $pwdLastSet -eq 0
        $Account.password_last_set = ConvertFrom-FileTime -Value $pwdLastSet
    }

    $expires = ConvertFrom-LargeInteger -Value $attributes['accountExpires']
    if ($null -eq $expires) {
        $module.Warn("accountExpires of $samName could not be read from ${root}: expired and account_expires are unknown")
    }
    else {
        # 0 and 0x7FFFFFFFFFFFFFFF both mean "never".
        $Account.account_expires = ConvertFrom-FileTime -Value $expires
        $Account.expired = $null -ne $Account.account_expires -and [DateTime]::FromFileTimeUtc($expires) -lt [DateTime]::UtcNow
    }
}

Function Get-LocalAccountStatus {
    param ([string]$UserName, [hashtable]$Account)

    $user = Get-EntraSyncLocalAccount -Name $UserName
    $flags = [int]$user.UserFlags
    $Account.enabled = -not ($flags -band $UF_ACCOUNTDISABLE)
    $Account.locked_out = [bool]$user.IsAccountLocked
    # WinNT PasswordExpired is 1 both when the password expired and when it must be changed at next logon.
    $passwordAge = [int]$user.PasswordAge
    $Account.password_expired = [int]$user.PasswordExpired -eq 1 -and $passwordAge -gt 0
    $Account.must_change_password = [int]$user.PasswordExpired -eq 1 -and $passwordAge -eq 0
    $Account.password_last_set = [DateTime]::UtcNow.AddSeconds(-$passwordAge).ToString('yyyy-MM-ddTHH:mm:ssZ')
    $accountExpiration = $user.AccountExpirationDate
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
        if (-not $fact.exists) {
            # The fact reads Win32_Service quietly, so a failed read looks like an absent service:
            # the service control manager confirms the absence, else the existence is unknown.
            try {
                $null = Get-Service -Name $serviceName -ErrorAction Stop
                $entry.exists = $null
                $module.Warn("Win32_Service of $serviceName could not be read although the service exists; its configuration is unknown")
            }
            catch {
                if ($_.FullyQualifiedErrorId -notlike 'NoServiceFoundForGivenName*') {
                    $entry.exists = $null
                    $module.Warn("Whether the service $serviceName exists could not be read: $($_.Exception.Message)")
                }
            }
        }
        if ($fact.exists) {
            $startName = $fact.start_name
            $account = @{
                name = $startName
                sid = $null
                kind = Get-AccountKind -StartName $startName
                enabled = $null; locked_out = $null; expired = $null; password_expired = $null
                must_change_password = $null; password_last_set = $null; account_expires = $null
            }
            if ($startName) {
                $account.sid = ConvertTo-EntraSyncSid -Name $startName
            }
            else {
                $module.Warn("The logon account of $($fact.name) could not be read; its status is unknown")
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
                    # Nothing read is nothing judged: every status back to null, never a guess.
                    foreach ($status in @('enabled', 'locked_out', 'expired', 'password_expired', 'must_change_password', 'password_last_set', 'account_expires')) {
                        $account[$status] = $null
                    }
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

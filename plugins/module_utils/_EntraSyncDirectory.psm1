# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Internal to hybrid_identity.entra_sync: the ADSI reads of service_account_info, each one
# function whose whole body is the Windows-only call (LDAP or WinNT provider), so that the
# judgement above them (large integers, flags, dates) is plain PowerShell.
# No secret is ever a command parameter here: a bind password arrives inside a
# System.Net.NetworkCredential and goes to DirectoryEntry's constructor, a .NET method call,
# which Module Logging (event 4103) does not record.

Function Get-EntraSyncDirectoryAccount {
    <#
    .SYNOPSIS
    The raw attributes of one account found by sAMAccountName under an LDAP root; $null when no account has that name.
    .DESCRIPTION
    Returns a hashtable attribute -> value as ADSI gives it: Int32 for userAccountControl and
    msDS-User-Account-Control-Computed (a constructed attribute, only returned when asked for by
    name on the object itself), an IADsLargeInteger COM object for pwdLastSet and accountExpires,
    a string array for objectClass. A missing attribute (no read permission) is $null.
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][string]$Root,
        [Parameter(Mandatory)][string]$SamAccountName,
        [System.Net.NetworkCredential]$BindCredential
    )

    $entry = if ($BindCredential) {
        [System.DirectoryServices.DirectoryEntry]::new($Root, $BindCredential.UserName, $BindCredential.Password)
    }
    else {
        [System.DirectoryServices.DirectoryEntry]::new($Root)
    }
    $searcher = [System.DirectoryServices.DirectorySearcher]::new($entry)
    $searcher.Filter = "(sAMAccountName=$($SamAccountName -replace '([\\*()])', '\$1'))"
    $null = $searcher.PropertiesToLoad.Add('distinguishedName')
    $found = $searcher.FindOne()
    if (-not $found) {
        return $null
    }
    $object = $found.GetDirectoryEntry()
    $names = [string[]]@('userAccountControl', 'msDS-User-Account-Control-Computed', 'pwdLastSet', 'accountExpires', 'objectClass')
    $object.RefreshCache($names)
    $attributes = @{}
    foreach ($name in $names) {
        $values = $object.Properties[$name]
        $attributes[$name] = if ($null -eq $values -or $values.Count -eq 0) { $null }
        elseif ($name -eq 'objectClass') { [string[]]@($values) }
        else { $values.Value }
    }
    $attributes
}

Function Get-EntraSyncLocalAccount {
    <#
    .SYNOPSIS
    The WinNT provider's view of a local user: @{ UserFlags; PasswordAge; PasswordExpired; IsAccountLocked; AccountExpirationDate }.
    .DESCRIPTION
    AccountExpirationDate is $null when the account never expires (the provider then throws on read).
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][string]$Name
    )

    $user = [ADSI]"WinNT://$env:COMPUTERNAME/$Name,user"
    $expiration = try { $user.InvokeGet('AccountExpirationDate') } catch { $null }
    @{
        UserFlags = $user.UserFlags.Value
        PasswordAge = $user.PasswordAge.Value
        PasswordExpired = $user.PasswordExpired.Value
        IsAccountLocked = $user.InvokeGet('IsAccountLocked')
        AccountExpirationDate = $expiration
    }
}

$exportMembers = @{
    Function = @(
        'Get-EntraSyncDirectoryAccount'
        'Get-EntraSyncLocalAccount'
    )
}
Export-ModuleMember @exportMembers

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Internal to hybrid_identity.entra_sync: who holds a user right on this host
# (LSA) and which Group Policy object defines it (RSoP). Read-only.

#AnsibleRequires -CSharpUtil ..module_utils._EntraSyncNative
#AnsibleRequires -PowerShell ..module_utils._EntraSyncCommon

$script:RightDisplayName = @{
    SeServiceLogonRight = 'Log on as a service'
    SeBatchLogonRight = 'Log on as a batch job'
    SeInteractiveLogonRight = 'Allow log on locally'
    SeNetworkLogonRight = 'Access this computer from the network'
    SeRemoteInteractiveLogonRight = 'Allow log on through Remote Desktop Services'
    SeDenyServiceLogonRight = 'Deny log on as a service'
    SeDenyBatchLogonRight = 'Deny log on as a batch job'
    SeDenyInteractiveLogonRight = 'Deny log on locally'
    SeDenyNetworkLogonRight = 'Deny access to this computer from the network'
    SeDenyRemoteInteractiveLogonRight = 'Deny log on through Remote Desktop Services'
}

Function Get-EntraSyncRightDisplayName {
    [CmdletBinding()]
    [OutputType([string])]
    param (
        [Parameter(Mandatory)][string]$Right
    )

    if ($script:RightDisplayName.ContainsKey($Right)) {
        return $script:RightDisplayName[$Right]
    }
    $null
}

Function Get-EntraSyncRightHolderSid {
    <#
    .SYNOPSIS
    SID strings holding a user right, from LSA (LsaEnumerateAccountsWithUserRight); the one native call.
    #>
    [CmdletBinding()]
    [OutputType([string[]])]
    param (
        [Parameter(Mandatory)][string]$Right
    )

    [EntraSync.LsaRights]::GetHolders($Right)
}

Function Get-EntraSyncRightHolder {
    <#
    .SYNOPSIS
    Holders of a user right as a list of @{ sid; name } (name $null when the SID does not translate).
    .PARAMETER Unresolved
    A list that receives the SIDs that could not be translated, so the caller can warn.
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][string]$Right,
        [System.Collections.Generic.List[string]]$Unresolved
    )

    foreach ($sid in (Get-EntraSyncRightHolderSid -Right $Right)) {
        $name = ConvertTo-EntraSyncAccountName -Sid $sid
        if ($null -eq $name -and $null -ne $Unresolved) {
            $Unresolved.Add($sid)
        }
        [ordered]@{
            sid = $sid
            name = $name
        }
    }
}

Function ConvertTo-EntraSyncGpoGuid {
    <#
    .SYNOPSIS
    The {GUID} of a GPO from an RSoP GPO id ("CN={GUID},CN=Policies,CN=System,DC=...").
    #>
    [CmdletBinding()]
    param (
        [AllowNull()][string]$GpoId
    )

    if ($GpoId -match '\{[0-9A-Fa-f-]{36}\}') {
        return $Matches[0].ToUpperInvariant()
    }
    $GpoId
}

Function Get-EntraSyncRsopUserRight {
    <#
    .SYNOPSIS
    The winning (precedence 1) domain GPO setting for each user right, read from RSoP.
    .DESCRIPTION
    Reads root\rsop\computer RSOP_UserPrivilegeRight joined to RSOP_GPO. Returns a
    hashtable: Available (bool), Error (string or $null), Rights (hashtable keyed by
    right constant -> @{ defined; name; id; precedence; account_list }).
    Only rights defined by a GPO appear in Rights. The local security policy is not
    a GPO and is not reported here (the LSA holders show its effect).
    Needs administrative rights; the RSoP namespace holds data only after a Group
    Policy refresh in a domain.
    #>
    [CmdletBinding()]
    param ()

    $result = @{
        Available = $false
        Error = $null
        Rights = @{}
    }
    try {
        $settings = @(Get-CimInstance -Namespace 'root\rsop\computer' -ClassName RSOP_UserPrivilegeRight -ErrorAction Stop)
        $gpos = @(Get-CimInstance -Namespace 'root\rsop\computer' -ClassName RSOP_GPO -ErrorAction Stop)
    }
    catch {
        $result.Error = $_.Exception.Message
        return $result
    }
    $result.Available = $true

    $gpoById = @{}
    foreach ($gpo in $gpos) {
        if ($gpo.id) {
            $gpoById[$gpo.id] = $gpo
        }
    }

    foreach ($setting in $settings) {
        if ($setting.precedence -ne 1) {
            continue
        }
        if ($setting.GPOID -eq 'LocalGPO') {
            continue
        }
        $gpo = $gpoById[$setting.GPOID]
        $result.Rights[$setting.UserRight] = [ordered]@{
            defined = $true
            name = if ($gpo) { $gpo.name } else { $null }
            id = ConvertTo-EntraSyncGpoGuid -GpoId $setting.GPOID
            precedence = [int]$setting.precedence
            account_list = @($setting.AccountList | Where-Object { $_ })
        }
    }
    $result
}

$exportMembers = @{
    Function = @(
        'ConvertTo-EntraSyncGpoGuid'
        'Get-EntraSyncRightDisplayName'
        'Get-EntraSyncRightHolder'
        'Get-EntraSyncRightHolderSid'
        'Get-EntraSyncRsopUserRight'
    )
}
Export-ModuleMember @exportMembers

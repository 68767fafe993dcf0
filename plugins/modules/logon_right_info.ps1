#!powershell

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ..module_utils._EntraSyncCommon
#AnsibleRequires -PowerShell ..module_utils._LogonRight

$spec = @{
    options = @{
        rights = @{
            type = 'list'
            elements = 'str'
            default = @(
                'SeServiceLogonRight'
                'SeBatchLogonRight'
                'SeInteractiveLogonRight'
                'SeDenyServiceLogonRight'
                'SeDenyBatchLogonRight'
                'SeDenyInteractiveLogonRight'
            )
        }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$requested = $module.Params.rights
foreach ($right in $requested) {
    if ($right -notmatch '^Se[A-Za-z]+(Right|Privilege)$') {
        $module.FailJson("rights entries must be user right constants such as SeServiceLogonRight, got '$right'")
    }
}
$module.Result.changed = $false

# RSoP: which domain GPO defines each right. A workgroup host has no domain GPO,
# so RSoP is not consulted there and the holders alone describe the state.
$partOfDomain = $false
try {
    $partOfDomain = [bool](Get-CimInstance -ClassName Win32_ComputerSystem -ErrorAction Stop).PartOfDomain
}
catch {
    $module.Warn("Failed to read domain membership: $($_.Exception.Message)")
}
$rsop = @{ Available = $false; Error = $null; Rights = @{} }
if ($partOfDomain) {
    $rsop = Get-EntraSyncRsopUserRight
    if (-not $rsop.Available) {
        $module.Warn("RSoP data could not be read from root\rsop\computer: $($rsop.Error)")
    }
}
else {
    $module.Warn('RSoP data could not be read from root\rsop\computer: the host is not joined to a domain')
}
$module.Result.rsop_available = [bool]$rsop.Available

$unresolved = [System.Collections.Generic.List[string]]@()
$rights = [ordered]@{}
foreach ($right in ($requested | Select-Object -Unique)) {
    $holders = @()
    try {
        $holders = @(Get-EntraSyncRightHolder -Right $right -Unresolved $unresolved)
    }
    catch {
        $module.FailJson("Failed to read the holders of ${right}: $($_.Exception.Message)", $_)
    }
    $gpo = $rsop.Rights[$right]
    if (-not $gpo) {
        $gpo = [ordered]@{ defined = $false; name = $null; id = $null; precedence = $null; account_list = @() }
    }
    $rights[$right] = [ordered]@{
        name = $right
        display_name = Get-EntraSyncRightDisplayName -Right $right
        holders = $holders
        gpo = $gpo
    }
}
foreach ($sid in ($unresolved | Select-Object -Unique)) {
    $module.Warn("Failed to translate SID $sid to an account name: the SID has no account this host can resolve")
}
$module.Result.rights = $rights

$module.ExitJson()

#!powershell

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ..module_utils._DomainConnection
#AnsibleRequires -PowerShell ..module_utils._GmsaHost

$spec = @{
    options = @{
        name = @{ type = 'str'; required = $true }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec, @(Get-EntraSyncDomainConnectionSpec))

$name = ConvertTo-EntraSyncGmsaName -Name $module.Params.name
if (-not $name) {
    $module.FailJson("name must be the sAMAccountName of a gMSA (at most 15 characters before the trailing '`$'), got '$($module.Params.name)'")
}

$module.Result.changed = $false
$fact = Get-EntraSyncGmsaFact -Module $module -Name $name -Connection (Get-EntraSyncDomainConnectionParameter -Module $module)
foreach ($key in $fact.Keys) {
    $module.Result[$key] = $fact[$key]
}
$module.ExitJson()

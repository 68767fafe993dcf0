#!powershell

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ..module_utils._DomainConnection
#AnsibleRequires -PowerShell ..module_utils._GmsaHost

$spec = @{
    options = @{
        name = @{ type = 'str'; required = $true }
        state = @{ type = 'str'; choices = @('present', 'absent', 'query'); default = 'present' }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec, @(Get-EntraSyncDomainConnectionSpec))

$state = $module.Params.state
$name = ConvertTo-EntraSyncGmsaName -Name $module.Params.name
if (-not $name) {
    $module.FailJson("name must be the sAMAccountName of a gMSA (at most 15 characters before the trailing '`$'), got '$($module.Params.name)'")
}
if ($state -eq 'query') {
    $module.Deprecate('gmsa_host state=query is deprecated: use hybrid_identity.entra_sync.gmsa_host_info, which returns the same facts', '2.0.0', 'hybrid_identity.entra_sync')
}

$module.Result.changed = $false
$fact = Get-EntraSyncGmsaFact -Module $module -Name $name -Connection (Get-EntraSyncDomainConnectionParameter -Module $module)
foreach ($key in $fact.Keys) {
    $module.Result[$key] = $fact[$key]
}

if ($state -eq 'present') {
    if ($fact.installed -eq $true) {
        # Installing again does not make an unusable gMSA usable (its causes are in AD or the host's
        # Kerberos policy), and would report a change on every run.
        if ($fact.usable -ne $true) {
            $module.Warn("gMSA $name is installed here but Test-ADServiceAccount does not return True (usable: $($fact.usable)); see can_retrieve_password and the encryption types")
        }
        $module.ExitJson()
    }
    if ($null -eq $fact.installed) {
        $module.FailJson("Failed to install gMSA ${name}: whether it is installed on this host could not be read")
    }
    if ($fact.exists -eq $false) {
        $module.FailJson("Failed to install gMSA ${name}: the account does not exist in AD")
    }
    if ($fact.exists -ne $true) {
        # Never "not found" from a read that failed: say what is unknown and why.
        $reason = if ($fact.ad_error) { $fact.ad_error.message } else { 'no AD read' }
        $module.FailJson("Failed to install gMSA ${name}: whether it exists in AD is unknown, because AD could not be read: $reason")
    }
    $module.Diff.before = @{ installed = $fact.installed; usable = $fact.usable }
    $module.Diff.after = @{ installed = $true; usable = $true }
    if (-not $module.CheckMode) {
        try {
            Install-ADServiceAccount -Identity $name -ErrorAction Stop
        }
        catch {
            $module.Result.install_error = Get-EntraSyncErrorFact -ErrorRecord $_
            $module.FailJson("Failed to install gMSA ${name}: $($_.Exception.Message)", $_)
        }
        $module.Result.installed = $true
        try {
            $module.Result.usable = [bool](Test-ADServiceAccount -Identity $name -ErrorAction Stop -WarningAction SilentlyContinue)
        }
        catch {
            $module.Result.usable = $null
            $module.Warn("Test-ADServiceAccount $name failed after the install, so whether it is usable here is unknown: $($_.Exception.Message)")
        }
        if ($module.Result.usable -eq $false) {
            $module.Warn("gMSA $name was installed but Test-ADServiceAccount still returns False on this host")
        }
    }
    $module.Result.changed = $true
}
elseif ($state -eq 'absent') {
    if ($null -eq $fact.installed) {
        $module.FailJson("Failed to uninstall gMSA ${name}: whether it is installed on this host could not be read")
    }
    if ($fact.installed) {
        if ($fact.ad_module_available -ne $true) {
            $module.FailJson("Failed to uninstall gMSA ${name}: the ActiveDirectory PowerShell module (RSAT-AD-PowerShell) is not available")
        }
        $module.Diff.before = @{ installed = $true }
        $module.Diff.after = @{ installed = $false }
        if (-not $module.CheckMode) {
            try {
                Uninstall-ADServiceAccount -Identity $name -ErrorAction Stop
            }
            catch {
                $module.FailJson("Failed to uninstall gMSA ${name}: $($_.Exception.Message)", $_)
            }
            $module.Result.installed = $false
        }
        $module.Result.changed = $true
    }
}

$module.ExitJson()

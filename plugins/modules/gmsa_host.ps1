#!powershell

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -CSharpUtil ..module_utils._EntraSyncNative
#AnsibleRequires -PowerShell ..module_utils._EntraSyncCommon

$spec = @{
    options = @{
        name = @{ type = 'str'; required = $true }
        state = @{ type = 'str'; choices = @('query', 'present', 'absent'); default = 'query' }
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

$name = $module.Params.name
$state = $module.Params.state
if ($name -match '\\') {
    $name = $name.Split('\')[-1]
}
if (-not $name.EndsWith('$')) {
    $name = "$name$"
}
if ($name -notmatch '^[^"/\\\[\]:;|=,+*?<>@ ]{1,15}\$$') {
    $module.FailJson("name must be the sAMAccountName of a gMSA (at most 15 characters before the trailing '`$'), got '$($module.Params.name)'")
}

# Kerberos encryption type bits that matter for the overlap (DES-CBC-CRC, DES-CBC-MD5, RC4, AES128, AES256).
$EncryptionMask = 0x1F
# Windows' behaviour when SupportedEncryptionTypes is not set: RC4, AES128, AES256.
$HostDefaultEncryption = 0x1C

$module.Result.changed = $false
$module.Result.name = $name
$module.Result.exists = $null
$module.Result.usable = $null
$module.Result.installed = $null
$module.Result.host_encryption_types = $null
$module.Result.account_encryption_types = $null
$module.Result.encryption_overlap = $null
$module.Result.encryption_types_compatible = $null
$module.Result.can_retrieve_password = $null
$module.Result.principals_allowed_to_retrieve = @()

# --- host side ------------------------------------------------------------------
$hostValue = Get-EntraSyncRegistryValue -Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System\Kerberos\Parameters' -Name 'SupportedEncryptionTypes'
if ($null -ne $hostValue) {
    $module.Result.host_encryption_types = [int64][BitConverter]::ToUInt32([BitConverter]::GetBytes([int]$hostValue), 0)
}

try {
    $module.Result.installed = [EntraSync.ServiceAccountNative]::IsInstalled($name)
}
catch {
    $module.Warn("Failed to test whether $name is installed on this host: $($_.Exception.Message)")
}

# --- AD side ---------------------------------------------------------------------
if (-not (Get-Module -ListAvailable -Name ActiveDirectory)) {
    $module.Warn('The ActiveDirectory PowerShell module is not installed (RSAT-AD-PowerShell); gMSA facts cannot be read')
    if ($state -ne 'query') {
        $module.FailJson("Failed to $(if ($state -eq 'present') { 'install' } else { 'uninstall' }) gMSA ${name}: the ActiveDirectory PowerShell module (RSAT-AD-PowerShell) is not installed")
    }
    $module.ExitJson()
}
Import-Module -Name ActiveDirectory -ErrorAction Stop

$adParams = @{}
if ($module.Params.domain_server) {
    $adParams.Server = $module.Params.domain_server
}
if ($module.Params.domain_username) {
    $adParams.Credential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList @(
        $module.Params.domain_username,
        (ConvertTo-SecureString -String $module.Params.domain_password -AsPlainText -Force)
    )
}

$account = $null
try {
    $account = Get-ADServiceAccount @adParams -Identity $name -Properties @(
        'msDS-SupportedEncryptionTypes', 'PrincipalsAllowedToRetrieveManagedPassword'
    ) -ErrorAction Stop
    $module.Result.exists = $true
}
catch [Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException] {
    $module.Result.exists = $false
}
catch {
    $module.Warn("Failed to read gMSA $name from AD: $($_.Exception.Message)")
}

if ($account) {
    $accountValue = $account.'msDS-SupportedEncryptionTypes'
    if ($null -ne $accountValue) {
        $module.Result.account_encryption_types = [int64]$accountValue
        $hostEffective = if ($null -ne $module.Result.host_encryption_types) {
            $module.Result.host_encryption_types
        }
        else {
            $module.Warn('Kerberos SupportedEncryptionTypes is not set on this host; assuming the OS default (RC4, AES128, AES256)')
            $HostDefaultEncryption
        }
        $overlap = [int64]($hostEffective -band $accountValue -band $EncryptionMask)
        $module.Result.encryption_overlap = $overlap
        $module.Result.encryption_types_compatible = $overlap -ne 0
    }
    else {
        $module.Warn("gMSA $name has no msDS-SupportedEncryptionTypes; the domain default applies and the overlap is not computed")
    }

    # Who may retrieve the password, and is this computer one of them (directly or through a group)?
    $allowedSids = [System.Collections.Generic.HashSet[string]]@()
    $module.Result.principals_allowed_to_retrieve = @(
        foreach ($dn in $account.PrincipalsAllowedToRetrieveManagedPassword) {
            try {
                $principal = Get-ADObject @adParams -Identity $dn -Properties objectSid -ErrorAction Stop
                $null = $allowedSids.Add($principal.objectSid.Value)
                $resolved = ConvertTo-EntraSyncAccountName -Sid $principal.objectSid.Value
                if ($resolved) { $resolved } else { $dn }
            }
            catch {
                $dn
            }
        }
    )
    try {
        $computer = Get-ADComputer @adParams -Identity $env:COMPUTERNAME -ErrorAction Stop
        # tokenGroups (constructed, base-scope only) holds every nested group of the computer.
        $tokenGroups = (Get-ADObject @adParams -Identity $computer.DistinguishedName -Properties tokenGroups -ErrorAction Stop).tokenGroups
        $computerSids = @($computer.SID.Value) + @($tokenGroups | ForEach-Object { $_.Value })
        $module.Result.can_retrieve_password = [bool](@($computerSids | Where-Object { $allowedSids.Contains($_) }).Count)
    }
    catch {
        $module.Warn("Failed to read this computer's groups from AD: $($_.Exception.Message)")
    }

    try {
        $module.Result.usable = [bool](Test-ADServiceAccount -Identity $name -ErrorAction Stop -WarningAction SilentlyContinue)
    }
    catch {
        $module.Result.usable = $false
        $module.Warn("Test-ADServiceAccount $name failed: $($_.Exception.Message)")
    }
}
elseif ($module.Result.exists -eq $false) {
    $module.Result.usable = $false
}

# --- change ------------------------------------------------------------------------
$before = $module.Result.installed
if ($state -eq 'present' -and -not ($module.Result.installed -and $module.Result.usable)) {
    if ($module.Result.exists -ne $true) {
        $module.FailJson("Failed to install gMSA ${name}: the account was not found in AD")
    }
    $module.Diff.before = @{ installed = [bool]$before }
    $module.Diff.after = @{ installed = $true }
    if (-not $module.CheckMode) {
        try {
            Install-ADServiceAccount -Identity $name -ErrorAction Stop
        }
        catch {
            $module.FailJson("Failed to install gMSA ${name}: $($_.Exception.Message)", $_)
        }
        $module.Result.installed = $true
        $module.Result.usable = [bool](Test-ADServiceAccount -Identity $name -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
    }
    $module.Result.changed = $true
}
elseif ($state -eq 'absent' -and $module.Result.installed) {
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

$module.ExitJson()

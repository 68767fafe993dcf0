# Active Directory as the ActiveDirectory and Kds modules show it: scenario section `active_directory`:
#   "active_directory": {
#     "module_installed": true,            # RSAT-AD-PowerShell present (Import-Module ActiveDirectory)
#     "server_down": false,                # no domain controller answers (ADServerDownException)
#     "domain_dn": "DC=contoso,DC=com",
#     "objects": { "<DN>": { "objectClass": "msDS-GroupManagedServiceAccount", "sAMAccountName": "provAgentgMSA$",
#                            "objectSid": "S-1-5-21-...", "msDS-SupportedEncryptionTypes": 24,
#                            "PrincipalsAllowedToRetrieveManagedPassword": ["<DN>"], "tokenGroups": ["<SID>"] } },
#     "installed_service_accounts": ["provAgentgMSA$"],   # this host's NetIsServiceAccount view
#     "kds_root_keys": [ { "KeyId": "...", "EffectiveTime": "..." } ]
#   }
# Test-ADServiceAccount is true when the account is installed here, this computer (or one of its
# groups) may retrieve the password, and the host's and the account's encryption types overlap.

if (-not ('Microsoft.ActiveDirectory.Management.ADException' -as [type])) {
    Add-Type -TypeDefinition @'
namespace Microsoft.ActiveDirectory.Management
{
    public class ADException : System.InvalidOperationException
    {
        public ADException(string message) : base(message) { }
    }
    public class ADIdentityNotFoundException : ADException
    {
        public ADIdentityNotFoundException(string message) : base(message) { }
    }
    public class ADServerDownException : ADException
    {
        public ADServerDownException(string message) : base(message) { }
    }
}
'@
}

Function Get-WinSimAdSection {
    $ad = Get-WinSimSection -Name active_directory
    foreach ($key in 'objects') {
        if (-not $ad.Contains($key)) {
            $ad[$key] = [ordered]@{}
        }
    }
    if (-not $ad.Contains('installed_service_accounts')) {
        $ad['installed_service_accounts'] = [System.Collections.Generic.List[object]]::new()
    }
    $ad
}

Function Import-WinSimActiveDirectoryModule {
    <# Serves Import-EntraSyncActiveDirectoryModule: Import-Module's error when RSAT-AD-PowerShell is missing. #>
    $ad = Get-WinSimAdSection
    if (-not ($ad.Contains('module_installed') -and $ad.module_installed)) {
        throw [System.IO.FileNotFoundException]::new("The specified module 'ActiveDirectory' was not loaded because no valid module file was found in any module directory.")
    }
}

Function Test-WinSimServiceAccountInstalled {
    <# Serves Test-EntraSyncServiceAccountInstalled (NetIsServiceAccount). #>
    param ([Parameter(Mandatory)][string]$Name)
    $installed = @((Get-WinSimAdSection).installed_service_accounts)
    [bool]($installed | Where-Object { $_ -eq $Name })
}

Function Find-WinSimAdObject {
    <# The DN of the object an -Identity names (DN, sAMAccountName with or without '$', SID), or $null. #>
    param ([string]$Identity)
    $objects = (Get-WinSimAdSection).objects
    foreach ($dn in $objects.Keys) {
        $object = $objects[$dn]
        $sam = if ($object.Contains('sAMAccountName')) { [string]$object.sAMAccountName } else { '' }
        if ($dn -eq $Identity -or ($sam -and ($sam -eq $Identity -or $sam -eq "$Identity$")) -or
            ($object.Contains('objectSid') -and $object.objectSid -eq $Identity)) {
            return $dn
        }
    }
    $null
}

Function Write-WinSimAdError {
    param ($Cmdlet, [string]$Kind, [string]$Identity)
    $ad = Get-WinSimAdSection
    $record = switch ($Kind) {
        'server_down' {
            [System.Management.Automation.ErrorRecord]::new(
                [Microsoft.ActiveDirectory.Management.ADServerDownException]::new('Unable to contact the server. This may be because this server does not exist, it is currently down, or it does not have the Active Directory Web Services running.'),
                'ActiveDirectoryServer:0,Microsoft.ActiveDirectory.Management.Commands.GetADServiceAccount', 'ResourceUnavailable', $Identity)
        }
        'not_found' {
            $under = if ($ad.Contains('domain_dn')) { $ad.domain_dn } else { 'DC=contoso,DC=com' }
            [System.Management.Automation.ErrorRecord]::new(
                [Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException]::new("Cannot find an object with identity: '$Identity' under: '$under'."),
                'ActiveDirectoryCmdlet:Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException', 'ObjectNotFound', $Identity)
        }
    }
    $Cmdlet.WriteError($record)
}

Function Test-WinSimAdServerDown {
    $ad = Get-WinSimAdSection
    $ad.Contains('server_down') -and $ad.server_down
}

Function ConvertTo-WinSimAdObject {
    <# An AD object as the Get-AD* cmdlets return it: the default properties and those asked for. #>
    param ([string]$Dn, [string[]]$Properties)
    $object = (Get-WinSimAdSection).objects[$Dn]
    $sid = if ($object.Contains('objectSid')) { [pscustomobject]@{ Value = [string]$object.objectSid } } else { $null }
    $out = [ordered]@{
        DistinguishedName = $Dn
        Name = ($Dn -replace '^CN=([^,]+),.*$', '$1')
        ObjectClass = $object['objectClass']
        SamAccountName = $object['sAMAccountName']
        SID = $sid
    }
    foreach ($property in @($Properties | Where-Object { $_ })) {
        if ($property -eq 'objectSid') {
            $out.objectSid = $sid
        }
        elseif ($property -eq 'tokenGroups') {
            $out.tokenGroups = @(@($object['tokenGroups']) | Where-Object { $_ } | ForEach-Object { [pscustomobject]@{ Value = [string]$_ } })
        }
        elseif ($object.Contains($property)) {
            $out[$property] = $object[$property]
        }
        else {
            $out[$property] = $null
        }
    }
    [pscustomobject]$out
}

$script:AdGetHandler = {
    param ($Bound, $SetName, $Cmdlet)
    if (Test-WinSimAdServerDown) {
        Write-WinSimAdError -Cmdlet $Cmdlet -Kind server_down -Identity ([string]$Bound['Identity'])
        return
    }
    if (-not $Bound.ContainsKey('Identity')) {
        throw 'WinSim: only -Identity lookups are simulated for the Get-AD* cmdlets'
    }
    $identity = [string]$Bound['Identity']
    $dn = Find-WinSimAdObject -Identity $identity
    if (-not $dn) {
        Write-WinSimAdError -Cmdlet $Cmdlet -Kind not_found -Identity $identity
        return
    }
    ConvertTo-WinSimAdObject -Dn $dn -Properties @($Bound['Properties'])
}
foreach ($command in 'Get-ADServiceAccount', 'Get-ADComputer', 'Get-ADObject') {
    Register-WinSimHandler -Command $command -Handler $script:AdGetHandler
}

Function Get-WinSimComputerSid {
    <# This computer's SID and every group SID of its token, from its AD object. #>
    $dn = Find-WinSimAdObject -Identity $env:COMPUTERNAME
    if (-not $dn) {
        return @()
    }
    $object = (Get-WinSimAdSection).objects[$dn]
    @([string]$object['objectSid']) + @(@($object['tokenGroups']) | Where-Object { $_ })
}

Function Test-WinSimGmsaRetrievable {
    <# Whether this computer may retrieve the gMSA's password (directly or through a group). #>
    param ([string]$Dn)
    $objects = (Get-WinSimAdSection).objects
    $allowed = foreach ($principal in @($objects[$Dn]['PrincipalsAllowedToRetrieveManagedPassword'])) {
        if ($principal -and $objects.Contains($principal)) { [string]$objects[$principal]['objectSid'] }
    }
    $mine = Get-WinSimComputerSid
    [bool](@($mine | Where-Object { $_ -and $allowed -contains $_ }).Count)
}

Function Test-WinSimGmsaEncryptionOverlap {
    <# The host's SupportedEncryptionTypes policy (OS default RC4|AES128|AES256 when unset) against the account's. #>
    param ([string]$Dn)
    $policy = Get-WinSimRegistryValues -Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System\Kerberos\Parameters'
    $hostTypes = if ($policy.Contains('SupportedEncryptionTypes')) { [int64]$policy['SupportedEncryptionTypes'] } else { 0x1C }
    $object = (Get-WinSimAdSection).objects[$Dn]
    $accountTypes = if ($null -ne $object['msDS-SupportedEncryptionTypes']) { [int64]$object['msDS-SupportedEncryptionTypes'] } else { 0x1C }
    ($hostTypes -band $accountTypes -band 0x1F) -ne 0
}

Register-WinSimHandler -Command 'Test-ADServiceAccount' -Handler {
    param ($Bound, $SetName, $Cmdlet)
    if (Test-WinSimAdServerDown) {
        Write-WinSimAdError -Cmdlet $Cmdlet -Kind server_down -Identity ([string]$Bound['Identity'])
        return
    }
    $identity = [string]$Bound['Identity']
    $dn = Find-WinSimAdObject -Identity $identity
    if (-not $dn) {
        Write-WinSimAdError -Cmdlet $Cmdlet -Kind not_found -Identity $identity
        return
    }
    $sam = [string](Get-WinSimAdSection).objects[$dn]['sAMAccountName']
    (Test-WinSimServiceAccountInstalled -Name $sam) -and (Test-WinSimGmsaRetrievable -Dn $dn) -and (Test-WinSimGmsaEncryptionOverlap -Dn $dn)
}

Register-WinSimHandler -Command 'Install-ADServiceAccount' -Handler {
    param ($Bound, $SetName, $Cmdlet, $Call)
    if (Test-WinSimAdServerDown) {
        Write-WinSimAdError -Cmdlet $Cmdlet -Kind server_down -Identity ([string]$Bound['Identity'])
        return
    }
    $identity = [string]$Bound['Identity']
    $dn = Find-WinSimAdObject -Identity $identity
    if (-not $dn) {
        Write-WinSimAdError -Cmdlet $Cmdlet -Kind not_found -Identity $identity
        return
    }
    if (-not (Test-WinSimGmsaRetrievable -Dn $dn)) {
        $Cmdlet.WriteError([System.Management.Automation.ErrorRecord]::new(
                [Microsoft.ActiveDirectory.Management.ADException]::new("Cannot install service account. Error Message: 'Access Denied'."),
                'InstallADServiceAccount:PerformOperation,Microsoft.ActiveDirectory.Management.Commands.InstallADServiceAccount', 'WriteError', $identity))
        return
    }
    $ad = Get-WinSimAdSection
    $sam = [string]$ad.objects[$dn]['sAMAccountName']
    if (-not (Test-WinSimServiceAccountInstalled -Name $sam)) {
        $ad['installed_service_accounts'] = @(@($ad.installed_service_accounts) + $sam)
    }
    Set-WinSimChanged -Call $Call
}

Register-WinSimHandler -Command 'Uninstall-ADServiceAccount' -Handler {
    param ($Bound, $SetName, $Cmdlet, $Call)
    $identity = [string]$Bound['Identity']
    $sam = (ConvertTo-WinSimAdSam -Identity $identity)
    $ad = Get-WinSimAdSection
    $ad['installed_service_accounts'] = @(@($ad.installed_service_accounts) | Where-Object { $_ -ne $sam })
    Set-WinSimChanged -Call $Call
}

Function ConvertTo-WinSimAdSam {
    param ([string]$Identity)
    $dn = Find-WinSimAdObject -Identity $Identity
    if ($dn) { return [string](Get-WinSimAdSection).objects[$dn]['sAMAccountName'] }
    if ($Identity.EndsWith('$')) { $Identity } else { "$Identity$" }
}

Register-WinSimHandler -Command 'Get-KdsRootKey' -Handler {
    param ($Bound, $SetName, $Cmdlet)
    $ad = Get-WinSimAdSection
    foreach ($key in @($ad['kds_root_keys'])) {
        if ($key) { [pscustomobject]$key }
    }
}

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil ..module_utils._EntraSyncNative
#AnsibleRequires -PowerShell ..module_utils._EntraSyncCommon

# Internal to hybrid_identity.entra_sync: what this host and AD say about one gMSA, for
# gmsa_host_info (reads) and gmsa_host (installs). Raw values only: whether the encryption
# types overlap is judged in Python (plugin_utils), not here. A read that fails gives $null
# (unknown) with a warning and the raw error, never "absent".

Function Import-EntraSyncActiveDirectoryModule {
    <#
    .SYNOPSIS
    Loads the ActiveDirectory PowerShell module (RSAT-AD-PowerShell); throws when it is not installed.
    #>
    [CmdletBinding()]
    param ()

    Import-Module -Name ActiveDirectory -ErrorAction Stop
}

Function Test-EntraSyncServiceAccountInstalled {
    <#
    .SYNOPSIS
    Whether a managed service account is installed on this host (netapi32 NetIsServiceAccount).
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param (
        [Parameter(Mandatory)][string]$Name
    )

    [EntraSync.ServiceAccountNative]::IsInstalled($Name)
}

Function ConvertTo-EntraSyncGmsaName {
    <#
    .SYNOPSIS
    The sAMAccountName of a gMSA from what a user writes (DOMAIN\name, name, name$); $null when it cannot be one.
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][string]$Name
    )

    $short = $Name.Split('\')[-1]
    if (-not $short.EndsWith('$')) {
        $short = "$short$"
    }
    if ($short -notmatch '^[^"/\\\[\]:;|=,+*?<>@ ]{1,15}\$$') {
        return $null
    }
    $short
}

Function Get-EntraSyncErrorFact {
    <# The raw error for the result: exception type names (outermost first) and the message. #>
    param ([Parameter(Mandatory)][System.Management.Automation.ErrorRecord]$ErrorRecord)

    $types = [System.Collections.Generic.List[string]]::new()
    $exception = $ErrorRecord.Exception
    while ($exception) {
        $types.Add($exception.GetType().FullName)
        $exception = $exception.InnerException
    }
    [ordered]@{
        types = @($types)
        message = $ErrorRecord.Exception.Message
    }
}

Function Test-EntraSyncIdentityNotFound {
    <# Whether an AD error says the object does not exist (not that AD could not be asked). #>
    param ([Parameter(Mandatory)][System.Management.Automation.ErrorRecord]$ErrorRecord)

    # By name: the type only exists once the ActiveDirectory module is loaded.
    $ErrorRecord.Exception.GetType().FullName -eq 'Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException'
}

Function Get-EntraSyncGmsaFact {
    <#
    .SYNOPSIS
    What this host and AD show about one gMSA: the gmsa_host_info result, as an ordered map.
    .DESCRIPTION
    exists/usable/installed/can_retrieve_password are $true, $false or $null (could not be read);
    each $null comes with a warning through -Module. Test-ADServiceAccount takes no credential:
    it runs as the module's user, which must be SYSTEM (the computer account) to mean anything.
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][object]$Module,
        [Parameter(Mandatory)][string]$Name,
        [Parameter(Mandatory)][hashtable]$Connection
    )

    $fact = [ordered]@{
        name = $Name
        exists = $null
        usable = $null
        installed = $null
        host_encryption_types = $null
        account_encryption_types = $null
        can_retrieve_password = $null
        principals_allowed_to_retrieve = @()
        ad_module_available = $null
        ad_error = $null
    }

    # SYSTEM's USERNAME is the computer account (NAME$). Run as anyone else (no task-level become),
    # Test-ADServiceAccount answers for that user, not for the computer that runs the agent.
    if ($env:USERNAME -ne "$env:COMPUTERNAME`$") {
        $Module.Warn("This module runs as $env:USERDOMAIN\$env:USERNAME, not SYSTEM: Test-ADServiceAccount and Install-ADServiceAccount then act for that user, not for the computer. Set become: true, become_method: runas, become_user: SYSTEM on the task.")
    }

    # --- host side ---------------------------------------------------------------------------
    $hostValue = Get-EntraSyncRegistryValue -Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System\Kerberos\Parameters' -Name 'SupportedEncryptionTypes'
    if ($null -ne $hostValue) {
        # REG_DWORD comes back as Int32, negative when the policy sets the top bit (0x80000000): read it unsigned.
        $raw = [int64]$hostValue
        $fact.host_encryption_types = if ($raw -lt 0) { $raw + 4294967296 } else { $raw }
    }
    try {
        $fact.installed = [bool](Test-EntraSyncServiceAccountInstalled -Name $Name)
    }
    catch {
        $Module.Warn("Failed to test whether $Name is installed on this host: $($_.Exception.Message)")
    }

    # --- AD side -----------------------------------------------------------------------------
    try {
        Import-EntraSyncActiveDirectoryModule
        $fact.ad_module_available = $true
    }
    catch {
        $fact.ad_module_available = $false
        $fact.ad_error = Get-EntraSyncErrorFact -ErrorRecord $_
        $Module.Warn("The ActiveDirectory PowerShell module (RSAT-AD-PowerShell) could not be loaded; the gMSA's AD facts are unknown: $($_.Exception.Message)")
        return $fact
    }

    $account = $null
    try {
        $account = Get-ADServiceAccount @Connection -Identity $Name -Properties @(
            'msDS-SupportedEncryptionTypes', 'PrincipalsAllowedToRetrieveManagedPassword'
        ) -ErrorAction Stop
        $fact.exists = $true
    }
    catch {
        if (Test-EntraSyncIdentityNotFound -ErrorRecord $_) {
            $fact.exists = $false
        }
        else {
            $fact.ad_error = Get-EntraSyncErrorFact -ErrorRecord $_
            $Module.Warn("Failed to read gMSA $Name from AD, so whether it exists is unknown: $($_.Exception.Message)")
        }
    }

    if ($account) {
        $accountValue = $account.'msDS-SupportedEncryptionTypes'
        if ($null -ne $accountValue) {
            $fact.account_encryption_types = [int64]$accountValue
        }
        $allowedSids = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
        $unresolved = 0
        $fact.principals_allowed_to_retrieve = @(
            foreach ($dn in @($account.PrincipalsAllowedToRetrieveManagedPassword)) {
                try {
                    $principal = Get-ADObject @Connection -Identity $dn -Properties objectSid -ErrorAction Stop
                    $null = $allowedSids.Add([string]$principal.objectSid.Value)
                    $resolved = ConvertTo-EntraSyncAccountName -Sid $principal.objectSid.Value
                    if ($resolved) { $resolved } else { $dn }
                }
                catch {
                    $unresolved++
                    $Module.Warn("Failed to read the principal $dn allowed to retrieve the password of ${Name}: $($_.Exception.Message)")
                    $dn
                }
            }
        )
        try {
            $computer = Get-ADComputer @Connection -Identity $env:COMPUTERNAME -ErrorAction Stop
            # tokenGroups (constructed, base-scope only) holds every nested group of the computer.
            $tokenGroups = (Get-ADObject @Connection -Identity $computer.DistinguishedName -Properties tokenGroups -ErrorAction Stop).tokenGroups
            $computerSids = @([string]$computer.SID.Value) + @($tokenGroups | ForEach-Object { [string]$_.Value })
            $allowed = @($computerSids | Where-Object { $allowedSids.Contains($_) }).Count -gt 0
            # A principal that could not be read may be the one that allows this computer: then unknown, not false.
            $fact.can_retrieve_password = if ($allowed) { $true } elseif ($unresolved -eq 0) { $false } else { $null }
        }
        catch {
            $Module.Warn("Failed to read this computer's groups from AD, so whether it may retrieve the password is unknown: $($_.Exception.Message)")
        }
    }

    if ($fact.exists -eq $false) {
        $fact.usable = $false
    }
    else {
        try {
            $fact.usable = [bool](Test-ADServiceAccount -Identity $Name -ErrorAction Stop -WarningAction SilentlyContinue)
        }
        catch {
            $Module.Warn("Test-ADServiceAccount $Name failed, so whether it is usable here is unknown: $($_.Exception.Message)")
        }
    }
    $fact
}

$exportMembers = @{
    Function = @(
        'ConvertTo-EntraSyncGmsaName'
        'Get-EntraSyncErrorFact'
        'Get-EntraSyncGmsaFact'
        'Import-EntraSyncActiveDirectoryModule'
        'Test-EntraSyncServiceAccountInstalled'
    )
}
Export-ModuleMember @exportMembers

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Internal to hybrid_identity.entra_sync: how a module reaches Active Directory. The options
# (domain_server, domain_username, domain_password) are named as microsoft.ad names them and
# documented once in plugins/doc_fragments/domain_connection.py.

Function Get-EntraSyncDomainConnectionSpec {
    <#
    .SYNOPSIS
    The shared options, for Ansible.Basic to merge into a module's spec:
    [Ansible.Basic.AnsibleModule]::Create($args, $spec, @(Get-EntraSyncDomainConnectionSpec))
    #>
    [OutputType([hashtable])]
    param ()

    @{
        options = @{
            domain_server = @{ type = 'str' }
            domain_username = @{ type = 'str' }
            domain_password = @{ type = 'str'; no_log = $true }
        }
        required_together = @(
            , @('domain_username', 'domain_password')
        )
    }
}

Function Get-EntraSyncDomainConnectionParameter {
    <#
    .SYNOPSIS
    -Server and -Credential for the ActiveDirectory cmdlets, from the module's options (empty when none is set).
    .DESCRIPTION
    The password only goes through .NET method calls: PowerShell Module Logging (event 4103)
    records every command parameter, so ConvertTo-SecureString -String <password> would log it.
    #>
    [OutputType([hashtable])]
    param (
        [Parameter(Mandatory)][object]$Module
    )

    $parameters = @{}
    if ($Module.Params.domain_server) {
        $parameters.Server = $Module.Params.domain_server
    }
    if ($Module.Params.domain_username) {
        $securePassword = [System.Net.NetworkCredential]::new('', $Module.Params.domain_password).SecurePassword
        $parameters.Credential = [System.Management.Automation.PSCredential]::new($Module.Params.domain_username, $securePassword)
    }
    $parameters
}

$exportMembers = @{
    Function = @(
        'Get-EntraSyncDomainConnectionParameter'
        'Get-EntraSyncDomainConnectionSpec'
    )
}
Export-ModuleMember @exportMembers

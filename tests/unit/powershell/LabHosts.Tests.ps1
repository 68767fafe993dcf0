# Every lab host (tests/lab/hosts, tests/lab/health/hosts) is what its description says, as the
# collection's own modules read it: each host is loaded as the lab loads it (its base host, its
# domain file's AD view), the read-only modules run on it, and the one fact that makes the host
# what it is must hold. A host file without a row in the table fails, so a new host gets its check.
BeforeDiscovery {
    $labDir = Join-Path $PSScriptRoot '..' '..' 'lab'
    $script:HostFiles = @(
        Get-ChildItem -LiteralPath (Join-Path $labDir 'hosts'), (Join-Path $labDir 'health' 'hosts') -Filter '*.json' |
            Sort-Object Name | ForEach-Object { @{ Name = $_.BaseName; Path = $_.FullName } }
    )
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHarness.ps1')
    Enable-WinSimBoundary
    $script:LabDir = Join-Path $script:RepoRoot 'tests' 'lab'
    $script:GmsaSid = 'S-1-5-21-1004336348-1177238915-682003330-4101'        # CONTOSO\provAgentgMSA$ (member_server)
    $script:AdsyncSid = 'S-1-5-21-3623811015-3361044348-30300820-1612'       # CONTOSO\svc-adsync (lab_adsync_server)
    $script:AllServices = 'S-1-5-80-0'
    $script:Setup = 'C:\Windows\Temp\AADConnectProvisioningAgentSetup.exe'

    Function Use-LabHost {
        <# A lab host as the lab builds it: the description over its base, its domain's AD view laid in. #>
        param ([Parameter(Mandatory)][string]$Path)
        $document = Get-Content -LiteralPath $Path -Raw | ConvertFrom-Json -AsHashtable
        $scenario = Read-WinSimHost -Path $Path
        $domain = if ($document.Contains('domain')) { $document.domain } else { $scenario.computer.domain }
        $domainFile = Join-Path $script:LabDir 'domains' "$domain.json"
        if (Test-Path -LiteralPath $domainFile) {
            $view = Get-Content -LiteralPath $domainFile -Raw | ConvertFrom-Json -AsHashtable
            if (-not $scenario.Contains('active_directory') -or $null -eq $scenario.active_directory) {
                $scenario.active_directory = [ordered]@{}
            }
            foreach ($key in 'domain_dn', 'objects', 'kds_root_keys') {
                $scenario.active_directory[$key] = $view[$key]
            }
        }
        Use-WinSimHost -Scenario $scenario
    }

    Function Get-Holder {
        param ($Result, [string]$Right)
        @($Result.rights[$Right].holders | ForEach-Object { $_.sid })
    }

    Function Get-AgentService {
        param ($Result, [string]$Role = 'agent')
        @($Result.services | Where-Object { $_.role -eq $Role })[0]
    }

    Function Install-LabAgent {
        <# The setup bundle copied to the host and run as the role runs it; returns the module result. #>
        param ([System.Collections.IDictionary]$Arguments = @{})
        (Get-WinSimSection -Name files)[$script:Setup] = [ordered]@{ content = ''; version = '1.1.1586.0' }
        $options = @{ path = $script:Setup; state = 'present'; retry_1618_delay = 0 }
        foreach ($key in $Arguments.Keys) {
            $options[$key] = $Arguments[$key]
        }
        Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments $options
    }

    Function Register-LabAgent {
        Invoke-EntraSyncModule -Name provisioning_agent_registration -Arguments @{
            tenant_username = 'admin@contoso.onmicrosoft.com'; tenant_password = 'Lab-Pester-Tenant-Pw'
            domain_admin_username = 'CONTOSO\lab-da'; domain_admin_password = 'Lab-Pester-Domain-Pw'
            domains = @(@{ name = (Get-WinSimState).computer.domain })
        }
    }

    # host -> the fact that makes it what its description says, read by the collection's modules.
    $script:Facts = @{
        # the lab's domain controller template
        '_dc' = { (Invoke-EntraSyncModule -Name agent_host_info).domain.is_domain_controller | Should -BeTrue }
        # install_agent hosts
        'fresh_compliant' = {
            $info = Invoke-EntraSyncModule -Name agent_host_info
            $info.agent.installed | Should -BeFalse
            Get-Holder (Invoke-EntraSyncModule -Name logon_right_info) SeServiceLogonRight | Should -Contain $script:AllServices
        }
        'no_registration_credentials' = { (Invoke-EntraSyncModule -Name agent_host_info).agent.installed | Should -BeFalse }
        'installed_registered' = {
            $info = Invoke-EntraSyncModule -Name agent_host_info
            $info.agent.tenant_id | Should -Be '8f3b2c1d-4e5a-4b6c-9d7e-0a1b2c3d4e5f'
            (Get-AgentService $info).start_name | Should -Be 'CONTOSO\provAgentgMSA$'
        }
        'all_services_missing' = {
            $rights = Invoke-EntraSyncModule -Name logon_right_info
            Get-Holder $rights SeServiceLogonRight | Should -Not -Contain $script:AllServices
            $rights.rights.SeServiceLogonRight.gpo.defined | Should -BeFalse
        }
        'gpo_right_without_all_services' = {
            $right = (Invoke-EntraSyncModule -Name logon_right_info).rights.SeServiceLogonRight
            $right.gpo.name | Should -Be 'Tier0 Server Hardening'
            $right.gpo.account_list | Should -Not -Contain 'NT SERVICE\ALL SERVICES'
        }
        'deny_service_logon' = {
            Get-Holder (Invoke-EntraSyncModule -Name logon_right_info) SeDenyServiceLogonRight |
                Should -Contain 'S-1-5-21-3623811015-3361044348-30300820-1609'
        }
        'no_kds_root_key' = {
            (Invoke-EntraSyncModule -Name agent_host_info).domain.name | Should -Be 'nokds.example'
            @(Get-KdsRootKey).Count | Should -Be 0
        }
        'kds_root_key_created' = {
            # Without the key the role creates, registration cannot create the default gMSA.
            (Install-LabAgent)['failed'] | Should -Not -BeTrue
            $registration = Register-LabAgent
            $registration.failed | Should -BeTrue
            $registration.msg | Should -Match 'KDS may not be running'
        }
        'encryption_mismatch' = {
            $gmsa = Invoke-EntraSyncModule -Name gmsa_host_info -Arguments @{ name = 'svcCloudSync$' }
            $gmsa.exists | Should -BeTrue
            $gmsa.host_encryption_types -band $gmsa.account_encryption_types | Should -Be 0
        }
        'stale_partial_install' = {
            $info = Invoke-EntraSyncModule -Name agent_host_info
            $info.agent.installed | Should -BeFalse
            $info.leftovers.orphan_services | Should -Contain 'AADConnectProvisioningAgent'
        }
        'installer_1603_logon_right' = {
            $install = Install-LabAgent
            $install.exit_code | Should -Be 1603
            # The Group Policy refresh that ran meanwhile: the GPO's list, without ALL SERVICES.
            $right = (Invoke-EntraSyncModule -Name logon_right_info).rights.SeServiceLogonRight
            $right.gpo.name | Should -Be 'Tier0 Server Hardening'
            @($right.holders | ForEach-Object { $_.sid }) | Should -Not -Contain $script:AllServices
            $events = Invoke-EntraSyncModule -Name agent_evidence
            @($events.events | ForEach-Object { $_.id }) | Should -Contain 7041
        }
        'installer_1618_then_success' = {
            $install = Install-LabAgent
            $install.attempts | Should -Be 2
            $install.exit_code | Should -Be 0
        }
        'installer_3010_reboot' = { (Install-LabAgent).reboot_required | Should -BeTrue }
        'tls12_disabled' = {
            $tls = (Invoke-EntraSyncModule -Name agent_host_info).tls
            $tls.tls12_client.enabled | Should -Be 0
            $tls.dotnet.schusestrongcrypto_64 | Should -BeNullOrEmpty
        }
        'execution_policy_unrestricted' = {
            $policy = (Invoke-EntraSyncModule -Name agent_host_info).execution_policy
            $policy.local_machine | Should -Be 'Unrestricted'
            $policy.machine_policy | Should -Be 'Undefined'
        }
        'vault_disabled' = { (Invoke-EntraSyncModule -Name agent_host_info).credential_manager.start_mode | Should -Be 'Disabled' }
        'mfa_required' = {
            (Install-LabAgent)['failed'] | Should -Not -BeTrue
            (Register-LabAgent).msg | Should -Match 'AADSTS50076'
        }
        'us_government' = {
            (Install-LabAgent -Arguments @{ environment = 'AzureUSGovernment' })['failed'] | Should -Not -BeTrue
            (Register-LabAgent).tenant_id | Should -Be '2d4e6f80-1a2b-4c3d-8e9f-0a1b2c3d4e5f'
        }
        # connect_sync_services hosts
        'adsync_password_expired' = {
            $service = (Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('ADSync') }).services[0]
            $service.account.password_expired | Should -BeTrue
        }
        'adsync_rights_gpo' = {
            $rights = Invoke-EntraSyncModule -Name logon_right_info
            $rights.rights.SeServiceLogonRight.gpo.defined | Should -BeTrue
            Get-Holder $rights SeServiceLogonRight | Should -Not -Contain $script:AdsyncSid
            Get-Holder $rights SeBatchLogonRight | Should -Contain $script:AdsyncSid
        }
        'adsync_rights_local' = {
            $rights = Invoke-EntraSyncModule -Name logon_right_info
            foreach ($right in 'SeServiceLogonRight', 'SeBatchLogonRight', 'SeInteractiveLogonRight') {
                Get-Holder $rights $right | Should -Not -Contain $script:AdsyncSid
                $rights.rights[$right].gpo.defined | Should -BeFalse
            }
            $service = (Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('ADSync') }).services[0]
            $service.account.enabled | Should -BeTrue
        }
        # read-failure hosts: the module says it could not read, never "absent" or "healthy"
        'adsync_service_unreadable' = {
            $result = Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('ADSync') }
            # null (not read), not false (absent)
            $null -eq $result.services[0].exists | Should -BeTrue
            $result.warnings -join "`n" | Should -Match 'Access is denied'
        }
        'adsync_account_status_unreadable' = {
            $result = Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('ADSync') }
            $result.services[0].exists | Should -BeTrue
            $result.services[0].account.enabled | Should -BeNullOrEmpty
            $result.services[0].account.password_expired | Should -BeNullOrEmpty
            $result.warnings -join "`n" | Should -Match 'server is not operational'
        }
        'rights_lsa_unavailable' = {
            $result = Invoke-EntraSyncModule -Name logon_right_info
            $result.failed | Should -BeTrue
            $result.msg | Should -Match '^Failed to read the holders of SeServiceLogonRight: '
            $result.Contains('rights') | Should -BeFalse
        }
        'rsop_access_denied' = {
            $result = Invoke-EntraSyncModule -Name logon_right_info
            $result.rsop_available | Should -BeFalse
            $result.warnings -join "`n" | Should -Match 'root\\rsop\\computer: Access is denied'
            Get-Holder $result SeServiceLogonRight | Should -Not -Contain $script:AllServices
        }
        # health lab hosts: an installed, registered agent and one drift each
        'health_ok' = {
            $agent = Get-AgentService (Invoke-EntraSyncModule -Name agent_host_info)
            $agent.state | Should -Be 'Running'
            $agent.managed_account | Should -BeTrue
            Get-Holder (Invoke-EntraSyncModule -Name logon_right_info) SeServiceLogonRight | Should -Contain $script:GmsaSid
            (Invoke-EntraSyncModule -Name gmsa_host_info -Arguments @{ name = 'provAgentgMSA$' }).installed | Should -BeTrue
        }
        'health_managed_flag_false' = {
            $agent = Get-AgentService (Invoke-EntraSyncModule -Name agent_host_info)
            $agent.start_name | Should -Be 'CONTOSO\provAgentgMSA$'
            $agent.managed_account | Should -BeFalse
        }
        'health_right_at_risk_from_gpo' = {
            $right = (Invoke-EntraSyncModule -Name logon_right_info).rights.SeServiceLogonRight
            @($right.holders | ForEach-Object { $_.sid }) | Should -Contain $script:GmsaSid
            $right.gpo.defined | Should -BeTrue
            $right.gpo.account_list | Should -Not -Contain 'CONTOSO\provAgentgMSA$'
        }
        'health_right_removed_by_gpo' = {
            $right = (Invoke-EntraSyncModule -Name logon_right_info).rights.SeServiceLogonRight
            @($right.holders | ForEach-Object { $_.sid }) | Should -Not -Contain $script:GmsaSid
            $right.gpo.defined | Should -BeTrue
            @((Invoke-EntraSyncModule -Name agent_evidence).events | ForEach-Object { $_.id }) | Should -Contain 7041
        }
        'health_right_removed_locally' = {
            $right = (Invoke-EntraSyncModule -Name logon_right_info).rights.SeServiceLogonRight
            @($right.holders | ForEach-Object { $_.sid }) | Should -Not -Contain $script:GmsaSid
            $right.gpo.defined | Should -BeFalse
        }
        'health_service_account_changed' = {
            (Get-AgentService (Invoke-EntraSyncModule -Name agent_host_info)).start_name | Should -Be 'CONTOSO\svc-sync'
        }
        'health_service_stopped' = {
            (Get-AgentService (Invoke-EntraSyncModule -Name agent_host_info)).state | Should -Be 'Stopped'
            @((Invoke-EntraSyncModule -Name agent_evidence).events | ForEach-Object { $_.id }) | Should -Contain 7034
        }
        'health_tenant_id_gone' = {
            $info = Invoke-EntraSyncModule -Name agent_host_info
            $info.agent.installed | Should -BeTrue
            $info.agent.tenant_id | Should -BeNullOrEmpty
        }
        'health_tls_keys_removed' = {
            $tls = (Invoke-EntraSyncModule -Name agent_host_info).tls
            $tls.dotnet.schusestrongcrypto_64 | Should -BeNullOrEmpty
            $tls.tls12_client.enabled | Should -Be 1
        }
        'health_updater_stopped' = {
            (Get-AgentService (Invoke-EntraSyncModule -Name agent_host_info) -Role updater).state | Should -Be 'Stopped'
        }
        'health_version_below_minimum' = {
            # The inventory asks for 1.1.2000.0; the host has what agent_installed has.
            (Invoke-EntraSyncModule -Name agent_host_info).agent.version | Should -Be '1.1.1586.0'
        }
    }
}

Describe 'Lab hosts' {
    Context '<Name>' -ForEach $script:HostFiles {
        BeforeAll {
            Use-LabHost -Path $Path
        }
        It 'has a fact to check in this test' {
            $script:Facts.Contains($Name) | Should -BeTrue -Because 'every lab host needs its row in LabHosts.Tests.ps1'
        }
        It 'reads as its description says' {
            & $script:Facts[$Name]
        }
    }
}

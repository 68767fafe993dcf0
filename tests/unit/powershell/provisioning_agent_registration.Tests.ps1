# provisioning_agent_registration on the simulated Windows with the agent's cmdlets (areas/Agent.ps1).
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHarness.ps1')
    $scenarios = Join-Path $PSScriptRoot 'scenarios' 'provisioning_agent_registration'
    $agentKey = 'HKLM:\SOFTWARE\Microsoft\Azure AD Connect Agents\Azure AD Connect Provisioning Agent'
    $markerKey = 'HKLM:\SOFTWARE\hybrid_identity\entra_sync\registration'
    $tenantId = '8f3b2c1d-4e5a-4b6c-9d7e-0a1b2c3d4e5f'
    $arguments = @{
        tenant_username = 'hybrid-admin@contoso.onmicrosoft.com'; tenant_password = 'Tenant-Pa55!'
        domain_admin_username = 'CONTOSO\da-cloudsync'; domain_admin_password = 'Domain-Pa55!'
        domains = @(@{ name = 'contoso.com' })
    }
    Function Get-Fresh { Read-WinSimHost -Path (Join-Path $scenarios 'success.json') }
    Function Get-Registered {
        <# Registered and running as the gMSA; -Marker: the collection's marker values. #>
        param ([hashtable]$Marker = @{}, [string]$Status = 'Running')
        $fresh = Get-Fresh
        $services = @($fresh.services | Where-Object { $_.Name -ne 'AADConnectProvisioningAgent' }) + @(
            (@($fresh.services | Where-Object { $_.Name -eq 'AADConnectProvisioningAgent' })[0] | ConvertTo-Json | ConvertFrom-Json -AsHashtable))
        $services[-1].StartName = 'CONTOSO\provAgentgMSA$'
        $services[-1].Status = $Status
        Merge-WinSimMap -Base $fresh -Override @{
            registry = @{ $agentKey = @{ TenantID = $tenantId }; $markerKey = $Marker }
            services = $services
        }
    }
    Function Get-ChangedCommand { @(Get-WinSimCall -Changed | ForEach-Object { $_.command }) }
    Function Get-MarkerValue { (Get-WinSimState).registry[$markerKey] }
}

Describe 'provisioning_agent_registration' {
    BeforeAll { Enable-WinSimBoundary }

    Context 'a fresh, unregistered agent' {
        BeforeAll {
            Use-WinSimHost -Scenario (Get-Fresh)
            $result = Invoke-EntraSyncModule -Name provisioning_agent_registration -Arguments $arguments
        }
        It 'registers in the documented order and verifies it from the host' {
            $result.changed | Should -BeTrue
            $result.tenant_id | Should -Be $tenantId
            $result.gmsa | Should -Be 'CONTOSO\provAgentgMSA$'
            $result.service_state | Should -Be 'Running'
            $result.domains | Should -Be @('contoso.com')
            $result.error | Should -BeNullOrEmpty
            Get-ChangedCommand | Where-Object { $_ -notin 'New-Item', 'New-ItemProperty', 'Remove-ItemProperty' } |
                Should -Be @('Connect-AADCloudSyncAzureAD', 'Add-AADCloudSyncGMSA', 'Add-AADCloudSyncADDomain', 'Restart-Service')
        }
        It 'returns skipped_reason as null, not "", for the steps that ran' {
            foreach ($step in $result.steps) {
                $step.Contains('skipped_reason') | Should -BeTrue
                $step.skipped_reason | Should -BeExactly $null -Because "step $($step.name) ran"
            }
        }
        It 'remembers the steps the host cannot show in its own marker, tied to the tenant' {
            $marker = Get-MarkerValue
            $marker['TenantID'] | Should -Be $tenantId
            $marker['step:add_domain:contoso.com'] | Should -Be 'preferred_domain_controllers='
            $marker['step:restart_service'] | Should -Be 'done'
        }
        It 'changes nothing when run again' {
            $before = (Get-WinSimCall -Changed).Count
            $again = Invoke-EntraSyncModule -Name provisioning_agent_registration -Arguments $arguments
            $again.changed | Should -BeFalse
            (Get-WinSimCall -Changed).Count | Should -Be $before
            ($again.steps | Where-Object name -EQ 'add_domain:contoso.com').skipped_reason | Should -Match 'registration marker'
        }
        It 'passes no password as a command parameter' {
            foreach ($call in (Get-WinSimCall)) {
                foreach ($value in $call.parameters.Values) { "$value" | Should -Not -Match 'Pa55!' }
            }
        }
    }

    Context 'check mode on a fresh host' {
        It 'reports the planned steps with changed=true and calls nothing' {
            Use-WinSimHost -Scenario (Get-Fresh)
            $result = Invoke-EntraSyncModule -Name provisioning_agent_registration -Arguments $arguments -CheckMode
            $result['failed'] | Should -Not -BeTrue
            $result.changed | Should -BeTrue
            @($result.steps | Where-Object changed | ForEach-Object name) | Should -Be @('connect_tenant', 'add_gmsa', 'add_domain:contoso.com', 'restart_service')
            Get-WinSimCall -Changed | Should -BeNullOrEmpty
            Get-WinSimCall | Where-Object { $_.command -like '*AADCloudSync*' } | Should -BeNullOrEmpty
        }
    }

    Context 'check mode before the agent is installed (the install task of a check-mode play installed nothing)' {
        It 'reports every step as planned with changed=true instead of failing' {
            $fresh = Get-Fresh
            $fresh.registry.Remove($agentKey)
            $fresh.services = @($fresh.services | Where-Object Name -NE 'AADConnectProvisioningAgent')
            Use-WinSimHost -Scenario $fresh
            $result = Invoke-EntraSyncModule -Name provisioning_agent_registration -Arguments $arguments -CheckMode
            $result['failed'] | Should -Not -BeTrue
            $result.changed | Should -BeTrue
            @($result.steps | Where-Object changed | ForEach-Object name) | Should -Be @('connect_tenant', 'add_gmsa', 'add_domain:contoso.com', 'restart_service')
            $result.warnings -join "`n" | Should -Match 'not installed yet'
            Get-WinSimCall -Changed | Should -BeNullOrEmpty
        }
    }

    Context 'a half-registered agent: TenantID set and the gMSA in place, but the domain step never completed' {
        BeforeAll {
            Use-WinSimHost -Scenario (Get-Registered -Marker @{ TenantID = $tenantId })
            $result = Invoke-EntraSyncModule -Name provisioning_agent_registration -Arguments $arguments
        }
        It 'reruns the missing domain step and the restart, not the gMSA' {
            $result.changed | Should -BeTrue
            ($result.steps | Where-Object name -EQ 'add_gmsa').skipped_reason | Should -Match 'already runs as'
            Get-ChangedCommand | Should -Contain 'Add-AADCloudSyncADDomain'
            Get-ChangedCommand | Should -Contain 'Restart-Service'
            Get-ChangedCommand | Should -Not -Contain 'Add-AADCloudSyncGMSA'
        }
    }

    Context 'an earlier run added the domain but did not get to the restart, and the service is stopped' {
        It 'restarts only' {
            Use-WinSimHost -Scenario (Get-Registered -Status Stopped -Marker @{ TenantID = $tenantId; 'step:add_domain:contoso.com' = 'preferred_domain_controllers=' })
            $result = Invoke-EntraSyncModule -Name provisioning_agent_registration -Arguments $arguments
            $result.changed | Should -BeTrue
            Get-ChangedCommand | Where-Object { $_ -notlike '*-Item*' } | Should -Be @('Restart-Service')
            $result.service_state | Should -Be 'Running'
        }
    }

    Context 'a marker of another tenant' {
        It 'is not trusted: the domain is added again' {
            Use-WinSimHost -Scenario (Get-Registered -Marker @{ TenantID = '00000000-0000-0000-0000-000000000000'; 'step:add_domain:contoso.com' = 'preferred_domain_controllers='; 'step:restart_service' = 'done' })
            $null = Invoke-EntraSyncModule -Name provisioning_agent_registration -Arguments $arguments
            Get-ChangedCommand | Should -Contain 'Add-AADCloudSyncADDomain'
        }
    }

    Context 'the cmdlets succeed but the host does not show a registration' {
        It 'fails, naming what is missing' {
            Use-WinSimHost -Scenario (Merge-WinSimMap -Base (Get-Fresh) -Override @{ cloud_sync = @{ tenant = @{ writes_tenant_id = $false } } })
            $result = Invoke-EntraSyncModule -Name provisioning_agent_registration -Arguments $arguments
            $result.failed | Should -BeTrue
            $result.msg | Should -Match 'not registered: the agent registry key holds no TenantID'
        }
        It 'fails when the service does not come back up' {
            $fresh = Get-Fresh
            ($fresh.services | Where-Object Name -EQ 'AADConnectProvisioningAgent').start_error = 'The service did not start due to a logon failure.'
            Use-WinSimHost -Scenario $fresh
            $result = Invoke-EntraSyncModule -Name provisioning_agent_registration -Arguments $arguments
            $result.failed | Should -BeTrue
            $result.error.step | Should -Be 'restart_service'
            $result.msg | Should -Match 'logon failure'
        }
    }

    Context 'MFA is required on the tenant account' {
        It 'returns the raw error (types, message, AADSTS code) without classifying it, and changes nothing' {
            Use-WinSimHost -Path (Join-Path $scenarios 'mfa_required_headless.json')
            $result = Invoke-EntraSyncModule -Name provisioning_agent_registration -Arguments $arguments
            $result.failed | Should -BeTrue
            $result.changed | Should -BeFalse
            $result.error.step | Should -Be 'connect_tenant'
            $result.error.types | Should -Contain 'Microsoft.Identity.Client.MsalUiRequiredException'
            $result.error.aadsts_codes | Should -Be @('AADSTS50076')
            $result.msg | Should -Not -Match 'headless'
        }
    }

    Context 'the execution policy blocks the agent module' {
        It 'fails at import_module with the raw security error' {
            Use-WinSimHost -Path (Join-Path $scenarios 'execution_policy_security_error.json')
            $result = Invoke-EntraSyncModule -Name provisioning_agent_registration -Arguments $arguments
            $result.error.step | Should -Be 'import_module'
            $result.error.types | Should -Contain 'System.Management.Automation.PSSecurityException'
            Get-WinSimCall -Changed | Should -BeNullOrEmpty
        }
    }

    Context 'bad input fails before anything is read, and names the option' {
        BeforeAll { Use-WinSimHost -Scenario (Get-Fresh) }
        It '<Case>' -ForEach @(
            @{ Case = 'empty domains'; Override = @{ domains = @() }; Pattern = '^domains must list' }
            @{ Case = 'NetBIOS domain'; Override = @{ domains = @(@{ name = 'CONTOSO' }) }; Pattern = '^domains\[0\]\.name must be' }
            @{ Case = 'gMSA without $'; Override = @{ gmsa_name = 'gmsa-cloudsync' }; Pattern = '^gmsa_name must be' }
            @{ Case = 'relative install_dir'; Override = @{ install_dir = 'agent' }; Pattern = '^install_dir must be' }
            @{ Case = 'bad preferred DC'; Override = @{ domains = @(@{ name = 'contoso.com'; preferred_domain_controllers = @('dc 01') }) }; Pattern = 'preferred_domain_controllers' }
        ) {
            $options = @{} + $arguments
            foreach ($key in $Override.Keys) { $options[$key] = $Override[$key] }
            $result = Invoke-EntraSyncModule -Name provisioning_agent_registration -Arguments $options
            $result.failed | Should -BeTrue
            $result.msg | Should -Match $Pattern
            Get-WinSimCall | Should -BeNullOrEmpty
        }
        It 'a domain without any credential' {
            $result = Invoke-EntraSyncModule -Name provisioning_agent_registration -Arguments @{
                tenant_username = 'a@b.c'; tenant_password = 'x'; gmsa_name = 'gmsa$'; domains = @(@{ name = 'contoso.com' }) }
            $result.msg | Should -Match '^domains\[0\] \(contoso.com\) needs a credential'
        }
    }

    Context 'the agent is not installed' {
        It 'fails and says to install it first' {
            $fresh = Get-Fresh
            $fresh.registry.Remove($agentKey)
            Use-WinSimHost -Scenario $fresh
            $result = Invoke-EntraSyncModule -Name provisioning_agent_registration -Arguments $arguments
            $result.failed | Should -BeTrue
            $result.msg | Should -Match 'not installed'
        }
    }

    Context 'custom gMSA, two domains, writeback and per-domain permissions' {
        It 'uses each domain credential and remembers every step' {
            Use-WinSimHost -Path (Join-Path $scenarios 'custom_gmsa_two_domains_writeback.json')
            $document = Get-Content -Raw (Join-Path $scenarios 'custom_gmsa_two_domains_writeback.json') | ConvertFrom-Json -AsHashtable
            $result = Invoke-EntraSyncModule -Name provisioning_agent_registration -Arguments $document.args
            $result.gmsa | Should -Be 'CONTOSO\gmsa-cloudsync$'
            $emea = Get-WinSimCall | Where-Object { $_.command -eq 'Add-AADCloudSyncADDomain' -and $_.parameters.DomainName -eq 'emea.contoso.com' }
            $emea.parameters.Credential.UserName | Should -Be 'EMEA\svc-join'
            $marker = Get-MarkerValue
            $marker['step:password_writeback'] | Should -Be 'enabled'
            $marker['step:set_permissions:PasswordWriteBack:emea.contoso.com'] | Should -Be 'PasswordWriteBack'
            $marker['step:add_domain:contoso.com'] | Should -Be 'preferred_domain_controllers=dc01.contoso.com,dc02.contoso.com'
        }
    }
}

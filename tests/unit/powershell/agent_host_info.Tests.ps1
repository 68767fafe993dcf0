# agent_host_info: every host fact the agent install depends on, read-only, on the simulated Windows.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHarness.ps1')
    $scenarios = Join-Path $PSScriptRoot 'scenarios' 'agent_host_info'
    $public = @('login.microsoftonline.com:443', 'login.windows.net:443', 'mscrl.microsoft.com:80')
    $connections = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections'
    $agentConfig = 'C:\Program Files\Microsoft Azure AD Connect Provisioning Agent\AADConnectProvisioningAgent.exe.config'

    Function Get-HostFrom {
        <# A scenario's host with overrides laid over it. #>
        param ([string]$Name, [System.Collections.IDictionary]$Override = @{})
        Merge-WinSimMap -Base (Read-WinSimHost -Path (Join-Path $scenarios "$Name.json")) -Override $Override
    }

    Function ConvertTo-WinHttpSettingValue {
        <# WinHttpSettings as `netsh winhttp set proxy` writes it (the layout the module documents), as a scenario value. #>
        param ([string]$Server = '', [string]$Bypass = '', [int]$Flags = 3)
        $bytes = [System.Collections.Generic.List[byte]]::new()
        foreach ($number in 0x28, 0, $Flags) {
            $bytes.AddRange([BitConverter]::GetBytes([uint32]$number))
        }
        foreach ($text in $Server, $Bypass) {
            $bytes.AddRange([BitConverter]::GetBytes([uint32]$text.Length))
            $bytes.AddRange([System.Text.Encoding]::ASCII.GetBytes($text))
        }
        @{ type = 'binary'; value = @($bytes | ForEach-Object { [int]$_ }) }
    }

    Function Get-ServiceRow {
        param ($Result, [string]$Role)
        @($Result.services | Where-Object { $_.role -eq $Role })[0]
    }
}

Describe 'agent_host_info' {
    BeforeAll { Enable-WinSimBoundary }

    Context 'a prepared member server without the agent' {
        BeforeAll {
            Use-WinSimHost -Path (Join-Path $scenarios 'healthy.json')
            $result = Invoke-EntraSyncModule -Name agent_host_info -Arguments @{ probe = $public }
            $changes = Get-WinSimCall -Changed
            Use-WinSimHost -Path (Join-Path $scenarios 'healthy.json')
            $checked = Invoke-EntraSyncModule -Name agent_host_info -Arguments @{ probe = $public } -CheckMode
        }
        It 'changes nothing, and check mode returns the same facts' {
            $result.changed | Should -BeFalse
            $changes | Should -BeNullOrEmpty
            Get-WinSimCall -Changed | Should -BeNullOrEmpty
            $checked.Remove('invocation'); $copy = $result.Clone(); $copy.Remove('invocation')
            ($checked | ConvertTo-Json -Depth 10) | Should -BeExactly ($copy | ConvertTo-Json -Depth 10)
        }
        It 'reads the OS from CIM and the registry' {
            $result.os.caption | Should -Be 'Microsoft Windows Server 2022 Standard'
            $result.os.build | Should -Be 20348
            $result.os.ubr | Should -Be 2849
            $result.os.edition | Should -Be 'ServerStandard'
            $result.os.server_core | Should -BeFalse
            $result.os.product_type | Should -Be 'server'
            $result.os.total_memory_bytes | Should -Be 8589463552
            $result.domain.joined | Should -BeTrue
            $result.domain.name | Should -Be 'contoso.com'
            $result.domain.is_domain_controller | Should -BeFalse
        }
        It 'returns raw registry numbers, REG_DWORD above 0x7FFFFFFF unsigned' {
            $result.kerberos.supported_encryption_types | Should -Be 2147483672
            $result.dotnet.release | Should -Be 528449
            $result.tls.tls12_client.enabled | Should -Be 1
            $result.tls.dotnet.schusestrongcrypto_32 | Should -Be 1
            $result.ntlm.lm_compatibility_level | Should -Be 5
            $result.ntlm.restrict_sending_ntlm_traffic | Should -BeNullOrEmpty
        }
        It 'reads the execution policy per scope and VaultSvc' {
            $result.execution_policy.local_machine | Should -Be 'RemoteSigned'
            $result.execution_policy.machine_policy | Should -Be 'Undefined'
            $result.credential_manager.start_mode | Should -Be 'Manual'
            $result.credential_manager.state | Should -Be 'Running'
        }
        It 'reports the agent absent, its services by name only, nothing left over' {
            $result.agent.installed | Should -BeFalse
            $result.agent.uninstall_entries | Should -BeNullOrEmpty
            $result.services.name | Should -Be @('AADConnectProvisioningAgent', 'AzureADConnectAgentUpdater')
            $result.services.exists | Should -Be @($false, $false)
            $result.services.identified_by | Should -Be @('service_name', 'service_name')
            $result.leftovers.orphan_services | Should -BeNullOrEmpty
            $result.leftovers.install_dir_exists | Should -BeFalse
            $result.updater_lookalikes | Should -BeNullOrEmpty
            $result.other_entra_agents | Should -BeNullOrEmpty
            $result.pending_reboot.required | Should -BeFalse
        }
        It 'probes directly when no proxy is set, and says so' {
            $result.proxy.configured | Should -BeFalse
            $result.winhttp_proxy.present | Should -BeFalse
            $result.reachability.route | Should -Be @('direct', 'direct', 'direct')
            $result.reachability.reachable | Should -Be @($true, $true, $true)
            $result.reachability[0].proxy | Should -BeNullOrEmpty
        }
    }

    # Issue 14: units in option names; the old millisecond option still works and warns.
    Context 'the probe timeout' {
        BeforeEach { Use-WinSimHost -Path (Join-Path $scenarios 'healthy.json') }
        It 'takes probe_timeout_seconds and hands the probe milliseconds' {
            $null = Invoke-EntraSyncModule -Name agent_host_info -Arguments @{ probe = @('login.windows.net:443'); probe_timeout_seconds = 1.5 }
            Should -Invoke Invoke-EntraSyncNetworkProbe -Times 1 -Exactly -ParameterFilter { $TimeoutMs -eq 1500 }
        }
        It 'still takes the deprecated probe_timeout_ms, with a deprecation' {
            $old = Invoke-EntraSyncModule -Name agent_host_info -Arguments @{ probe = @('login.windows.net:443'); probe_timeout_ms = 700 }
            Should -Invoke Invoke-EntraSyncNetworkProbe -Times 1 -Exactly -ParameterFilter { $TimeoutMs -eq 700 }
            ($old.deprecations | ForEach-Object { $_.msg }) -join ' ' | Should -Match 'probe_timeout_ms'
        }
        It 'refuses a timeout of zero before probing' {
            $zero = Invoke-EntraSyncModule -Name agent_host_info -Arguments @{ probe = @('login.windows.net:443'); probe_timeout_seconds = 0 }
            $zero.failed | Should -BeTrue
            $zero.msg | Should -Match 'probe_timeout_seconds must be greater than 0'
            Should -Invoke Invoke-EntraSyncNetworkProbe -Times 0 -Exactly
        }
    }

    Context 'the agent installed and registered' {
        BeforeAll {
            Use-WinSimHost -Path (Join-Path $scenarios 'healthy_installed_registered.json')
            $result = Invoke-EntraSyncModule -Name agent_host_info -Arguments @{ agent_product_codes = @('{3F2E1D0C-9B8A-4F7E-8D6C-5B4A39281706}') }
        }
        It 'reads key, version, tenant and the package cache' {
            $result.agent.registered | Should -BeTrue
            $result.agent.tenant_id | Should -Be '8f3b2c1d-4e5a-4b6c-9d7e-0a1b2c3d4e5f'
            $result.agent.version | Should -Be '1.1.1586.0'
            $result.leftovers.package_cache_dirs.Count | Should -Be 2
            $result.leftovers.orphan_services | Should -BeNullOrEmpty
        }
        It 'names the agent service from its registry key and the updater by its service name' {
            (Get-ServiceRow $result 'agent').identified_by | Should -Be 'registry_key'
            (Get-ServiceRow $result 'updater').identified_by | Should -Be 'service_name'
        }
        It 'says which uninstall entry is known by product code and which only by display name' {
            $byCode = @{}
            foreach ($entry in $result.agent.uninstall_entries) { $byCode[$entry.product_code] = $entry.identified_by }
            $byCode['{3F2E1D0C-9B8A-4F7E-8D6C-5B4A39281706}'] | Should -Be 'product_code'
            $byCode['{6C2E6A5D-2B8F-4C3E-9A71-0D5E6F7A8B9C}'] | Should -Be 'display_name'
        }
    }

    # Issue 11, item 3: a display name is no identity.
    Context 'another Entra agent (Pass-through Authentication) brought its own updater, the cloud sync agent is absent' {
        BeforeAll {
            Use-WinSimHost -Scenario (Get-HostFrom 'healthy' @{
                    services = @(
                        @{ Name = 'VaultSvc'; DisplayName = 'Credential Manager'; Status = 'Running'; StartType = 'Manual'; StartName = 'LocalSystem'; PathName = 'C:\Windows\system32\lsass.exe' }
                        @{ Name = 'AzureADConnectAuthenticationAgent'; DisplayName = 'Microsoft Azure AD Connect Authentication Agent'; Status = 'Running'; StartType = 'Automatic'; StartName = 'LocalSystem'; PathName = '"C:\Program Files\Microsoft Azure AD Connect Authentication Agent\AzureADConnectAuthenticationAgentService.exe"' }
                        # The name is made up: what matters is that only the display name looks like an updater's.
                        @{ Name = 'PtaAgentUpdater'; DisplayName = 'Microsoft Azure AD Connect Agent Updater'; Status = 'Running'; StartType = 'Automatic'; StartName = 'LocalSystem'; PathName = '"C:\Program Files\Microsoft Azure AD Connect Agent Updater\AzureADConnectAgentUpdater.exe"' }
                    )
                    registry = @{ 'HKLM:\SOFTWARE\Microsoft\Azure AD Connect Agents\Azure AD Connect Authentication Agent' = @{ InstallDir = 'C:\Program Files\Microsoft Azure AD Connect Authentication Agent\' } }
                })
            $result = Invoke-EntraSyncModule -Name agent_host_info
        }
        It 'does not count the other agent''s updater as this agent''s' {
            $updater = Get-ServiceRow $result 'updater'
            $updater.name | Should -Be 'AzureADConnectAgentUpdater'
            $updater.exists | Should -BeFalse
            $result.leftovers.orphan_services | Should -BeNullOrEmpty
        }
        It 'lists it apart, found by display name, with the other agent''s registry key' {
            $result.updater_lookalikes.name | Should -Be 'PtaAgentUpdater'
            $result.updater_lookalikes.identified_by | Should -Be 'display_name'
            $result.other_entra_agents | Should -Be 'Azure AD Connect Authentication Agent'
        }
        It 'Find-EntraSyncServiceName never selects by display name, even when a caller still passes a pattern' {
            & (Get-Module _EntraSyncCommon) {
                Find-EntraSyncServiceName -Name 'AzureADConnectAgentUpdater' -DisplayNamePattern '*Agent Updater*' -WarningAction SilentlyContinue
            } | Should -BeNullOrEmpty
            & (Get-Module _EntraSyncCommon) { Find-EntraSyncServiceName -Name 'NoSuch', 'PtaAgentUpdater' } | Should -Be 'PtaAgentUpdater'
        }
    }

    # Issue 11, item 5: the flag comes from ServiceAccountManaged, not from sc.exe's localised text.
    Context 'the managed-account flag' {
        It 'is true from REG_BINARY 01 00 00 00 and false for a key without the value' {
            Use-WinSimHost -Path (Join-Path $scenarios 'healthy_installed_registered.json')
            $result = Invoke-EntraSyncModule -Name agent_host_info
            (Get-ServiceRow $result 'agent').managed_account | Should -BeTrue
            (Get-ServiceRow $result 'updater').managed_account | Should -BeFalse
        }
        It 'is false from REG_BINARY 00 00 00 00' {
            Use-WinSimHost -Path (Join-Path $scenarios 'service_not_managed.json')
            (Get-ServiceRow (Invoke-EntraSyncModule -Name agent_host_info) 'agent').managed_account | Should -BeFalse
        }
        It 'accepts a REG_DWORD too' {
            Use-WinSimHost -Scenario (Get-HostFrom 'service_not_managed' @{ registry = @{
                        'HKLM:\SYSTEM\CurrentControlSet\Services\AADConnectProvisioningAgent' = @{ ServiceAccountManaged = @{ type = 'dword'; value = 1 } } } })
            (Get-ServiceRow (Invoke-EntraSyncModule -Name agent_host_info) 'agent').managed_account | Should -BeTrue
        }
        It 'ignores what sc.exe prints in another language, and keeps that text as evidence' {
            Use-WinSimHost -Path (Join-Path $scenarios 'healthy_installed_registered.json')
            Mock Invoke-EntraSyncScQueryManagedAccount -ModuleName _EntraSyncCommon { "[SC] QueryServiceConfig2 ERFOLG`r`n`r`nSERVICE_NAME: $Name`r`n        VERWALTETES KONTO  : FALSCH`r`n" }
            $flag = & (Get-Module _EntraSyncCommon) { Get-EntraSyncManagedAccountFlag -Name 'AADConnectProvisioningAgent' }
            $flag.managed | Should -BeTrue
            $flag.output | Should -Match 'VERWALTETES KONTO'
        }
        It 'is null with a warning when the service key cannot be read, never false' {
            Use-WinSimHost -Scenario (Get-HostFrom 'healthy_installed_registered' @{ failures = @(
                        @{ command = 'Get-Item'; match = @{ LiteralPath = '*\Services\AADConnectProvisioningAgent' }; error = 'access_denied' }) })
            $result = Invoke-EntraSyncModule -Name agent_host_info
            (Get-ServiceRow $result 'agent').managed_account | Should -BeNullOrEmpty
            $result.warnings -join "`n" | Should -Match 'Failed to read the managed-account flag of service AADConnectProvisioningAgent'
        }
    }

    # Issue 11, item 11: JoinDomain is a key under Netlogon.
    Context 'a domain join waits for its reboot' {
        BeforeAll {
            Use-WinSimHost -Scenario (Get-HostFrom 'healthy' @{ registry = @{ 'HKLM:\SYSTEM\CurrentControlSet\Services\Netlogon\JoinDomain' = @{} } })
            $result = Invoke-EntraSyncModule -Name agent_host_info
        }
        It 'reports DomainJoin from the JoinDomain subkey' {
            $result.pending_reboot.required | Should -BeTrue
            $result.pending_reboot.reasons | Should -Be @('DomainJoin')
        }
        It 'and nothing when only Netlogon exists' {
            Use-WinSimHost -Path (Join-Path $scenarios 'healthy.json')
            (Invoke-EntraSyncModule -Name agent_host_info).pending_reboot.reasons | Should -BeNullOrEmpty
        }
    }

    Context 'other reboot reasons' {
        It 'reads Component Based Servicing and Windows Update keys' {
            Use-WinSimHost -Path (Join-Path $scenarios 'pending_reboot.json')
            (Invoke-EntraSyncModule -Name agent_host_info).pending_reboot.reasons | Should -Be @('ComponentBasedServicing', 'WindowsUpdate')
        }
        It 'reads a pending rename and pending file renames' {
            Use-WinSimHost -Scenario (Get-HostFrom 'stale_partial_install' @{ registry = @{
                        'HKLM:\SYSTEM\CurrentControlSet\Control\ComputerName\ActiveComputerName' = @{ ComputerName = 'SYNC01' }
                        'HKLM:\SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName' = @{ ComputerName = 'SYNC02' } } })
            (Invoke-EntraSyncModule -Name agent_host_info).pending_reboot.reasons | Should -Be @('PendingFileRenameOperations', 'ComputerRename')
        }
    }

    Context 'leftovers of a partial install' {
        BeforeAll {
            Use-WinSimHost -Path (Join-Path $scenarios 'stale_partial_install.json')
            $result = Invoke-EntraSyncModule -Name agent_host_info
        }
        It 'names the agent''s services that exist without its registry key' {
            $result.agent.registry_key_present | Should -BeFalse
            $result.leftovers.orphan_services | Should -Be @('AADConnectProvisioningAgent', 'AzureADConnectAgentUpdater')
            $result.leftovers.package_cache_dirs | Should -Be @('C:\ProgramData\Package Cache\{6C2E6A5D-2B8F-4C3E-9A71-0D5E6F7A8B9C}v1.1.977.0')
            (Get-ServiceRow $result 'agent').state | Should -Be 'StartPending'
        }
    }

    # Issue 11, item 10: probes go the way the agent's traffic goes, and say which.
    Context 'a proxy-only network with the proxy in the agent''s config' {
        BeforeAll {
            Use-WinSimHost -Path (Join-Path $scenarios 'proxy_configured.json')
            $result = Invoke-EntraSyncModule -Name agent_host_info -Arguments @{ probe = $public }
        }
        It 'reads the defaultProxy attributes as written' {
            $result.proxy.configured | Should -BeTrue
            $result.proxy.address | Should -Be 'http://proxy.contoso.com:8080'
            $result.proxy.bypass_on_local | Should -Be 'true'
            $result.proxy.raw | Should -Match '^<defaultProxy enabled="true"'
        }
        It 'probes through the agent proxy and reports that route' {
            $result.reachability.route | Should -Be @('agent_proxy', 'agent_proxy', 'agent_proxy')
            $result.reachability.proxy | Should -Be @('proxy.contoso.com:8080', 'proxy.contoso.com:8080', 'proxy.contoso.com:8080')
            $result.reachability.reachable | Should -Be @($true, $true, $true)
            $result.reachability[0].proxy_status | Should -Be 'HTTP/1.1 200 Connection established'
        }
        It 'goes direct when probe_route says so, and then finds the firewall' {
            $direct = Invoke-EntraSyncModule -Name agent_host_info -Arguments @{ probe = @('login.microsoftonline.com:443'); probe_route = 'direct' }
            $direct.reachability[0].route | Should -Be 'direct'
            $direct.reachability[0].reachable | Should -BeFalse
            $direct.reachability[0].error | Should -Be 'timed out after 3000 ms'
        }
        It 'reports a tunnel the proxy refuses with its status line' {
            Use-WinSimHost -Scenario (Get-HostFrom 'proxy_configured' @{ network = @{ proxies = @{ 'proxy.contoso.com:8080' = @{ 'login.windows.net:443' = 'forbidden' } } } })
            $denied = Invoke-EntraSyncModule -Name agent_host_info -Arguments @{ probe = @('login.windows.net:443') }
            $denied.reachability[0].reachable | Should -BeFalse
            $denied.reachability[0].proxy_status | Should -Be 'HTTP/1.1 403 Forbidden'
        }
        It 'bypasses the agent proxy for a name without a dot (bypassonlocal) and for its bypass list' {
            $config = (Get-WinSimState).files[$agentConfig].content -replace '</defaultProxy>', '<bypasslist><add address="\.contoso\.com$" /></bypasslist></defaultProxy>'
            Use-WinSimHost -Scenario (Get-HostFrom 'proxy_configured' @{ files = @{ $agentConfig = @{ content = $config } }; network = @{ direct = @{ '*' = 'open' } } })
            $local = Invoke-EntraSyncModule -Name agent_host_info -Arguments @{ probe = @('intranet:80', 'dc01.contoso.com:389', 'login.windows.net:443') }
            $local.reachability.route | Should -Be @('direct', 'direct', 'agent_proxy')
            $local.proxy.bypass_list | Should -Be '\.contoso\.com$'
        }
    }

    Context 'a WinHTTP proxy set with netsh (WinHttpSettings)' {
        BeforeAll {
            $winHttp = ConvertTo-WinHttpSettingValue -Server 'proxy.contoso.com:3128' -Bypass '<local>;*.contoso.com'
            Use-WinSimHost -Scenario (Get-HostFrom 'healthy' @{
                    registry = @{ $connections = @{ WinHttpSettings = $winHttp } }
                    network = @{ direct = @{ '*' = 'timeout'; 'dc01.contoso.com:389' = 'open' }; proxies = @{ 'proxy.contoso.com:3128' = @{ '*' = 'open' } } }
                })
            $result = Invoke-EntraSyncModule -Name agent_host_info -Arguments @{ probe = @('login.microsoftonline.com:443', 'dc01.contoso.com:389') }
        }
        It 'decodes the value into raw parts' {
            $result.winhttp_proxy.present | Should -BeTrue
            $result.winhttp_proxy.parsed | Should -BeTrue
            $result.winhttp_proxy.flags | Should -Be 3
            $result.winhttp_proxy.proxy_server | Should -Be 'proxy.contoso.com:3128'
            $result.winhttp_proxy.bypass_list | Should -Be '<local>;*.contoso.com'
            $result.winhttp_proxy.raw_hex | Should -Match '^28000000000000000300000016000000'
        }
        It 'probes through it, except for hosts on its bypass list' {
            $result.reachability.route | Should -Be @('winhttp_proxy', 'direct')
            $result.reachability.reachable | Should -Be @($true, $true)
            $result.reachability[0].proxy | Should -Be 'proxy.contoso.com:3128'
        }
        It 'prefers the agent config proxy when both are set' {
            Use-WinSimHost -Scenario (Get-HostFrom 'proxy_configured' @{ registry = @{ $connections = @{ WinHttpSettings = $winHttp } } })
            (Invoke-EntraSyncModule -Name agent_host_info -Arguments @{ probe = @('login.windows.net:443') }).reachability[0].route | Should -Be 'agent_proxy'
        }
        It 'takes the https= entry of a per-scheme list for port 443' {
            Use-WinSimHost -Scenario (Get-HostFrom 'healthy' @{
                    registry = @{ $connections = @{ WinHttpSettings = (ConvertTo-WinHttpSettingValue -Server 'http=p80.contoso.com:80;https=p443.contoso.com:8443') } }
                    network = @{ proxies = @{ 'p443.contoso.com:8443' = @{ '*' = 'open' } } } })
            $row = (Invoke-EntraSyncModule -Name agent_host_info -Arguments @{ probe = @('login.windows.net:443') }).reachability[0]
            $row.proxy | Should -Be 'p443.contoso.com:8443'
            $row.reachable | Should -BeTrue
        }
        It 'decodes "direct access" (flags 1, no server) and probes directly' {
            Use-WinSimHost -Scenario (Get-HostFrom 'healthy' @{ registry = @{ $connections = @{ WinHttpSettings = (ConvertTo-WinHttpSettingValue -Flags 1) } } })
            $direct = Invoke-EntraSyncModule -Name agent_host_info -Arguments @{ probe = @('login.windows.net:443') }
            $direct.winhttp_proxy.raw_hex | Should -Be '2800000000000000010000000000000000000000'
            $direct.winhttp_proxy.proxy_server | Should -BeNullOrEmpty
            $direct.reachability[0].route | Should -Be 'direct'
        }
        It 'does not guess a value that is cut short: raw hex, parsed false, a warning' {
            Use-WinSimHost -Scenario (Get-HostFrom 'healthy' @{ registry = @{ $connections = @{ WinHttpSettings = @{ type = 'binary'; value = @(0x28, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 40, 0, 0, 0, 0x70) } } } })
            $cut = Invoke-EntraSyncModule -Name agent_host_info -Arguments @{ probe = @('login.windows.net:443') }
            $cut.winhttp_proxy.parsed | Should -BeFalse
            $cut.winhttp_proxy.raw_hex | Should -Be '2800000000000000030000002800000070'
            $cut.warnings -join "`n" | Should -Match 'Failed to decode the WinHTTP proxy .*runs past the end'
            $cut.reachability[0].route | Should -Be 'direct'
        }
        It 'reports a forced proxy route that has no proxy instead of probing another way' {
            Use-WinSimHost -Path (Join-Path $scenarios 'healthy.json')
            $row = (Invoke-EntraSyncModule -Name agent_host_info -Arguments @{ probe = @('login.windows.net:443'); probe_route = 'winhttp_proxy' }).reachability[0]
            $row.reachable | Should -BeNullOrEmpty
            $row.error | Should -Match 'no such proxy is configured'
            Should -Invoke -CommandName Invoke-EntraSyncNetworkProbe -Times 0 -Exactly -Scope It
        }
    }

    Context 'reads that fail' {
        It 'CIM fails: OS and domain are unknown (null) with a warning, not a workgroup host' {
            Use-WinSimHost -Scenario (Get-HostFrom 'healthy' @{ failures = @(@{ command = 'Get-CimInstance'; match = @{ ClassName = 'Win32_OperatingSystem' }; error = 'rpc_unavailable' }) })
            $result = Invoke-EntraSyncModule -Name agent_host_info
            $result.os.caption | Should -BeNullOrEmpty
            $result.domain.joined | Should -BeNullOrEmpty
            $result.domain.is_domain_controller | Should -BeNullOrEmpty
            $result.warnings -join "`n" | Should -Match 'Failed to read the operating system through CIM: The RPC server is unavailable'
        }
        It 'the execution policy cannot be read: null per scope with a warning' {
            Use-WinSimHost -Scenario (Get-HostFrom 'healthy' @{ failures = @(@{ command = 'Get-ExecutionPolicy'; error = 'access_denied' }) })
            $result = Invoke-EntraSyncModule -Name agent_host_info
            $result.execution_policy.local_machine | Should -BeNullOrEmpty
            $result.warnings -join "`n" | Should -Match 'Failed to read the execution policy'
        }
        It 'the agent config cannot be read: proxy unknown (null) with a warning, not "no proxy"' {
            Use-WinSimHost -Scenario (Get-HostFrom 'proxy_configured' @{ failures = @(@{ command = 'Get-Content'; error = 'access_denied' }) })
            $result = Invoke-EntraSyncModule -Name agent_host_info
            $result.proxy.configured | Should -BeNullOrEmpty
            $result.warnings -join "`n" | Should -Match 'Failed to read the proxy settings from .*Access is denied'
        }
        It 'the agent config is not XML: a warning' {
            Use-WinSimHost -Scenario (Get-HostFrom 'proxy_configured' @{ files = @{ $agentConfig = @{ content = '<configuration><system.net>' } } })
            (Invoke-EntraSyncModule -Name agent_host_info).warnings -join "`n" | Should -Match 'Failed to read the proxy settings'
        }
        It 'VaultSvc is missing: null with a warning' {
            Use-WinSimHost -Scenario (Get-HostFrom 'healthy' @{ services = @() })
            $result = Invoke-EntraSyncModule -Name agent_host_info
            $result.credential_manager.start_mode | Should -BeNullOrEmpty
            $result.warnings | Should -Contain 'The Credential Manager service (VaultSvc) was not found'
        }
    }

    Context 'bad input' {
        BeforeAll { Use-WinSimHost -Path (Join-Path $scenarios 'healthy.json') }
        It 'refuses a probe that is not host:port, naming the option, before reading anything' {
            $result = Invoke-EntraSyncModule -Name agent_host_info -Arguments @{ probe = @('login.microsoftonline.com') }
            $result.failed | Should -BeTrue
            $result.msg | Should -Be "probe entries must be host:port, got 'login.microsoftonline.com'"
            Get-WinSimCall | Should -BeNullOrEmpty
        }
        It 'refuses a port above 65535' {
            (Invoke-EntraSyncModule -Name agent_host_info -Arguments @{ probe = @('a.example:70000') }).msg | Should -Match '^probe entries must be host:port'
        }
        It 'refuses a product code that is not a braced GUID, before reading anything' {
            $result = Invoke-EntraSyncModule -Name agent_host_info -Arguments @{ agent_product_codes = @('6C2E6A5D-2B8F-4C3E-9A71-0D5E6F7A8B9C') }
            $result.failed | Should -BeTrue
            $result.msg | Should -Match '^agent_product_codes entries must be product codes'
            Get-WinSimCall | Should -BeNullOrEmpty
        }
        It 'refuses an unknown probe_route (Ansible.Basic choices)' {
            $result = Invoke-EntraSyncModule -Name agent_host_info -Arguments @{ probe_route = 'socks' }
            $result.failed | Should -BeTrue
            $result.msg | Should -Match 'probe_route'
        }
    }
}

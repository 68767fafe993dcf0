# gmsa_host_info (reads) and gmsa_host (installs) on the simulated Windows and AD (areas/ActiveDirectory.ps1).
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHarness.ps1')
    $infoScenarios = Join-Path $PSScriptRoot 'scenarios' 'gmsa_host_info'
    $hostScenarios = Join-Path $PSScriptRoot 'scenarios' 'gmsa_host'
    $gmsaDn = 'CN=provAgentgMSA,CN=Managed Service Accounts,DC=contoso,DC=com'
    Function Get-Healthy { Read-WinSimHost -Path (Join-Path $infoScenarios 'healthy.json') }
    Function Get-ChangedCommand { @(Get-WinSimCall -Changed | ForEach-Object { $_.command }) }
}

Describe 'gmsa_host_info' {
    BeforeAll { Enable-WinSimBoundary }

    Context 'the gMSA exists, is installed and usable, and this computer may retrieve its password' {
        BeforeAll {
            Use-WinSimHost -Path (Join-Path $infoScenarios 'healthy.json')
            $result = Invoke-EntraSyncModule -Name gmsa_host_info -Arguments @{ name = 'CONTOSO\provAgentgMSA' }
        }
        It 'returns every documented value, raw' {
            $result.changed | Should -BeFalse
            $result.name | Should -Be 'provAgentgMSA$'
            $result.exists | Should -BeTrue
            $result.installed | Should -BeTrue
            $result.usable | Should -BeTrue
            $result.can_retrieve_password | Should -BeTrue
            $result.host_encryption_types | Should -Be 2147483672 -Because 'the negative REG_DWORD is read unsigned'
            $result.account_encryption_types | Should -Be 24
            $result.principals_allowed_to_retrieve | Should -Be @('CONTOSO\AGENT01$', 'CONTOSO\SYNC02$')
            $result.ad_module_available | Should -BeTrue
            $result.ad_error | Should -BeNullOrEmpty
        }
        It 'leaves the encryption overlap to Python' {
            $result.Contains('encryption_overlap') | Should -BeFalse
            $result.Contains('encryption_types_compatible') | Should -BeFalse
        }
        It 'changes nothing' {
            Get-WinSimCall -Changed | Should -BeNullOrEmpty
        }
    }

    Context 'no domain controller answers' {
        BeforeAll {
            Use-WinSimHost -Path (Join-Path $infoScenarios 'ad_unreachable.json')
            $result = Invoke-EntraSyncModule -Name gmsa_host_info -Arguments @{ name = 'provAgentgMSA$' }
        }
        It 'says the existence is unknown (null), never false, with the raw error' {
            $result.exists | Should -BeNullOrEmpty
            $result.Contains('exists') | Should -BeTrue
            $result.usable | Should -BeNullOrEmpty
            $result.ad_error.types | Should -Contain 'Microsoft.ActiveDirectory.Management.ADServerDownException'
            $result.warnings -join "`n" | Should -Match 'whether it exists is unknown'
        }
    }

    Context 'the ActiveDirectory module is missing' {
        It 'reads the host side and returns null AD facts with a warning' {
            Use-WinSimHost -Path (Join-Path $infoScenarios 'ad_module_missing.json')
            $result = Invoke-EntraSyncModule -Name gmsa_host_info -Arguments @{ name = 'provAgentgMSA$' }
            $result.ad_module_available | Should -BeFalse
            $result.exists | Should -BeNullOrEmpty
            $result.installed | Should -BeTrue
            $result.warnings -join "`n" | Should -Match 'RSAT-AD-PowerShell'
        }
    }

    Context 'the account does not exist' {
        It 'says exists=false and usable=false (read, not guessed)' {
            Use-WinSimHost -Path (Join-Path $infoScenarios 'not_found.json')
            $result = Invoke-EntraSyncModule -Name gmsa_host_info -Arguments @{ name = 'provAgentgMSA$' }
            $result.exists | Should -BeFalse
            $result.usable | Should -BeFalse
            $result.ad_error | Should -BeNullOrEmpty
        }
    }

    Context 'a principal allowed to retrieve the password cannot be read' {
        It 'gives can_retrieve_password null (unknown), not false' {
            $hostState = Merge-WinSimMap -Base (Get-Healthy) -Override @{
                active_directory = @{ objects = @{ $gmsaDn = @{ PrincipalsAllowedToRetrieveManagedPassword = @('CN=Tier0-Servers,OU=Groups,DC=contoso,DC=com') } } }
                failures = @(@{ command = 'Get-ADObject'; match = @{ Identity = 'CN=Tier0-Servers*' }; error = 'access_denied' })
            }
            Use-WinSimHost -Scenario $hostState
            $result = Invoke-EntraSyncModule -Name gmsa_host_info -Arguments @{ name = 'provAgentgMSA$' }
            $result.can_retrieve_password | Should -BeNullOrEmpty
            $result.principals_allowed_to_retrieve | Should -Be @('CN=Tier0-Servers,OU=Groups,DC=contoso,DC=com')
            $result.warnings -join "`n" | Should -Match 'Access is denied'
        }
    }

    Context 'Test-ADServiceAccount fails' {
        It 'gives usable null with a warning, not false' {
            $hostState = Merge-WinSimMap -Base (Get-Healthy) -Override @{ failures = @(@{ command = 'Test-ADServiceAccount'; error = 'access_denied' }) }
            Use-WinSimHost -Scenario $hostState
            $result = Invoke-EntraSyncModule -Name gmsa_host_info -Arguments @{ name = 'provAgentgMSA$' }
            $result.usable | Should -BeNullOrEmpty
            $result.warnings -join "`n" | Should -Match 'Test-ADServiceAccount provAgentgMSA\$ failed'
        }
    }

    Context 'bad input' {
        BeforeAll { Use-WinSimHost -Path (Join-Path $infoScenarios 'healthy.json') }
        It 'refuses a name that cannot be a sAMAccountName, before reading anything, and names the option' {
            $result = Invoke-EntraSyncModule -Name gmsa_host_info -Arguments @{ name = 'a-name-much-too-long-for-sam$' }
            $result.failed | Should -BeTrue
            $result.msg | Should -Match '^name must be the sAMAccountName'
            Get-WinSimCall | Should -BeNullOrEmpty
        }
        It 'refuses domain_username without domain_password (shared domain-connection spec)' {
            $result = Invoke-EntraSyncModule -Name gmsa_host_info -Arguments @{ name = 'provAgentgMSA$'; domain_username = 'CONTOSO\reader' }
            $result.failed | Should -BeTrue
            $result.msg | Should -Match 'domain_username, domain_password'
        }
    }

    Context 'domain credentials' {
        It 'passes -Server and a PSCredential to the AD reads, and no plain password to any command' {
            Use-WinSimHost -Path (Join-Path $infoScenarios 'healthy.json')
            $null = Invoke-EntraSyncModule -Name gmsa_host_info -Arguments @{
                name = 'provAgentgMSA$'; domain_server = 'dc01.contoso.com'; domain_username = 'CONTOSO\reader'; domain_password = 'Read-Pa55!' }
            $read = Get-WinSimCall | Where-Object { $_.command -eq 'Get-ADServiceAccount' }
            $read.parameters.Server | Should -Be 'dc01.contoso.com'
            $read.parameters.Credential.GetNetworkCredential().Password | Should -Be 'Read-Pa55!'
            foreach ($call in (Get-WinSimCall)) {
                foreach ($value in $call.parameters.Values) { "$value" | Should -Not -Match 'Read-Pa55!' }
            }
        }
    }
}

Describe 'gmsa_host' {
    BeforeAll { Enable-WinSimBoundary }

    It '<Module> warns when it does not run as SYSTEM (no task-level become): the AD answers are then that user''s' -ForEach @(
        @{ Module = 'gmsa_host_info' }, @{ Module = 'gmsa_host' }
    ) {
        Use-WinSimHost -Path (Join-Path $hostScenarios 'installed_now.json')
        $result = Invoke-EntraSyncModule -Name $Module -Arguments @{ name = 'provAgentgMSA$' } -CheckMode
        $result.Contains('warnings') -and ($result.warnings -match 'not SYSTEM') | Should -BeFalse
        $env:USERNAME = 'da-cloudsync'
        $env:USERDOMAIN = 'CONTOSO'
        $result = Invoke-EntraSyncModule -Name $Module -Arguments @{ name = 'provAgentgMSA$' } -CheckMode
        $result.warnings -join "`n" | Should -Match 'runs as CONTOSO\\da-cloudsync, not SYSTEM'
        Get-Content -LiteralPath (Join-Path $script:ModulesDir "$Module.ps1") | Should -Not -Contain '#AnsibleRequires -Become'
    }

    Context 'the gMSA is not installed here yet' {
        BeforeAll { $scenario = Join-Path $hostScenarios 'installed_now.json' }
        It 'check mode: changed with a diff, nothing installed' {
            Use-WinSimHost -Path $scenario
            $result = Invoke-EntraSyncModule -Name gmsa_host -Arguments @{ name = 'provAgentgMSA$'; state = 'present' } -CheckMode -Diff
            $result.changed | Should -BeTrue
            $result.diff.before.installed | Should -BeFalse
            $result.diff.after.installed | Should -BeTrue
            Get-WinSimCall -Changed | Should -BeNullOrEmpty
        }
        It 'installs it, then a rerun changes nothing' {
            Use-WinSimHost -Path $scenario
            $first = Invoke-EntraSyncModule -Name gmsa_host -Arguments @{ name = 'provAgentgMSA$'; state = 'present' }
            $first.changed | Should -BeTrue
            $first.installed | Should -BeTrue
            $first.usable | Should -BeTrue
            Get-ChangedCommand | Should -Be @('Install-ADServiceAccount')
            $before = (Get-WinSimCall -Changed).Count
            $second = Invoke-EntraSyncModule -Name gmsa_host -Arguments @{ name = 'provAgentgMSA$'; state = 'present' }
            $second.changed | Should -BeFalse
            (Get-WinSimCall -Changed).Count | Should -Be $before
        }
    }

    Context 'installed but not usable (no common encryption type)' {
        It 'warns and does not reinstall on every run' {
            Use-WinSimHost -Scenario (Merge-WinSimMap -Base (Get-Healthy) -Override @{
                    active_directory = @{ objects = @{ $gmsaDn = @{ 'msDS-SupportedEncryptionTypes' = 4 } } }
                    registry = @{ 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System\Kerberos\Parameters' = @{ SupportedEncryptionTypes = 24 } } })
            $result = Invoke-EntraSyncModule -Name gmsa_host -Arguments @{ name = 'provAgentgMSA$'; state = 'present' }
            $result.changed | Should -BeFalse
            $result.usable | Should -BeFalse
            $result.warnings -join "`n" | Should -Match 'installed here but Test-ADServiceAccount does not return True'
            Get-WinSimCall -Changed | Should -BeNullOrEmpty
        }
    }

    Context 'AD cannot be read' {
        It 'fails saying the existence is unknown, never "not found", and installs nothing' {
            Use-WinSimHost -Scenario (Merge-WinSimMap -Base (Get-Healthy) -Override @{ active_directory = @{ server_down = $true; installed_service_accounts = @() } })
            $result = Invoke-EntraSyncModule -Name gmsa_host -Arguments @{ name = 'provAgentgMSA$'; state = 'present' }
            $result.failed | Should -BeTrue
            $result.msg | Should -Match 'whether it exists in AD is unknown'
            $result.msg | Should -Not -Match 'not found'
            $result.exists | Should -BeNullOrEmpty
            Get-WinSimCall -Changed | Should -BeNullOrEmpty
        }
    }

    Context 'the account does not exist' {
        It 'fails without a change' {
            Use-WinSimHost -Path (Join-Path $infoScenarios 'not_found.json')
            $result = Invoke-EntraSyncModule -Name gmsa_host -Arguments @{ name = 'provAgentgMSA$'; state = 'present' }
            $result.failed | Should -BeTrue
            $result.msg | Should -Match 'does not exist in AD'
            Get-WinSimCall -Changed | Should -BeNullOrEmpty
        }
    }

    Context 'this computer may not retrieve the password' {
        It 'fails with the raw install error' {
            Use-WinSimHost -Path (Join-Path $hostScenarios 'install_access_denied.json')
            $result = Invoke-EntraSyncModule -Name gmsa_host -Arguments @{ name = 'provAgentgMSA$' }
            $result.failed | Should -BeTrue
            $result.install_error.types | Should -Contain 'Microsoft.ActiveDirectory.Management.ADException'
            $result.can_retrieve_password | Should -BeFalse
        }
    }

    Context 'state=absent' {
        It 'uninstalls an installed gMSA (check mode first), and changes nothing when it is not installed' {
            Use-WinSimHost -Path (Join-Path $infoScenarios 'healthy.json')
            $check = Invoke-EntraSyncModule -Name gmsa_host -Arguments @{ name = 'provAgentgMSA$'; state = 'absent' } -CheckMode
            $check.changed | Should -BeTrue
            Get-WinSimCall -Changed | Should -BeNullOrEmpty
            $done = Invoke-EntraSyncModule -Name gmsa_host -Arguments @{ name = 'provAgentgMSA$'; state = 'absent' }
            $done.changed | Should -BeTrue
            $done.installed | Should -BeFalse
            Get-ChangedCommand | Should -Be @('Uninstall-ADServiceAccount')
            $again = Invoke-EntraSyncModule -Name gmsa_host -Arguments @{ name = 'provAgentgMSA$'; state = 'absent' }
            $again.changed | Should -BeFalse
        }
    }

    Context 'state=query (deprecated)' {
        It 'only reads, and says to use gmsa_host_info' {
            Use-WinSimHost -Path (Join-Path $hostScenarios 'installed_now.json')
            $result = Invoke-EntraSyncModule -Name gmsa_host -Arguments @{ name = 'provAgentgMSA$'; state = 'query' }
            $result.changed | Should -BeFalse
            $result.deprecations.msg | Should -Match 'gmsa_host_info'
            Get-WinSimCall -Changed | Should -BeNullOrEmpty
        }
    }
}

# service_account_info: a service's logon account and that account's status, read-only.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHarness.ps1')
    $scenarios = Join-Path $PSScriptRoot 'scenarios' 'service_account_info'
    $modulePath = Join-Path $script:ModulesDir 'service_account_info.ps1'

    Function Get-ScenarioHost {
        <# A scenario file's host with overrides laid over it. #>
        param ([string]$Name, [System.Collections.IDictionary]$Override = @{})
        Merge-WinSimMap -Base (Read-WinSimHost -Path (Join-Path $scenarios "$Name.json")) -Override $Override
    }

    Function ConvertTo-UtcText {
        # The result JSON holds ISO 8601 text; ConvertFrom-Json (the harness) turns it into a DateTime.
        param ($Value)
        if ($null -eq $Value) { return $null }
        ([DateTime]$Value).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
    }

    Function Get-ServiceResult {
        param ($Result, [string]$Name)
        $Result.services | Where-Object { $_.name -eq $Name }
    }

    # An ADSync domain user whose attributes the test sets; the rest as in healthy.json.
    Function Use-AdsyncAccount {
        param ([System.Collections.IDictionary]$Attributes)
        Use-WinSimHost -Scenario (Get-ScenarioHost -Name healthy -Override @{ directory = @{ accounts = @{ 'svc-adsync' = $Attributes } } })
        Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('ADSync') }
    }
}

Describe 'service_account_info' {
    BeforeAll { Enable-WinSimBoundary }

    Context 'the agent runs as its gMSA and ADSync as an enabled domain user' {
        BeforeAll {
            Use-WinSimHost -Path (Join-Path $scenarios 'healthy.json')
            $result = Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('AADConnectProvisioningAgent', 'ADSync') }
            $agent = Get-ServiceResult -Result $result -Name 'AADConnectProvisioningAgent'
            $adsync = Get-ServiceResult -Result $result -Name 'ADSync'
        }
        It 'returns one entry per service in the order asked and changes nothing' {
            $result.changed | Should -BeFalse
            $result.services.name | Should -Be @('AADConnectProvisioningAgent', 'ADSync')
            Get-WinSimCall -Changed | Should -BeNullOrEmpty
            $result.Contains('warnings') | Should -BeFalse
        }
        It 'reports the service configuration and the managed-account flag' {
            $agent.exists | Should -BeTrue
            $agent.state | Should -Be 'Running'
            $agent.start_mode | Should -Be 'Auto'
            $agent.start_name | Should -Be 'CONTOSO\provAgentgMSA$'
            $agent.managed_account | Should -BeTrue
            $adsync.managed_account | Should -BeFalse
        }
        It 'reads the gMSA from AD: kind, SID, flags and dates' {
            $agent.account.kind | Should -Be 'gmsa'
            $agent.account.sid | Should -Be 'S-1-5-21-3623811015-3361044348-30300820-1609'
            $agent.account.name | Should -Be 'CONTOSO\provAgentgMSA$'
            $agent.account.enabled | Should -BeTrue
            $agent.account.locked_out | Should -BeFalse
            $agent.account.password_expired | Should -BeFalse
            $agent.account.must_change_password | Should -BeFalse
            $agent.account.expired | Should -BeFalse
            $agent.account.account_expires | Should -BeNullOrEmpty
        }
        It 'reads pwdLastSet whose low half is negative (issue 11 item 1)' {
            # 133905384110000000 = 0x01DBBA3C_C5638780: LowPart -983332992.
            ConvertTo-UtcText $agent.account.password_last_set | Should -Be '2025-05-01T02:00:11Z'
        }
        It 'reads a domain user the same way' {
            $adsync.account.kind | Should -Be 'user'
            $adsync.account.enabled | Should -BeTrue
            ConvertTo-UtcText $adsync.account.password_last_set | Should -Be '2025-01-15T10:22:03Z'
        }
        It 'binds to the domain of the logon account, without a credential when none is given' {
            $binds = @(Get-WinSimCall | Where-Object { $_.command -eq 'Get-EntraSyncDirectoryAccount' })
            $binds.Count | Should -Be 2
            $binds[0].parameters.Root | Should -Be 'LDAP://CONTOSO'
            $binds[0].parameters.SamAccountName | Should -Be 'provAgentgMSA$'
            $binds[0].parameters.Contains('BindCredential') | Should -BeFalse
        }
        It 'returns the same in check mode' {
            $checked = Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('AADConnectProvisioningAgent', 'ADSync') } -CheckMode
            $checked.changed | Should -BeFalse
            ($checked.services | ConvertTo-Json -Depth 8) | Should -Be ($result.services | ConvertTo-Json -Depth 8)
        }
    }

    Context 'AD large integers (IADsLargeInteger halves), issue 11 item 1' {
        It 'reads accountExpires "never" (0x7FFFFFFFFFFFFFFF, LowPart -1) as no expiry, not as unknown' {
            $r = Use-AdsyncAccount -Attributes @{ accountExpires = [Int64]::MaxValue }
            $r.services[0].account.kind | Should -Be 'user'
            $r.services[0].account.expired | Should -BeFalse
            $r.services[0].account.account_expires | Should -BeNullOrEmpty
            $r.Contains('warnings') | Should -BeFalse
        }
        It 'reads a pwdLastSet with a negative low half to the second' {
            # 0x01DB6737_C0000000: LowPart = -1073741824.
            $r = Use-AdsyncAccount -Attributes @{ pwdLastSet = 0x01DB6737C0000000 }
            $r.services[0].account.kind | Should -Be 'user'
            ConvertTo-UtcText $r.services[0].account.password_last_set | Should -Be ([DateTime]::FromFileTimeUtc(0x01DB6737C0000000).ToString('yyyy-MM-ddTHH:mm:ssZ'))
        }
        It 'reads pwdLastSet 0 as must change at next logon and accountExpires 0 as never' {
            $r = Use-AdsyncAccount -Attributes @{ pwdLastSet = 0; accountExpires = 0 }
            $r.services[0].account.must_change_password | Should -BeTrue
            $r.services[0].account.password_last_set | Should -BeNullOrEmpty
            $r.services[0].account.account_expires | Should -BeNullOrEmpty
            $r.services[0].account.expired | Should -BeFalse
        }
        It 'reads an expiry date in the past as expired' {
            $r = Use-AdsyncAccount -Attributes @{ accountExpires = 133957944000000000 }
            ConvertTo-UtcText $r.services[0].account.account_expires | Should -Be '2025-06-30T22:00:00Z'
            $r.services[0].account.expired | Should -BeTrue
        }
    }

    Context 'account states of the fixtures' {
        It '<Name>: <Field> is <Expected>' -ForEach @(
            @{ Name = 'adsync_disabled'; Field = 'enabled'; Expected = $false }
            @{ Name = 'adsync_locked_out'; Field = 'locked_out'; Expected = $true }
            @{ Name = 'adsync_password_expired'; Field = 'password_expired'; Expected = $true }
            @{ Name = 'adsync_must_change_password'; Field = 'must_change_password'; Expected = $true }
            @{ Name = 'adsync_account_expired'; Field = 'expired'; Expected = $true }
        ) {
            Use-WinSimHost -Path (Join-Path $scenarios "$Name.json")
            $r = Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('ADSync') }
            $r.services[0].account.kind | Should -Be 'user'
            $r.services[0].account[$Field] | Should -Be $Expected
        }
    }

    Context 'accounts without status' {
        It 'a virtual account: kind virtual, no AD read, every status null' {
            Use-WinSimHost -Path (Join-Path $scenarios 'agent_virtual_account.json')
            $r = Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('AADConnectProvisioningAgent') }
            $r.services[0].account.kind | Should -Be 'virtual'
            $r.services[0].account.enabled | Should -BeNullOrEmpty
            Get-WinSimCall | Where-Object { $_.command -eq 'Get-EntraSyncDirectoryAccount' } | Should -BeNullOrEmpty
        }
        It 'LocalSystem: kind builtin, named by its SID' {
            Use-WinSimHost -Path (Join-Path $scenarios 'updater_localsystem.json')
            $r = Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('AzureADConnectAgentUpdater') }
            $r.services[0].account.kind | Should -Be 'builtin'
            $r.services[0].account.sid | Should -Be 'S-1-5-18'
            $r.services[0].account.name | Should -Be 'NT AUTHORITY\SYSTEM'
        }
        It 'a service that does not exist: exists false, account null, no failure' {
            Use-WinSimHost -Path (Join-Path $scenarios 'service_missing.json')
            $r = Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('ADSync') }
            $r.Contains('failed') | Should -BeFalse
            $r.services[0].exists | Should -BeFalse
            $r.services[0].account | Should -BeNullOrEmpty
            $r.services[0].managed_account | Should -BeNullOrEmpty
        }
    }

    Context 'a local user account' {
        BeforeAll {
            $localHost = Get-ScenarioHost -Name healthy -Override @{
                services = @(@{ Name = 'ADSync'; DisplayName = 'Microsoft Azure AD Sync'; Status = 'Stopped'; StartType = 'Automatic'; StartName = '.\svc-local'; PathName = 'C:\miiserver.exe' })
                accounts = @{ 'S-1-5-21-1-2-3-1001' = 'AGENT01\svc-local' }
            }
        }
        It 'reads it through the WinNT provider: disabled, expiry in the past' {
            Use-WinSimHost -Scenario (Merge-WinSimMap -Base $localHost -Override @{
                    local_accounts = @{ 'svc-local' = @{ UserFlags = 0x202; PasswordAge = 86400; PasswordExpired = 0; IsAccountLocked = $false; AccountExpirationDate = '2025-01-01T00:00:00Z' } } })
            $r = Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('ADSync') }
            $account = $r.services[0].account
            $account.name | Should -Be 'AGENT01\svc-local'
            $account.kind | Should -Be 'user'
            $account.enabled | Should -BeFalse
            $account.locked_out | Should -BeFalse
            $account.password_expired | Should -BeFalse
            $account.must_change_password | Should -BeFalse
            ConvertTo-UtcText $account.account_expires | Should -Be '2025-01-01T00:00:00Z'
            $account.expired | Should -BeTrue
            ConvertTo-UtcText $account.password_last_set | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$'
        }
        It 'tells "must change" (age 0) from "expired" (age > 0)' {
            Use-WinSimHost -Scenario (Merge-WinSimMap -Base $localHost -Override @{
                    local_accounts = @{ 'svc-local' = @{ UserFlags = 0x200; PasswordAge = 0; PasswordExpired = 1; IsAccountLocked = $true } } })
            $account = (Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('ADSync') }).services[0].account
            $account.must_change_password | Should -BeTrue
            $account.password_expired | Should -BeFalse
            $account.locked_out | Should -BeTrue
            $account.account_expires | Should -BeNullOrEmpty
            $account.expired | Should -BeFalse
        }
        It 'a local user the provider cannot find: unknown with a warning' {
            Use-WinSimHost -Scenario $localHost
            $r = Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('ADSync') }
            $r.services[0].account.kind | Should -Be 'unknown'
            $r.services[0].account.enabled | Should -BeNullOrEmpty
            $r.warnings | Should -Contain 'Failed to read account status of .\svc-local: The user name could not be found.'
        }
    }

    Context 'reads that fail give unknown or null with a warning, never a healthy account' {
        It 'no domain controller answers: kind unknown, every status null' {
            Use-WinSimHost -Path (Join-Path $scenarios 'domain_unreachable.json')
            $r = Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('ADSync') }
            $account = $r.services[0].account
            $account.kind | Should -Be 'unknown'
            foreach ($status in 'enabled', 'locked_out', 'expired', 'password_expired', 'must_change_password', 'password_last_set', 'account_expires') {
                $account[$status] | Should -BeNullOrEmpty -Because "$status was not read"
            }
            $r.warnings | Should -Be @('Failed to read account status of CONTOSO\svc-adsync: The server is not operational.')
        }
        It 'the account is not in AD: unknown with a warning' {
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name healthy -Override @{ directory = @{ accounts = @{ 'svc-adsync' = $null } } })
            $r = Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('ADSync') }
            $r.services[0].account.kind | Should -Be 'unknown'
            $r.warnings | Should -Contain 'Failed to read account status of CONTOSO\svc-adsync: no account named svc-adsync was found in LDAP://CONTOSO'
        }
        It 'userAccountControl not readable: unknown, not enabled' {
            $r = Use-AdsyncAccount -Attributes @{ userAccountControl = $null }
            $r.services[0].account.kind | Should -Be 'unknown'
            $r.services[0].account.enabled | Should -BeNullOrEmpty
            $r.warnings | Should -Contain 'Failed to read account status of CONTOSO\svc-adsync: userAccountControl of svc-adsync could not be read from LDAP://CONTOSO'
        }
        It 'the constructed flags not readable: locked_out and password_expired null, the rest read' {
            $r = Use-AdsyncAccount -Attributes @{ 'msDS-User-Account-Control-Computed' = $null }
            $account = $r.services[0].account
            $account.kind | Should -Be 'user'
            $account.enabled | Should -BeTrue
            $account.locked_out | Should -BeNullOrEmpty
            $account.password_expired | Should -BeNullOrEmpty
            $r.warnings -join "`n" | Should -Match 'msDS-User-Account-Control-Computed of svc-adsync could not be read'
        }
        It 'pwdLastSet and accountExpires not readable: their fields null with warnings' {
            $r = Use-AdsyncAccount -Attributes @{ pwdLastSet = $null; accountExpires = $null }
            $account = $r.services[0].account
            $account.must_change_password | Should -BeNullOrEmpty
            $account.password_last_set | Should -BeNullOrEmpty
            $account.expired | Should -BeNullOrEmpty
            @($r.warnings).Count | Should -Be 2
        }
        It 'Win32_Service denied: existence unknown with a warning, never "does not exist"' {
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name healthy -Override @{
                    failures = @(@{ command = 'Get-CimInstance'; error = 'access_denied' }) })
            $r = Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('ADSync') }
            $null -eq $r.services[0].exists | Should -BeTrue -Because 'unknown is null, not false'
            $r.warnings | Should -Contain 'Win32_Service of ADSync could not be read although the service exists; its configuration is unknown'
        }
        It 'neither Win32_Service nor the service control manager answers: existence unknown' {
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name healthy -Override @{
                    failures = @(@{ command = 'Get-CimInstance'; error = 'access_denied' }, @{ command = 'Get-Service'; error = 'rpc_unavailable' }) })
            $r = Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('ADSync') }
            $r.services[0].Contains('exists') | Should -BeTrue
            $null -eq $r.services[0].exists | Should -BeTrue
            $r.warnings -join "`n" | Should -Match 'Whether the service ADSync exists could not be read: The RPC server is unavailable'
        }
        It 'a gMSA logon account without a domain: unknown with the reason, no bind' {
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name healthy -Override @{
                    services = @(@{ Name = 'ADSync'; DisplayName = 'Microsoft Azure AD Sync'; Status = 'Stopped'; StartType = 'Automatic'; StartName = 'svc-adsync$'; PathName = 'C:\miiserver.exe' }) })
            $r = Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('ADSync') }
            $r.services[0].account.kind | Should -Be 'unknown'
            $r.warnings | Should -Contain 'Failed to read account status of svc-adsync$: the logon account names no domain (DOMAIN\name or name@domain expected)'
            Get-WinSimCall | Where-Object { $_.command -eq 'Get-EntraSyncDirectoryAccount' } | Should -BeNullOrEmpty
        }
        It 'a service whose logon account cannot be read: unknown with a warning, not a crash' {
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name healthy -Override @{
                    services = @(@{ Name = 'ADSync'; DisplayName = 'Microsoft Azure AD Sync'; Status = 'Stopped'; StartType = 'Automatic'; StartName = $null; PathName = 'C:\miiserver.exe' }) })
            $r = Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('ADSync') }
            $r.services[0].account.kind | Should -Be 'unknown'
            $r.services[0].account.sid | Should -BeNullOrEmpty
            $r.warnings | Should -Contain 'The logon account of ADSync could not be read; its status is unknown'
        }
    }

    Context 'binding with an explicit account (the WinRM double hop)' {
        BeforeAll {
            $doubleHop = Get-ScenarioHost -Name healthy -Override @{ directory = @{ requires_credential = $true } }
        }
        It 'without one, a bind that fails gives unknown with the reason' {
            Use-WinSimHost -Scenario $doubleHop
            $r = Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('ADSync') }
            $r.services[0].account.kind | Should -Be 'unknown'
            $r.warnings | Should -Contain 'Failed to read account status of CONTOSO\svc-adsync: An operations error occurred.'
        }
        It 'with domain_username and domain_password, binds as that account to domain_server' {
            Use-WinSimHost -Scenario $doubleHop
            $r = Invoke-EntraSyncModule -Name service_account_info -Arguments @{
                name = @('ADSync'); domain_server = 'dc01.contoso.com'; domain_username = 'CONTOSO\svc-reader'; domain_password = 'Reader-Pa55!'
            }
            $r.services[0].account.kind | Should -Be 'user'
            $bind = Get-WinSimCall | Where-Object { $_.command -eq 'Get-EntraSyncDirectoryAccount' }
            $bind.parameters.Root | Should -Be 'LDAP://dc01.contoso.com'
            $bind.parameters.BindCredential | Should -BeOfType ([System.Net.NetworkCredential])
            $bind.parameters.BindCredential.UserName | Should -Be 'CONTOSO\svc-reader'
            $bind.parameters.BindCredential.Password | Should -Be 'Reader-Pa55!'
            ($r | ConvertTo-Json -Depth 10) | Should -Not -Match 'Reader-Pa55!'
        }
        It 'no value of domain_password reaches a command parameter (Module Logging records them; issue 11 item 15)' {
            $files = @($modulePath, (Join-Path $script:ModuleUtilsDir '_EntraSyncDirectory.psm1'))
            foreach ($file in $files) {
                $ast = [System.Management.Automation.Language.Parser]::ParseFile($file, [ref]$null, [ref]$null)
                $commands = $ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.CommandAst] }, $true)
                foreach ($command in $commands) {
                    foreach ($element in $command.CommandElements | Select-Object -Skip 1) {
                        $element.Extent.Text | Should -Not -Match 'domain_password|domainPassword|\.Password\b|AsPlainText' -Because "$($command.Extent.Text) in $file"
                    }
                }
            }
        }
    }

    Context 'bad input fails before anything is read' {
        BeforeAll { Use-WinSimHost -Path (Join-Path $scenarios 'healthy.json') }
        It 'domain_username without domain_password' {
            $r = Invoke-EntraSyncModule -Name service_account_info -Arguments @{ name = @('ADSync'); domain_username = 'CONTOSO\svc-reader' }
            $r.failed | Should -BeTrue
            $r.msg | Should -Match 'parameters are required together: domain_username, domain_password'
            Get-WinSimCall | Should -BeNullOrEmpty
        }
        It 'no service name' {
            $r = Invoke-EntraSyncModule -Name service_account_info -Arguments @{}
            $r.failed | Should -BeTrue
            $r.msg | Should -Match 'missing required arguments: name'
        }
    }
}

# logon_right_info: holders from LSA and the winning GPO from RSoP, read-only.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHarness.ps1')
    $scenarios = Join-Path $PSScriptRoot 'scenarios' 'logon_right_info'
}

Describe 'logon_right_info' {
    BeforeAll { Enable-WinSimBoundary }
    Context 'a member server with default rights and no GPO defining them' {
        BeforeAll {
            Use-WinSimHost -Path (Join-Path $scenarios 'healthy.json')
            $result = Invoke-EntraSyncModule -Name logon_right_info
        }
        It 'reads the six default rights and changes nothing' {
            $result.changed | Should -BeFalse
            @($result.rights.Keys) | Should -Be @('SeServiceLogonRight', 'SeBatchLogonRight', 'SeInteractiveLogonRight',
                'SeDenyServiceLogonRight', 'SeDenyBatchLogonRight', 'SeDenyInteractiveLogonRight')
            Get-WinSimCall -Changed | Should -BeNullOrEmpty
        }
        It 'names ALL SERVICES by SID and account name' {
            $holders = $result.rights.SeServiceLogonRight.holders
            $holders.sid | Should -Be 'S-1-5-80-0'
            $holders.name | Should -Be 'NT SERVICE\ALL SERVICES'
            $result.rights.SeServiceLogonRight.display_name | Should -Be 'Log on as a service'
        }
        It 'says RSoP was read and no GPO defines the right' {
            $result.rsop_available | Should -BeTrue
            $result.rights.SeServiceLogonRight.gpo.defined | Should -BeFalse
            $result.rights.SeDenyServiceLogonRight.holders | Should -BeNullOrEmpty
        }
    }

    Context 'a GPO defines Log on as a service without ALL SERVICES' {
        BeforeAll {
            Use-WinSimHost -Path (Join-Path $scenarios 'gpo_defines_right_without_all_services.json')
            $result = Invoke-EntraSyncModule -Name logon_right_info -Arguments @{ rights = @('SeServiceLogonRight') }
        }
        It 'names the winning GPO (precedence 1), not the one it overrides' {
            $gpo = $result.rights.SeServiceLogonRight.gpo
            $gpo.defined | Should -BeTrue
            $gpo.name | Should -Be 'Tier0 Server Hardening'
            $gpo.id | Should -Be '{6AC1786C-016F-11D2-945F-00C04FB984F9}'
            $gpo.account_list | Should -Be @('CONTOSO\svc-backup', 'BUILTIN\Administrators')
        }
        It 'reports only the requested right' {
            @($result.rights.Keys) | Should -Be @('SeServiceLogonRight')
        }
    }

    Context 'a SID that no longer translates (a deleted account)' {
        BeforeAll {
            Use-WinSimHost -Scenario (Merge-WinSimMap -Base (Read-WinSimHost -Path (Join-Path $scenarios 'healthy.json')) -Override @{
                    rights = @{ SeServiceLogonRight = @('S-1-5-80-0', 'S-1-5-21-1-2-3-9999') } })
            $result = Invoke-EntraSyncModule -Name logon_right_info -Arguments @{ rights = @('SeServiceLogonRight') }
        }
        It 'keeps the SID with a null name and warns' {
            $orphan = $result.rights.SeServiceLogonRight.holders | Where-Object { $_.sid -eq 'S-1-5-21-1-2-3-9999' }
            $orphan.name | Should -BeNullOrEmpty
            $result.warnings | Should -Contain 'Failed to translate SID S-1-5-21-1-2-3-9999 to an account name: the SID has no account this host can resolve'
        }
    }

    Context 'RSoP cannot be read (access denied)' {
        BeforeAll {
            Use-WinSimHost -Scenario (Merge-WinSimMap -Base (Read-WinSimHost -Path (Join-Path $scenarios 'healthy.json')) -Override @{
                    failures = @(@{ command = 'Get-CimInstance'; match = @{ Namespace = 'root\rsop\computer' }; error = 'access_denied' }) })
            $result = Invoke-EntraSyncModule -Name logon_right_info
        }
        It 'says RSoP is unavailable instead of saying no GPO defines the right' {
            $result.rsop_available | Should -BeFalse
            $result.warnings -join "`n" | Should -Match 'RSoP data could not be read.*Access is denied'
        }
    }

    Context 'LSA refuses to enumerate a right' {
        BeforeAll {
            # The description's failure, answered as the lab's advapi32.dll answers it (Win32 error 5).
            $description = Read-WinSimHost -Path (Join-Path $scenarios 'healthy.json')
            $description.failures = @(@{ command = 'Get-EntraSyncRightHolderSid'; error = 'access_denied'; match = @{ Right = 'SeService*' } })
            Use-WinSimHost -Scenario $description
            $result = Invoke-EntraSyncModule -Name logon_right_info -Arguments @{ rights = @('SeBatchLogonRight', 'SeServiceLogonRight') }
        }
        It 'fails and names the right, never reports an empty holder list' {
            $result.failed | Should -BeTrue
            $result.msg | Should -Match '^Failed to read the holders of SeServiceLogonRight: LsaEnumerateAccountsWithUserRight\(SeServiceLogonRight\) failed'
            $result.Contains('rights') | Should -BeFalse
        }
    }

    Context 'bad input' {
        BeforeAll { Use-WinSimHost -Path (Join-Path $scenarios 'healthy.json') }
        It 'refuses a right that is not a constant, before reading anything' {
            $result = Invoke-EntraSyncModule -Name logon_right_info -Arguments @{ rights = @('Log on as a service') }
            $result.failed | Should -BeTrue
            $result.msg | Should -Match "rights entries must be user right constants"
            Get-WinSimCall | Should -BeNullOrEmpty
        }
        It 'refuses an unknown option (Ansible.Basic validation)' {
            $result = Invoke-EntraSyncModule -Name logon_right_info -Arguments @{ right = 'SeServiceLogonRight' }
            $result.failed | Should -BeTrue
            $result.msg | Should -Match 'Unsupported parameters'
        }
    }
}

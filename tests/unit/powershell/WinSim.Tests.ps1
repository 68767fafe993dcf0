# The simulated Windows itself: what its answers must share with Windows for the module tests to mean anything.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..' '..' 'windows_sim' 'WinSim.psm1') -Force
}

Describe 'WinSim' {
    Context 'host descriptions laid over a base' {
        It 'keeps an empty list and a one-item list as lists' {
            $merged = Merge-WinSimMap -Base @{ rights = @{ SeServiceLogonRight = @('S-1-5-80-0', 'S-1-5-32-544') } } -Override @{
                rights = @{ SeServiceLogonRight = @(); SeBatchLogonRight = @('S-1-5-32-544') } }
            , $merged.rights.SeServiceLogonRight | Should -BeOfType [System.Array]
            $merged.rights.SeServiceLogonRight.Count | Should -Be 0
            , $merged.rights.SeBatchLogonRight | Should -BeOfType [System.Array]
        }
        It 'removes a key the override sets to null' {
            $merged = Merge-WinSimMap -Base @{ a = 1; b = 2 } -Override @{ b = $null }
            $merged.Contains('b') | Should -BeFalse
        }
    }

    Context 'registry values' {
        BeforeAll {
            Set-WinSimScenario -Scenario @{ registry = @{ 'HKLM:\SOFTWARE\Test' = @{
                        small = 1; top_bit = @{ type = 'dword'; value = 2147483648 }; big = 4294967295; qword = @{ type = 'qword'; value = 5 } } } }
            # As a module's Get-Item on a registry path reaches it (the harness routes it so).
            $key = Invoke-WinSimItem -Command 'Get-Item' -Bound @{ LiteralPath = 'HKLM:\SOFTWARE\Test' }
        }
        It 'returns a REG_DWORD as Int32, negative above 0x7FFFFFFF, as the registry provider does' {
            $key.GetValue('small') | Should -BeOfType [int]
            $key.GetValue('top_bit') | Should -Be ([int]::MinValue)
            $key.GetValue('big') | Should -Be -1
            $key.GetValue('qword') | Should -BeOfType [long]
        }
        It 'gives the default for a value the key does not have' {
            $key.GetValue('absent', 'fallback') | Should -Be 'fallback'
        }
    }

    Context 'a Windows command called as Windows PowerShell 5.1 could not call it' {
        It 'refuses a parameter the 5.1 signature lacks' {
            Set-WinSimScenario -Scenario @{}
            { Get-CimInstance -ClassName Win32_Service -Recurse } | Should -Throw -ExpectedMessage '*Recurse*'
        }
    }
}

# What the lab hosts (tests/lab) need beyond the module scenarios: an installer run during which a
# Group Policy refresh changes the rights, relative event times, the execution
# policy kept in the registry, and the KDS root key the agent's default gMSA needs.
Describe 'WinSim for the lab hosts' {
    Context 'an installer run whose changes are a Group Policy refresh' {
        BeforeAll {
            Set-WinSimScenario -Scenario @{
                rights = @{ SeServiceLogonRight = @('S-1-5-80-0') }
                cim = @{ 'root\rsop\computer:RSOP_GPO' = @(@{ id = 'CN={A}'; name = 'Default Domain Policy' }) }
                event_logs = @{ System = @(@{ provider = 'Service Control Manager'; id = 7036; level = 'Information'; time_created = '-PT2H'; record_id = 7; message = 'old' }) }
                installer = @{ runs = @(@{ exit_code = 1603; changes = @{
                                rights = @{ SeServiceLogonRight = @('S-1-5-32-544'); SeBatchLogonRight = $null }
                                cim = @{ 'root\rsop\computer:RSOP_UserPrivilegeRight' = @(@{ UserRight = 'SeServiceLogonRight'; AccountList = @('BUILTIN\Administrators'); precedence = 1; GPOID = 'CN={B}' }) }
                                event_logs = @{ System = @(@{ provider = 'Service Control Manager'; id = 7041; level = 'Error'; message = 'cannot log on' }) }
                            } }) }
            }
            $rightsBefore = Get-WinSimRightHolder -Right SeServiceLogonRight
            $process = Invoke-WinSimCommand -Command 'Start-EntraSyncProcess' -Bound @{ FilePath = 'C:\Temp\setup.exe'; CommandLine = 'C:\Temp\setup.exe /quiet' }
            $exitCode = Invoke-WinSimCommand -Command 'Wait-EntraSyncProcess' -Bound @{ Process = $process }
        }
        It 'leaves the rights as they were while the installer runs' {
            $rightsBefore | Should -Be @('S-1-5-80-0')
        }
        It 'exits with the scripted code' {
            $exitCode | Should -Be 1603
        }
        It 'replaces the holders of a right it names, as the refresh does, and keeps one holder a list' {
            (Get-WinSimState).rights.SeServiceLogonRight -is [array] | Should -BeTrue
            Get-WinSimRightHolder -Right SeServiceLogonRight | Should -Be @('S-1-5-32-544')
        }
        It 'removes a right it sets to null' {
            (Get-WinSimState).rights.Contains('SeBatchLogonRight') | Should -BeFalse
        }
        It 'adds the RSoP rows, so Get-CimInstance shows the GPO that now defines the right' {
            $rows = @(Get-CimInstance -Namespace 'root\rsop\computer' -ClassName RSOP_UserPrivilegeRight)
            $rows.Count | Should -Be 1
            $rows[0].AccountList | Should -Be @('BUILTIN\Administrators')
            @(Get-CimInstance -Namespace 'root\rsop\computer' -ClassName RSOP_GPO).Count | Should -Be 1
        }
        It 'appends the events after the log''s own, stamped with the exit time and the next record id' {
            $events = @(Get-WinEvent -FilterHashtable @{ LogName = 'System' })
            $events.Count | Should -Be 2
            $events[0].Id | Should -Be 7041
            $events[0].RecordId | Should -Be 8
            $events[0].TimeCreated | Should -BeGreaterThan (Get-Date).AddMinutes(-1)
        }
    }

    Context 'an event time relative to now' {
        It 'is read as that long before now, so the event stays inside a look-back window' {
            Set-WinSimScenario -Scenario @{ event_logs = @{ System = @(@{ provider = 'Service Control Manager'; id = 7034; level = 'Error'; time_created = '-PT1H'; record_id = 1; message = 'x' }) } }
            $event = Get-WinEvent -FilterHashtable @{ LogName = 'System'; StartTime = (Get-Date).AddHours(-2) }
            $event.TimeCreated | Should -BeLessThan (Get-Date).AddMinutes(-59)
            $event.TimeCreated | Should -BeGreaterThan (Get-Date).AddMinutes(-61)
        }
    }

    Context 'the execution policy of the machine scopes' {
        It 'comes from the registry value when there is one, as Get-ExecutionPolicy reads it on Windows' {
            Set-WinSimScenario -Scenario @{
                execution_policy = @{ LocalMachine = 'RemoteSigned' }
                registry = @{ 'HKLM:\SOFTWARE\Microsoft\PowerShell\1\ShellIds\Microsoft.PowerShell' = @{ ExecutionPolicy = 'Unrestricted' } }
            }
            Get-ExecutionPolicy -Scope LocalMachine | Should -Be 'Unrestricted'
            Set-WinSimRegistryValue -Path 'HKLM:\SOFTWARE\Microsoft\PowerShell\1\ShellIds\Microsoft.PowerShell' -Name ExecutionPolicy -Value 'RemoteSigned' -Type ''
            Get-ExecutionPolicy -Scope LocalMachine | Should -Be 'RemoteSigned'
        }
        It 'comes from the description without a registry value' {
            Set-WinSimScenario -Scenario @{ execution_policy = @{ LocalMachine = 'AllSigned' } }
            Get-ExecutionPolicy -Scope LocalMachine | Should -Be 'AllSigned'
        }
    }

    Context 'the default gMSA and the KDS root key' {
        It 'is ready when the AD view lists a key usable for 10 hours' {
            Set-WinSimScenario -Scenario @{ active_directory = @{ objects = @{}; kds_root_keys = @(@{ KeyId = 'k'; EffectiveTime = (Get-Date).ToUniversalTime().AddHours(-11).ToString('o') }) } }
            Test-WinSimKdsReady -GmsaName 'provAgentgMSA$' | Should -BeTrue
        }
        It 'is not ready with a key younger than 10 hours or none' {
            Set-WinSimScenario -Scenario @{ active_directory = @{ objects = @{}; kds_root_keys = @(@{ KeyId = 'k'; EffectiveTime = (Get-Date).ToUniversalTime().AddHours(-1).ToString('o') }) } }
            Test-WinSimKdsReady -GmsaName 'provAgentgMSA$' | Should -BeFalse
            Set-WinSimScenario -Scenario @{ active_directory = @{ objects = @{}; kds_root_keys = @() } }
            Test-WinSimKdsReady -GmsaName 'provAgentgMSA$' | Should -BeFalse
        }
        It 'is ready without a key when the gMSA exists already' {
            Set-WinSimScenario -Scenario @{ active_directory = @{ kds_root_keys = @(); objects = @{ 'CN=provAgentgMSA,CN=Managed Service Accounts,DC=contoso,DC=com' = @{ sAMAccountName = 'provAgentgMSA$' } } } }
            Test-WinSimKdsReady -GmsaName 'provAgentgMSA$' | Should -BeTrue
        }
        It 'is not judged when the description has no AD view of the keys (module scenarios)' {
            Set-WinSimScenario -Scenario @{}
            Test-WinSimKdsReady -GmsaName 'provAgentgMSA$' | Should -BeTrue
        }
    }
}

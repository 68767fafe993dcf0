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

# _EntraSyncCommon: the shared read-only helpers, called directly on the simulated Windows.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHarness.ps1')
    $scenarios = Join-Path $PSScriptRoot 'scenarios' 'agent_host_info'
    Function Invoke-Common {
        <# Runs a script block inside the module_util, where its private state and mocks live. #>
        param ([scriptblock]$Script, [object[]]$ArgumentList = @())
        & (Get-Module _EntraSyncCommon) $Script @ArgumentList
    }
}

Describe '_EntraSyncCommon' {
    BeforeAll { Enable-WinSimBoundary }

    Context 'ConvertFrom-EntraSyncWinHttpSetting' {
        It 'decodes "direct access" as netsh writes it' {
            $bytes = [byte[]](0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            $setting = Invoke-Common { param($b) ConvertFrom-EntraSyncWinHttpSetting -Bytes $b } (, $bytes)
            $setting.parsed | Should -BeTrue
            $setting.flags | Should -Be 1
            $setting.proxy_server | Should -BeNullOrEmpty
            $setting.bypass_list | Should -BeNullOrEmpty
            $setting.raw_hex | Should -Be '2800000000000000010000000000000000000000'
        }
        It 'decodes a proxy and its bypass list' {
            $server = [System.Text.Encoding]::ASCII.GetBytes('p:8080')
            $bypass = [System.Text.Encoding]::ASCII.GetBytes('<local>')
            $bytes = [byte[]](@(0x28, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0) + $server + @(7, 0, 0, 0) + $bypass)
            $setting = Invoke-Common { param($b) ConvertFrom-EntraSyncWinHttpSetting -Bytes $b } (, $bytes)
            $setting.flags | Should -Be 3
            $setting.proxy_server | Should -Be 'p:8080'
            $setting.bypass_list | Should -Be '<local>'
        }
        It 'says where a short value breaks instead of guessing' {
            $setting = Invoke-Common { param($b) ConvertFrom-EntraSyncWinHttpSetting -Bytes $b } (, [byte[]](0x28, 0, 0, 0, 0, 0))
            $setting.parsed | Should -BeFalse
            $setting.flags | Should -BeNullOrEmpty
            $setting.error | Should -Match 'ends at byte 6'
        }
        It 'marks an absent value as not present' {
            $setting = Invoke-Common { ConvertFrom-EntraSyncWinHttpSetting -Bytes $null }
            $setting.present | Should -BeFalse
            $setting.raw_hex | Should -BeNullOrEmpty
        }
    }

    Context 'ConvertTo-EntraSyncByteArray' {
        It 'accepts byte[], unrolled bytes and a single byte; refuses anything else' {
            (Invoke-Common { ConvertTo-EntraSyncByteArray -Value ([byte[]](1, 0)) }).GetType().Name | Should -Be 'Byte[]'
            (Invoke-Common { ConvertTo-EntraSyncByteArray -Value @([byte]1, [byte]0, [byte]0, [byte]0) }).Count | Should -Be 4
            (Invoke-Common { ConvertTo-EntraSyncByteArray -Value ([byte]1) }).Count | Should -Be 1
            Invoke-Common { ConvertTo-EntraSyncByteArray -Value 'text' } | Should -BeNullOrEmpty
            Invoke-Common { ConvertTo-EntraSyncByteArray -Value $null } | Should -BeNullOrEmpty
        }
    }

    Context 'Get-EntraSyncServiceAccountManaged' {
        BeforeAll { Use-WinSimHost -Path (Join-Path $scenarios 'healthy_installed_registered.json') }
        It 'reads REG_BINARY non-zero as true, a key without the value as false' {
            Invoke-Common { Get-EntraSyncServiceAccountManaged -Name 'AADConnectProvisioningAgent' } | Should -BeTrue
            Invoke-Common { Get-EntraSyncServiceAccountManaged -Name 'AzureADConnectAgentUpdater' } | Should -BeFalse
        }
        It 'gives null for a service without a key, and for a value of another type' {
            Invoke-Common { Get-EntraSyncServiceAccountManaged -Name 'NoSuchService' } | Should -BeNullOrEmpty
            Use-WinSimHost -Scenario (Merge-WinSimMap -Base (Read-WinSimHost -Path (Join-Path $scenarios 'healthy_installed_registered.json')) -Override @{
                    registry = @{ 'HKLM:\SYSTEM\CurrentControlSet\Services\AADConnectProvisioningAgent' = @{ ServiceAccountManaged = 'TRUE' } } })
            Invoke-Common { Get-EntraSyncServiceAccountManaged -Name 'AADConnectProvisioningAgent' } | Should -BeNullOrEmpty
        }
        It 'follows a scenario service''s ManagedAccount when its key does not give the value' {
            Use-WinSimHost -Scenario (Merge-WinSimMap -Base (Read-WinSimHost -Path (Join-Path $scenarios 'healthy.json')) -Override @{
                    services = @(@{ Name = 'ADSync'; DisplayName = 'Microsoft Azure AD Sync'; Status = 'Running'; StartType = 'Automatic'; StartName = 'CONTOSO\gmsa-sync$'; ManagedAccount = $true }) })
            Invoke-Common { Get-EntraSyncServiceAccountManaged -Name 'ADSync' } | Should -BeTrue
            (Invoke-Common { Get-EntraSyncManagedAccountFlag -Name 'ADSync' }).output | Should -Match 'MANAGED ACCOUNT\s+: TRUE'
        }
    }

    Context 'Find-EntraSyncServiceByDisplayName and Join-EntraSyncPath' {
        BeforeAll { Use-WinSimHost -Path (Join-Path $scenarios 'healthy_installed_registered.json') }
        It 'lists display-name matches except the excluded names, each marked display_name' {
            $found = @(Invoke-Common { Find-EntraSyncServiceByDisplayName -Pattern '*Agent Updater*' })
            $found.name | Should -Be 'AzureADConnectAgentUpdater'
            $found.identified_by | Should -Be 'display_name'
            Invoke-Common { Find-EntraSyncServiceByDisplayName -Pattern '*Agent Updater*' -Exclude 'AzureADConnectAgentUpdater' } | Should -BeNullOrEmpty
        }
        It 'joins Windows paths as Join-Path does on a filesystem drive' {
            Invoke-Common { Join-EntraSyncPath -Parent 'C:\Program Files\Agent\' -Child 'a.config' } | Should -Be 'C:\Program Files\Agent\a.config'
            Invoke-Common { Join-EntraSyncPath -Parent 'C:\ProgramData' -Child '\Package Cache' } | Should -Be 'C:\ProgramData\Package Cache'
        }
    }

    Context 'Get-EntraSyncAgentProxyConfig' {
        BeforeAll { Use-WinSimHost -Path (Join-Path $scenarios 'proxy_configured.json') }
        It 'reports a missing file as not read and not configured' {
            $proxy = Invoke-Common { Get-EntraSyncAgentProxyConfig -Path 'C:\nowhere\x.config' }
            $proxy.read | Should -BeFalse
            $proxy.configured | Should -BeFalse
        }
    }
}

# The probe's own .NET code, unmocked, against listeners on this machine's loopback (no Windows needed:
# TcpClient and a CONNECT exchange behave the same on .NET for Linux; only the error texts differ).
Describe 'Invoke-EntraSyncNetworkProbe on loopback' {
    BeforeAll {
        Function Start-FakeProxy {
            <# A one-shot listener that answers the first request line with $Status, in another runspace. #>
            param ([string]$Status)
            $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
            $listener.Start()
            $shell = [powershell]::Create().AddScript({
                    param ($Listener, $Status)
                    $client = $Listener.AcceptTcpClient()
                    $stream = $client.GetStream()
                    $reader = [System.IO.StreamReader]::new($stream)
                    $request = $reader.ReadLine()
                    $answer = [System.Text.Encoding]::ASCII.GetBytes("$Status`r`n`r`n")
                    $stream.Write($answer, 0, $answer.Length)
                    Start-Sleep -Milliseconds 300
                    $client.Close()
                    $request
                }).AddArgument($listener).AddArgument($Status)
            @{ Listener = $listener; Shell = $shell; Handle = $shell.BeginInvoke(); Port = $listener.LocalEndpoint.Port }
        }
        Function Stop-FakeProxy {
            param ($Proxy)
            $request = $Proxy.Shell.EndInvoke($Proxy.Handle)
            $Proxy.Listener.Stop()
            $Proxy.Shell.Dispose()
            "$request"
        }
        $probe = (Get-Module _EntraSyncCommon).ExportedCommands['Invoke-EntraSyncNetworkProbe']
    }
    It 'opens a tunnel through a proxy that answers 200, sending CONNECT host:port' {
        $proxy = Start-FakeProxy -Status 'HTTP/1.1 200 Connection established'
        $outcome = & $probe -HostName 'login.microsoftonline.com' -Port 443 -TimeoutMs 3000 -Proxy "127.0.0.1:$($proxy.Port)"
        Stop-FakeProxy -Proxy $proxy | Should -Be 'CONNECT login.microsoftonline.com:443 HTTP/1.1'
        $outcome.reachable | Should -BeTrue
        $outcome.proxy_status | Should -Be 'HTTP/1.1 200 Connection established'
        $outcome.error | Should -BeNullOrEmpty
    }
    It 'reports a refused tunnel with the proxy''s status line' {
        $proxy = Start-FakeProxy -Status 'HTTP/1.1 407 Proxy Authentication Required'
        $outcome = & $probe -HostName 'login.windows.net' -Port 443 -TimeoutMs 3000 -Proxy "127.0.0.1:$($proxy.Port)"
        $null = Stop-FakeProxy -Proxy $proxy
        $outcome.reachable | Should -BeFalse
        $outcome.error | Should -Be 'the proxy refused the tunnel: HTTP/1.1 407 Proxy Authentication Required'
    }
    It 'connects directly, and reports a closed port as an error' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $port = $listener.LocalEndpoint.Port
        (& $probe -HostName '127.0.0.1' -Port $port -TimeoutMs 3000).reachable | Should -BeTrue
        $listener.Stop()
        $closed = & $probe -HostName '127.0.0.1' -Port $port -TimeoutMs 3000
        $closed.reachable | Should -BeFalse
        $closed.error | Should -Not -BeNullOrEmpty
        $closed.elapsed_ms | Should -BeOfType [int]
    }
}

# provisioning_agent_package: the agent's setup bundle run quietly, its exit codes, logs and timeout,
# idempotency by installed version, and the removal of the agent (and of partial installs).
# The installer process is simulated by tests/windows_sim/areas/Installer.ps1: each scenario scripts
# what the bundle does per run (exit code, what it leaves on the host, the logs it writes).
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHarness.ps1')
    $scenarios = Join-Path $PSScriptRoot 'scenarios' 'provisioning_agent_package'
    $setup = 'C:\Windows\Temp\AADConnectProvisioningAgentSetup.exe'

    Function Get-ScenarioHost {
        <# A scenario's host, with overrides laid over it (null removes). #>
        param ([string]$Name, [System.Collections.IDictionary]$Override = @{})
        Merge-WinSimMap -Base (Read-WinSimHost -Path (Join-Path $scenarios "$Name.json")) -Override $Override
    }

    Function Get-ProcessStart {
        <# The installer and uninstaller starts, in order: @{ argv; command_line; file_path }. #>
        foreach ($call in (Get-WinSimCall | Where-Object { $_.command -eq 'Start-EntraSyncProcess' })) {
            @{ argv = $call.argv; command_line = $call.parameters.CommandLine; file_path = $call.parameters['FilePath'] }
        }
    }

    Function Get-ChangingCall {
        <# The names of the calls that changed the host. #>
        @(Get-WinSimCall -Changed | ForEach-Object { $_.command })
    }
}

Describe 'provisioning_agent_package' {
    BeforeAll { Enable-WinSimBoundary }

    Context 'a fresh member server: the bundle installs the agent' {
        BeforeAll {
            Use-WinSimHost -Path (Join-Path $scenarios 'success.json')
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup }
            $firstStarts = @(Get-ProcessStart)
            # The same host, now with the agent: a second run.
            $rerun = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup }
            $allStarts = @(Get-ProcessStart)
        }
        It 'runs the bundle once with /quiet /norestart and reports every documented value' {
            $firstStarts.Count | Should -Be 1
            $firstStarts[0].argv | Should -Be @($setup, '/quiet', '/norestart')
            $result.changed | Should -BeTrue
            $result.state | Should -Be 'present'
            $result.exit_code | Should -Be 0
            $result.attempts | Should -Be 1
            $result.reboot_required | Should -BeFalse
            $result.timed_out | Should -BeFalse
            $result.version_before | Should -BeNullOrEmpty
            $result.version_after | Should -Be '1.1.1586.0'
            $result.command | Should -BeExactly "$setup /quiet /norestart"
            $result.removed | Should -BeNullOrEmpty
            $result.kept | Should -BeNullOrEmpty
            $result.log_excerpt | Should -BeNullOrEmpty
        }
        It 'finds the Burn log the bundle wrote to the temp folder' {
            $result.log_paths | Should -Be @('C:\Windows\Temp\Microsoft_Azure_AD_Connect_Provisioning_Agent_Package_20250612101502.log')
        }
        It 'changes nothing on the rerun: the installed version satisfies state=present' {
            $rerun.changed | Should -BeFalse
            $rerun.version_before | Should -Be '1.1.1586.0'
            $rerun.version_after | Should -Be '1.1.1586.0'
            $rerun.command | Should -BeNullOrEmpty
            $allStarts.Count | Should -Be 1 -Because 'the installer must not run again'
        }
    }

    Context 'check mode on a fresh member server' {
        BeforeAll {
            Use-WinSimHost -Path (Join-Path $scenarios 'check_mode_install.json')
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup } -CheckMode -Diff
        }
        It 'reports the command it would run and changes nothing' {
            $result.changed | Should -BeTrue
            $result.command | Should -BeExactly "$setup /quiet /norestart"
            $result.attempts | Should -Be 0
            $result.exit_code | Should -BeNullOrEmpty
            $result.diff.after.version | Should -Be '1.1.1586.0'
            Get-WinSimCall -Changed | Should -BeNullOrEmpty
        }
    }

    Context 'arguments are escaped as CreateProcess parses them (issue 11 item 8)' {
        BeforeAll {
            $spaced = 'C:\Program Files\Setup Kit\AADConnectProvisioningAgentSetup.exe'
            $log = 'C:\Logs\agent "x" install.log'
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name 'success' -Override @{ files = @{ $spaced = @{ content = ''; version = '1.1.1586.0' } } })
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $spaced; log_path = $log; environment = 'AzureUSGovernment' }
            $start = @(Get-ProcessStart)[0]
        }
        It 'passes the exact argument list, a path with spaces and quotes intact' {
            $start.argv | Should -Be @($spaced, '/quiet', '/norestart', 'ENVIRONMENTNAME=AzureUSGovernment', '/log', $log)
            $start.file_path | Should -Be $spaced
        }
        It 'reports the same escaped command line in check mode' {
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name 'success' -Override @{ files = @{ $spaced = @{ content = ''; version = '1.1.1586.0' } } })
            $check = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $spaced; log_path = $log; environment = 'AzureUSGovernment' } -CheckMode
            $check.command | Should -BeExactly '"C:\Program Files\Setup Kit\AADConnectProvisioningAgentSetup.exe" /quiet /norestart ENVIRONMENTNAME=AzureUSGovernment /log "C:\Logs\agent \"x\" install.log"'
        }
        It 'quotes and escapes each argument on the command line' {
            $start.command_line | Should -BeExactly '"C:\Program Files\Setup Kit\AADConnectProvisioningAgentSetup.exe" /quiet /norestart ENVIRONMENTNAME=AzureUSGovernment /log "C:\Logs\agent \"x\" install.log"'
            $result.command | Should -BeExactly $start.command_line
        }
    }

    Context 'the US Government cloud' {
        BeforeAll {
            Use-WinSimHost -Path (Join-Path $scenarios 'usgov_install.json')
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup; environment = 'AzureUSGovernment' }
        }
        It 'passes ENVIRONMENTNAME=AzureUSGovernment to the bundle' {
            @(Get-ProcessStart)[0].argv | Should -Be @($setup, '/quiet', '/norestart', 'ENVIRONMENTNAME=AzureUSGovernment')
            $result.changed | Should -BeTrue
            $result.version_after | Should -Be '1.1.1586.0'
        }
    }

    Context 'norestart switched off (the bundle run exactly as Microsoft documents it)' {
        BeforeAll {
            Use-WinSimHost -Path (Join-Path $scenarios 'success.json')
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup; norestart = $false }
        }
        It 'passes /quiet only' {
            @(Get-ProcessStart)[0].argv | Should -Be @($setup, '/quiet')
            $result.command | Should -BeExactly "$setup /quiet"
        }
    }

    Context 'the bundle asks for a reboot (issue 11 item 7)' {
        It 'exit code <Code> sets reboot_required and passes /norestart; the reboot is left to win_reboot' -ForEach @(
            @{ Code = 3010; Scenario = 'reboot_3010'; VersionAfter = '1.1.1586.0' }
            @{ Code = 1641; Scenario = 'reboot_1641'; VersionAfter = $null }
        ) {
            Use-WinSimHost -Path (Join-Path $scenarios "$Scenario.json")
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup }
            $result.ContainsKey('failed') | Should -BeFalse
            $result.exit_code | Should -Be $Code
            $result.reboot_required | Should -BeTrue
            $result.version_after | Should -Be $VersionAfter
            @(Get-ProcessStart)[0].argv | Should -Contain '/norestart'
            Get-ChangingCall | Should -Not -Contain 'Restart-Computer'
        }
    }

    Context 'another installation is in progress (1618)' {
        It 'retries and succeeds' {
            Use-WinSimHost -Path (Join-Path $scenarios '1618_then_success.json')
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup; retry_1618_delay = 0 }
            $result.changed | Should -BeTrue
            $result.exit_code | Should -Be 0
            $result.attempts | Should -Be 2
            @(Get-ProcessStart).Count | Should -Be 2
            $result.warnings | Should -HaveCount 1
            $result.warnings[0] | Should -Match 'exit code 1618'
        }
        It 'fails with the count once the retries are exhausted' {
            Use-WinSimHost -Path (Join-Path $scenarios 'failed_1618_exhausted.json')
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup; retry_1618_delay = 0; retry_1618_count = 3 }
            $result.failed | Should -BeTrue
            $result.exit_code | Should -Be 1618
            $result.attempts | Should -Be 4
            $result.msg | Should -BeExactly 'Failed to install the provisioning agent: another installation kept running (exit code 1618) after 4 attempts'
        }
    }

    Context 'the chained MSI fails: 1603 with the 0x80070643 Burn lines' {
        BeforeAll {
            Use-WinSimHost -Path (Join-Path $scenarios 'failed_1603.json')
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup }
        }
        It 'fails with exit code 1603 and points at the diagnosis' {
            $result.failed | Should -BeTrue
            $result.exit_code | Should -Be 1603
            $result.msg | Should -Match '1603 \(0x80070643'
            $result.msg | Should -Match 'diagnose'
        }
        It 'returns the Burn lines first, then the MSI log excerpt' {
            $burn = 'C:\Windows\Temp\Microsoft_Azure_AD_Connect_Provisioning_Agent_Package_20250612101502.log'
            $msi = 'C:\Windows\Temp\Microsoft_Azure_AD_Connect_Provisioning_Agent_Package_20250612101502_000_ProvisioningAgentSetup.log'
            $result.log_paths | Should -Be @($burn, $msi)
            $excerpt = @($result.log_excerpt)
            # Windows paths compare without case (the machine TEMP variable is %SystemRoot%\TEMP).
            $separator = [Array]::FindIndex([string[]]$excerpt, [Predicate[string]] { param($line) $line -eq "--- $msi ---" })
            $separator | Should -BeGreaterThan 0
            $excerpt[0..($separator - 1)] -join "`n" | Should -Match 'Error 0x80070643: Failed to install MSI package'
            $excerpt[($separator + 1)..($excerpt.Count - 1)] -join "`n" | Should -Match 'Error 1920'
            $excerpt | Should -Contain 'Action ended 10:17:57: InstallFinalize. Return value 3.'
        }
        It 'keeps the excerpt within log_excerpt_lines' {
            Use-WinSimHost -Path (Join-Path $scenarios 'failed_1603.json')
            $short = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup; log_excerpt_lines = 6 }
            @($short.log_excerpt).Count | Should -BeLessOrEqual 6
        }
        It 'reports the HRESULT form 0x80070643 as 1603' {
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name 'failed_1603' -Override @{ installer = @{ runs = @(@{ exit_code = '0x80070643' }) } })
            $hresult = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup }
            $hresult.failed | Should -BeTrue
            $hresult.exit_code | Should -Be 1603
        }
        It 'fails on any other exit code with that code' {
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name 'failed_1603' -Override @{ installer = @{ runs = @(@{ exit_code = 1625 }) } })
            $other = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup }
            $other.failed | Should -BeTrue
            $other.exit_code | Should -Be 1625
            $other.msg | Should -Match 'returned 1625'
        }
    }

    Context 'the Burn log and its chained MSI logs are written next to log_path (issue 11 item 14)' {
        BeforeAll {
            $log = 'C:\Logs\entra agent.log'
            Use-WinSimHost -Path (Join-Path $scenarios 'failed_1603.json')
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup; log_path = $log }
        }
        It 'finds both and excerpts the MSI log' {
            $result.log_paths | Should -Be @($log, 'C:\Logs\entra agent_000_ProvisioningAgentSetup.log')
            $result.log_excerpt | Should -Contain '--- C:\Logs\entra agent_000_ProvisioningAgentSetup.log ---'
            $result.log_excerpt -join "`n" | Should -Match 'Error 1920'
        }
    }

    Context 'the bundle never ends (issue 11 item 6)' {
        It 'stops the bundle and its child, returns timed_out and says the MSI work may still run' {
            Use-WinSimHost -Path (Join-Path $scenarios 'timeout_killed.json')
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup; timeout = 60 }
            $result.failed | Should -BeTrue
            $result.timed_out | Should -BeTrue
            $result.exit_code | Should -BeNullOrEmpty
            $result.msg | Should -Match 'did not finish within 60 seconds; process 4412 and its child processes 4413 were stopped'
            $result.msg | Should -Match 'MSI work itself may still be running in the Windows Installer service'
            @(Get-WinSimCall | Where-Object { $_.command -eq 'Stop-EntraSyncProcess' } | ForEach-Object { $_.parameters.ProcessId }) | Should -Be @(4412, 4413)
            $result.log_excerpt -join "`n" | Should -Match 'Applying execute package'
        }
        It 'still returns timed_out when a process cannot be stopped' {
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name 'timeout_killed' -Override @{ installer = @{ runs = @(@{
                                never_ends = $true; process_id = 4412; unkillable = @(4412, 4413)
                                children = @(@{ ProcessId = 4413; Name = 'AADConnectProvisioningAgentSetup.exe' })
                            }) } })
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup }
            $result.failed | Should -BeTrue
            $result.timed_out | Should -BeTrue
            $result.msg | Should -Match 'could not be stopped completely \(process 4412: Access is denied; process 4413: Access is denied\); it may still be running'
            $result.msg | Should -Match 'Windows Installer service'
        }
        It 'stops the bundle itself when its child processes cannot be listed' {
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name 'timeout_killed' -Override @{
                    failures = @(@{ command = 'Get-CimInstance'; match = @{ ClassName = 'Win32_Process' }; error = 'wmi_error' }) })
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup }
            $result.timed_out | Should -BeTrue
            $result.msg | Should -Match 'process 4412 were stopped'
            $result.warnings -join "`n" | Should -Match "Failed to list the installer's child processes: Generic failure"
        }
    }

    Context 'the agent is installed (idempotency by version)' {
        It 'leaves an installed agent alone' {
            Use-WinSimHost -Path (Join-Path $scenarios 'already_installed.json')
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup }
            $result.changed | Should -BeFalse
            $result.version_before | Should -Be '1.1.1586.0'
            Get-ProcessStart | Should -BeNullOrEmpty
        }
        It 'never runs an older installer to downgrade' {
            Use-WinSimHost -Path (Join-Path $scenarios 'older_than_installed.json')
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup }
            $result.changed | Should -BeFalse
            Get-ProcessStart | Should -BeNullOrEmpty
        }
        It 'upgrades when minimum_version asks for more than is installed' {
            Use-WinSimHost -Path (Join-Path $scenarios 'upgrade_minimum_version.json')
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup; minimum_version = '1.1.1586.0' }
            $result.changed | Should -BeTrue
            $result.version_before | Should -Be '1.1.977.0'
            $result.version_after | Should -Be '1.1.1586.0'
        }
        It 'fails before any change when the installer is older than minimum_version' {
            Use-WinSimHost -Path (Join-Path $scenarios 'upgrade_minimum_version.json')
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup; minimum_version = '1.1.2000.0' }
            $result.failed | Should -BeTrue
            $result.msg | Should -Match '^minimum_version 1.1.2000.0 asks for more than the installer at path provides \(1.1.1586.0\)'
            Get-WinSimCall -Changed | Should -BeNullOrEmpty
        }
    }

    Context 'bad input fails before any change and names the option' {
        It '<Name>' -ForEach @(
            @{ Name = 'relative path'; Arguments = @{ path = 'AADConnectProvisioningAgentSetup.exe' }; Message = '^path must be an absolute path' }
            @{ Name = 'missing installer'; Arguments = @{ path = 'C:\Missing\AADConnectProvisioningAgentSetup.exe' }; Message = "^path 'C:\\Missing\\AADConnectProvisioningAgentSetup.exe' does not exist" }
            @{ Name = 'not an .exe'; Arguments = @{ path = 'C:\Windows\Temp\agent.msi' }; Message = "^path must point to the agent's setup .exe" }
            @{ Name = 'undocumented environment'; Arguments = @{ path = 'C:\Windows\Temp\AADConnectProvisioningAgentSetup.exe'; environment = 'AzureChinaCloud' }; Message = '^value of environment must be one of' }
            @{ Name = 'relative log_path'; Arguments = @{ path = 'C:\Windows\Temp\AADConnectProvisioningAgentSetup.exe'; log_path = 'agent.log' }; Message = '^log_path must be an absolute path' }
            @{ Name = 'malformed minimum_version'; Arguments = @{ path = 'C:\Windows\Temp\AADConnectProvisioningAgentSetup.exe'; minimum_version = 'latest' }; Message = '^minimum_version must be a dotted version' }
            @{ Name = 'zero timeout'; Arguments = @{ path = 'C:\Windows\Temp\AADConnectProvisioningAgentSetup.exe'; timeout = 0 }; Message = '^timeout must be a positive number' }
            @{ Name = 'negative retry count'; Arguments = @{ path = 'C:\Windows\Temp\AADConnectProvisioningAgentSetup.exe'; retry_1618_count = -1 }; Message = '^retry_1618_count and retry_1618_delay must not be negative' }
            @{ Name = 'zero log_excerpt_lines'; Arguments = @{ path = 'C:\Windows\Temp\AADConnectProvisioningAgentSetup.exe'; log_excerpt_lines = 0 }; Message = '^log_excerpt_lines must be a positive number' }
            @{ Name = 'state=present without path'; Arguments = @{ state = 'present' }; Message = 'state is present but all of the following are missing: path' }
        ) {
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name 'success' -Override @{ files = @{ 'C:\Windows\Temp\agent.msi' = @{ content = '' } } })
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments $Arguments
            $result.failed | Should -BeTrue
            $result.msg | Should -Match $Message
            Get-WinSimCall -Changed | Should -BeNullOrEmpty
            Get-ProcessStart | Should -BeNullOrEmpty
        }
    }

    Context 'a failed read is an error, never "not installed"' {
        It 'fails when the agent service cannot be read' {
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name 'absent_removed' -Override @{
                    failures = @(@{ command = 'Get-Service'; match = @{ Name = 'AADConnectProvisioningAgent' }; error = 'access_denied' }) })
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ state = 'absent' }
            $result.failed | Should -BeTrue
            $result.msg | Should -Match '^Failed to read service AADConnectProvisioningAgent: Access is denied'
            Get-WinSimCall -Changed | Should -BeNullOrEmpty
        }
        It 'fails naming the command when the installer cannot be started' {
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name 'success' -Override @{
                    failures = @(@{ command = 'Start-EntraSyncProcess'; error = 'access_denied'; terminating = $true }) })
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup }
            $result.failed | Should -BeTrue
            $result.msg | Should -Match "^Failed to start C:\\Windows\\Temp\\AADConnectProvisioningAgentSetup.exe /quiet /norestart: Access is denied"
        }
    }

    Context 'state=absent on an installed agent' {
        BeforeAll {
            Use-WinSimHost -Path (Join-Path $scenarios 'absent_removed.json')
            $check = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ state = 'absent' } -CheckMode
            $checkChanges = @(Get-WinSimCall -Changed)
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ state = 'absent' }
            $starts = @(Get-ProcessStart)
            $rerun = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ state = 'absent' }
        }
        It 'plans the removal in check mode without changing anything' {
            $check.changed | Should -BeTrue
            $check.removed | Should -Be @('Microsoft Entra Provisioning Agent Package', 'Microsoft Entra Provisioning Agent', 'Microsoft Entra Connect Agent Updater')
            $check.command | Should -Match '/uninstall /quiet /norestart$'
            $checkChanges | Should -BeNullOrEmpty
        }
        It 'uninstalls the bundle quietly with /norestart, which removes the agent and the updater' {
            $result.changed | Should -BeTrue
            $result.version_before | Should -Be '1.1.1586.0'
            $result.version_after | Should -BeNullOrEmpty
            $starts.Count | Should -Be 1
            $starts[0].argv | Should -Be @('C:\ProgramData\Package Cache\{0a4b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d}\AADConnectProvisioningAgentSetup.exe', '/uninstall', '/quiet', '/norestart')
            $result.removed | Should -Be @('Microsoft Entra Provisioning Agent Package', 'Microsoft Entra Provisioning Agent', 'Microsoft Entra Connect Agent Updater')
        }
        It 'changes nothing on the rerun' {
            $rerun.changed | Should -BeFalse
            @(Get-ProcessStart).Count | Should -Be 1
        }
        It 'fails with the uninstaller exit code' {
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name 'absent_removed' -Override @{ installer = @{ uninstall = @{ '{0a4b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d}' = @{ exit_code = 1603; changes = $null } } } })
            $failed = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ state = 'absent' }
            $failed.failed | Should -BeTrue
            $failed.exit_code | Should -Be 1603
            $failed.msg | Should -Match "^Failed to remove 'Microsoft Entra Provisioning Agent Package' \(state=absent\)"
        }
    }

    Context 'another Entra agent shares the updater (issue 11 item 3)' {
        BeforeAll {
            # The Pass-through Authentication agent is installed; the bundle's uninstall leaves the shared updater.
            $pta = @{
                registry = @{
                    'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\{7E6D5C4B-3A29-4180-9F7E-6D5C4B3A2918}' = @{ DisplayName = 'Microsoft Azure AD Connect Authentication Agent'; DisplayVersion = '1.5.3437.0'; UninstallString = 'MsiExec.exe /X{7E6D5C4B-3A29-4180-9F7E-6D5C4B3A2918}' }
                }
                services = @(
                    @{ Name = 'AADConnectProvisioningAgent'; DisplayName = 'Microsoft Entra Connect Provisioning Agent'; Status = 'Running'; StartType = 'Automatic'; StartName = 'NT SERVICE\AADConnectProvisioningAgent' }
                    @{ Name = 'AzureADConnectAgentUpdater'; DisplayName = 'Microsoft Azure AD Connect Agent Updater'; Status = 'Running'; StartType = 'Automatic'; StartName = 'LocalSystem' }
                    @{ Name = 'AzureADConnectAuthenticationAgent'; DisplayName = 'Microsoft Azure AD Connect Authentication Agent'; Status = 'Running'; StartType = 'Automatic'; StartName = 'LocalSystem' }
                )
                # Laid over the base host's scripted bundle uninstall: null drops its removal of the updater
                # (Burn keeps a package another bundle depends on).
                installer = @{ uninstall = @{ '{0a4b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d}' = @{ changes = @{
                                registry = @{ 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\{3F1A2B4C-5D6E-4F70-8A9B-C0D1E2F3A4B5}' = $null }
                                services = @{ AzureADConnectAgentUpdater = $null }
                            } } } }
            }
            # A host with the PTA agent and its updater, without the provisioning agent.
            $fresh = Get-ScenarioHost -Name 'success' -Override @{
                registry = $pta.registry + @{ 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\{3F1A2B4C-5D6E-4F70-8A9B-C0D1E2F3A4B5}' = @{ DisplayName = 'Microsoft Entra Connect Agent Updater'; DisplayVersion = '1.1.1586.0'; UninstallString = 'MsiExec.exe /X{3F1A2B4C-5D6E-4F70-8A9B-C0D1E2F3A4B5}' } }
                services = @($pta.services | Where-Object { $_.Name -ne 'AADConnectProvisioningAgent' })
            }
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name 'absent_removed' -Override $pta)
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ state = 'absent'; remove_stale = $true }
            $starts = @(Get-ProcessStart)
            $rerun = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ state = 'absent'; remove_stale = $true }
        }
        It 'changes nothing on the rerun: the updater left behind is not ours to remove' {
            $rerun.changed | Should -BeFalse
            @(Get-ProcessStart).Count | Should -Be 1
        }
        It 'never uninstalls the updater and never deletes its service' {
            $result.ContainsKey('failed') | Should -BeFalse
            $starts.Count | Should -Be 1 -Because 'only the bundle is uninstalled'
            $starts.argv | Should -Not -Contain '{3F1A2B4C-5D6E-4F70-8A9B-C0D1E2F3A4B5}'
            @(Get-WinSimCall | Where-Object { $_.command -eq 'Remove-EntraSyncService' }) | Should -BeNullOrEmpty
            (Get-WinSimState).services.Name | Should -Contain 'AzureADConnectAgentUpdater'
        }
        It 'says what it kept and why' {
            $result.kept | Should -Be @('Microsoft Entra Connect Agent Updater', 'service AzureADConnectAgentUpdater')
            $result.removed | Should -Be @('Microsoft Entra Provisioning Agent Package', 'Microsoft Entra Provisioning Agent')
            $result.warnings -join "`n" | Should -Match "Left 'Microsoft Entra Connect Agent Updater' in place: the updater is used by service AzureADConnectAuthenticationAgent, Microsoft Azure AD Connect Authentication Agent"
        }
        It 'plans to keep the updater in check mode' {
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name 'absent_removed' -Override $pta)
            $check = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ state = 'absent'; remove_stale = $true } -CheckMode
            $check.removed | Should -Be @('Microsoft Entra Provisioning Agent Package', 'Microsoft Entra Provisioning Agent')
            $check.kept | Should -Be @('Microsoft Entra Connect Agent Updater')
        }
        It 'warns when the bundle itself takes the shared updater with it' {
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name 'absent_removed' -Override @{ registry = $pta.registry; services = $pta.services })
            # The base host's bundle uninstall removes the updater too.
            $taken = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ state = 'absent' }
            $taken.warnings -join "`n" | Should -Match "The bundle's uninstall removed 'Microsoft Entra Connect Agent Updater', which is used by service AzureADConnectAuthenticationAgent"
            @(Get-ProcessStart).Count | Should -Be 1 -Because 'the module itself starts no uninstaller for the updater'
        }
        It 'does not count the shared updater as a leftover of a partial install (check mode)' {
            Use-WinSimHost -Scenario $fresh
            $check = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup; remove_stale = $true } -CheckMode
            $check.removed | Should -BeNullOrEmpty
            $check.ContainsKey('warnings') | Should -BeFalse -Because 'no partial install is reported'
        }
        It 'does not count the shared updater as a leftover of a partial install' {
            Use-WinSimHost -Scenario $fresh
            $install = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup; remove_stale = $true }
            $install.changed | Should -BeTrue
            $install.removed | Should -BeNullOrEmpty
            @(Get-ProcessStart).Count | Should -Be 1 -Because 'only the install runs, no uninstaller'
            @(Get-WinSimCall | Where-Object { $_.command -eq 'Remove-EntraSyncService' }) | Should -BeNullOrEmpty
        }
    }

    Context 'a partial earlier install' {
        It 'removes its entries and services with remove_stale, then installs' {
            Use-WinSimHost -Path (Join-Path $scenarios 'stale_removed_then_installed.json')
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup; remove_stale = $true }
            $result.changed | Should -BeTrue
            $result.version_after | Should -Be '1.1.1586.0'
            $result.removed | Should -Be @('Microsoft Azure AD Connect Provisioning Agent Package', 'Microsoft Azure AD Connect Provisioning Agent',
                'Microsoft Azure AD Connect Agent Updater', 'service AADConnectProvisioningAgent', 'service AzureADConnectAgentUpdater')
            @(Get-WinSimCall | Where-Object { $_.command -eq 'Remove-EntraSyncService' } | ForEach-Object { $_.parameters.Name }) |
                Should -Be @('AADConnectProvisioningAgent', 'AzureADConnectAgentUpdater')
            $result.warnings -join "`n" | Should -Match 'Removed a partial installation \(version 1.1.977.0\)'
        }
        It 'plans the removal in check mode and changes nothing' {
            Use-WinSimHost -Path (Join-Path $scenarios 'stale_removed_then_installed.json')
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup; remove_stale = $true } -CheckMode
            $result.changed | Should -BeTrue
            $result.removed | Should -Be @('Microsoft Azure AD Connect Provisioning Agent Package', 'Microsoft Azure AD Connect Provisioning Agent', 'Microsoft Azure AD Connect Agent Updater')
            Get-WinSimCall -Changed | Should -BeNullOrEmpty
        }
        It 'warns and installs over it without remove_stale' {
            Use-WinSimHost -Path (Join-Path $scenarios 'stale_removed_then_installed.json')
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup }
            $result.removed | Should -BeNullOrEmpty
            $result.warnings -join "`n" | Should -Match 'partial or stale agent installation was found'
            @(Get-ProcessStart).Count | Should -Be 1
        }
        It 'asks for a reboot when a deleted service is only marked for deletion' {
            $pending = Get-ScenarioHost -Name 'stale_removed_then_installed'
            $pending.services = @($pending.services | ForEach-Object { if ($_.Name -eq 'AADConnectProvisioningAgent') { $_ + @{ delete_pending = $true } } else { $_ } })
            Use-WinSimHost -Scenario $pending
            Mock Start-Sleep { }
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup; remove_stale = $true }
            $result.failed | Should -BeTrue
            $result.reboot_required | Should -BeTrue
            $result.msg | Should -Match 'needs a reboot before the agent can be installed again'
            $result.warnings -join "`n" | Should -Match 'Service AADConnectProvisioningAgent is marked for deletion but still present \(\[SC\] DeleteService SUCCESS\)'
            @(Get-ProcessStart | Where-Object { $_.argv[0] -eq $setup }) | Should -BeNullOrEmpty -Because 'nothing is installed over a pending deletion'
        }
        It 'never deletes a service found only by an updater-like display name' {
            $lookalike = Get-ScenarioHost -Name 'stale_removed_then_installed'
            $lookalike.services = @($lookalike.services | Where-Object { $_.Name -ne 'AzureADConnectAgentUpdater' }) + @(
                @{ Name = 'ContosoAgentUpdater'; DisplayName = 'Contoso Agent Updater'; Status = 'Running'; StartType = 'Automatic'; StartName = 'LocalSystem' })
            Use-WinSimHost -Scenario $lookalike
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ path = $setup; remove_stale = $true }
            @(Get-WinSimCall | Where-Object { $_.command -eq 'Remove-EntraSyncService' } | ForEach-Object { $_.parameters.Name }) | Should -Be @('AADConnectProvisioningAgent')
            (Get-WinSimState).services.Name | Should -Contain 'ContosoAgentUpdater'
            $result.warnings -join "`n" | Should -Match "Service ContosoAgentUpdater \('Contoso Agent Updater'\) looks like an agent updater but is not one of updater_service_names; it is left alone"
        }
    }

    Context 'only the agent service is left from an earlier install' {
        BeforeAll {
            $orphan = Get-ScenarioHost -Name 'absent_not_installed' -Override @{ services = @(
                    @{ Name = 'AADConnectProvisioningAgent'; DisplayName = 'Microsoft Entra Connect Provisioning Agent'; Status = 'Stopped'; StartType = 'Automatic'; StartName = 'NT SERVICE\AADConnectProvisioningAgent' }) }
        }
        It 'changes nothing and says how to delete it without remove_stale' {
            Use-WinSimHost -Scenario $orphan
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ state = 'absent' }
            $result.changed | Should -BeFalse
            $result.warnings | Should -Be @('Service AADConnectProvisioningAgent is left from an earlier install; set remove_stale to delete it')
            Get-WinSimCall -Changed | Should -BeNullOrEmpty
        }
        It 'deletes it with remove_stale, and the rerun changes nothing' {
            Use-WinSimHost -Scenario $orphan
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ state = 'absent'; remove_stale = $true }
            $result.changed | Should -BeTrue
            $result.removed | Should -Be @('service AADConnectProvisioningAgent')
            $rerun = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ state = 'absent'; remove_stale = $true }
            $rerun.changed | Should -BeFalse
        }
    }

    Context 'nothing of the agent is on the host' {
        It 'changes nothing with state=absent' {
            Use-WinSimHost -Path (Join-Path $scenarios 'absent_not_installed.json')
            $result = Invoke-EntraSyncModule -Name provisioning_agent_package -Arguments @{ state = 'absent'; remove_stale = $true }
            $result.changed | Should -BeFalse
            $result.state | Should -Be 'absent'
            Get-WinSimCall -Changed | Should -BeNullOrEmpty
        }
    }
}

# agent_evidence: events, log tails and managed-account flags for the diagnosis, read-only and bounded.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHarness.ps1')
    $scenarios = Join-Path $PSScriptRoot 'scenarios' 'agent_evidence'
    $modulePath = Join-Path $script:ModulesDir 'agent_evidence.ps1'
    $since = '2025-06-12T08:00:00Z'
    $adminLog = 'Microsoft-AzureADConnect-ProvisioningAgent/Admin'
    $traceDir = 'C:\ProgramData\Microsoft\Azure AD Connect Provisioning Agent\Trace'

    Function Get-ScenarioHost {
        param ([string]$Name, [System.Collections.IDictionary]$Override = @{})
        Merge-WinSimMap -Base (Read-WinSimHost -Path (Join-Path $scenarios "$Name.json")) -Override $Override
    }

    Function ConvertTo-UtcText {
        # ConvertFrom-Json (the harness) turns the result's ISO 8601 text into a DateTime.
        param ($Value)
        ([DateTime]$Value).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ss.fffZ')
    }
}

Describe 'agent_evidence' {
    BeforeAll { Enable-WinSimBoundary }

    Context 'an installed, registered agent that started' {
        BeforeAll {
            Use-WinSimHost -Path (Join-Path $scenarios 'healthy.json')
            $result = Invoke-EntraSyncModule -Name agent_evidence -Arguments @{ since = $since }
        }
        It 'changes nothing and reads no more than it is asked' {
            $result.changed | Should -BeFalse
            Get-WinSimCall -Changed | Should -BeNullOrEmpty
            ConvertTo-UtcText $result.since | Should -Be '2025-06-12T08:00:00.000Z'
        }
        It 'returns the Admin channel event with every field' {
            $result.events.Count | Should -Be 1
            $event = $result.events[0]
            $event.log | Should -Be $adminLog
            $event.provider | Should -Be 'AzureADConnectProvisioningAgent'
            $event.id | Should -Be 1001
            $event.level | Should -Be 'Information'
            ConvertTo-UtcText $event.time_created | Should -Be '2025-06-12T10:20:14.551Z'
            $event.message | Should -Be 'Provisioning agent service started successfully.'
            $event.record_id | Should -Be 88
        }
        It 'returns the newest trace log and the agent config, whole, and counts their bytes' {
            $result.files.kind | Should -Be @('trace_log', 'agent_config')
            $result.files[0].path | Should -Be "$traceDir\AzureADConnectProvisioningAgent_20250612_101933.log"
            $result.files[0].truncated | Should -BeFalse
            $result.files[0].size | Should -Be 93
            $result.files[0].content | Should -Match 'Agent started\. Version 1\.1\.1586\.0'
            $result.files[1].path | Should -Be 'C:\Program Files\Microsoft Azure AD Connect Provisioning Agent\AADConnectProvisioningAgent.exe.config'
            $result.collected_bytes | Should -Be 260
        }
        It 'returns the sc.exe qmanagedaccount output of the agent service and only of services that exist' {
            $result.managed_accounts.Count | Should -Be 1
            $result.managed_accounts[0].service | Should -Be 'AADConnectProvisioningAgent'
            $result.managed_accounts[0].managed | Should -BeTrue
            $result.managed_accounts[0].output | Should -Match 'MANAGED ACCOUNT\s+: TRUE'
        }
        It 'says that KDS 4004 is not logged on a member server instead of implying the key is fine' {
            $result.warnings | Should -Contain 'No KDS event 4004 was found in Microsoft-Windows-KdsSvc/Operational, System on this host (it is logged on domain controllers)'
        }
        It 'returns the same in check mode' {
            $checked = Invoke-EntraSyncModule -Name agent_evidence -Arguments @{ since = $since } -CheckMode
            $checked.changed | Should -BeFalse
            ($checked.files | ConvertTo-Json -Depth 5) | Should -Be ($result.files | ConvertTo-Json -Depth 5)
        }
    }

    Context 'events from several logs come newest first (issue 11 item 9)' {
        BeforeAll {
            # The SCM query runs before the Windows Installer one, but the MSI event is the newest.
            Use-WinSimHost -Path (Join-Path $scenarios 'installer_1603.json')
            $result = Invoke-EntraSyncModule -Name agent_evidence -Arguments @{ since = $since; max_file_bytes = 2048 }
        }
        It 'orders the merged events by time, newest first' {
            $times = @($result.events | ForEach-Object { ConvertTo-UtcText $_.time_created })
            $times | Should -Be @('2025-06-12T10:17:58.000Z', '2025-06-12T10:17:55.001Z', '2025-06-12T10:17:55.000Z')
            $result.events.id | Should -Be @(11708, 7041, 7000)
        }
        It 'sorts with a script block, which Windows PowerShell 5.1 applies to ordered dictionaries' {
            # PowerShell 7 sees dictionary keys as properties, 5.1 does not: the order above alone
            # cannot fail here on the old -Property time_created, so the module's text is checked too.
            $ast = [System.Management.Automation.Language.Parser]::ParseFile($modulePath, [ref]$null, [ref]$null)
            $sorts = @($ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.CommandAst] -and $node.GetCommandName() -eq 'Sort-Object' -and
                        $node.Parent.Extent.Text -match '^\$events\b' }, $true))
            $sorts.Count | Should -Be 1
            $property = $sorts[0].CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] -and $_.ParameterName -eq 'Property' }
            $index = [array]::IndexOf($sorts[0].CommandElements, $property)
            $value = $sorts[0].CommandElements[$index + 1]
            $keys = if ($value -is [System.Management.Automation.Language.ArrayLiteralAst]) { $value.Elements } else { @($value) }
            $keys | ForEach-Object { $_ | Should -BeOfType ([System.Management.Automation.Language.ScriptBlockExpressionAst]) }
        }
        It 'reads installer logs from the machine temp folder, a UTF-16 MSI log by its tail' {
            $result.files.kind | Should -Be @('burn_log', 'msi_log')
            $msi = $result.files[1]
            $msi.truncated | Should -BeTrue
            $msi.content | Should -Match '^MSI \(s\)|^[^\x00]+$'
            $msi.content | Should -Match 'failed to start'
            $msi.content | Should -Not -Match "`0"
            $msi.size | Should -BeGreaterThan 2048
        }
        It 'reports the flag of an agent service that does not exist as null, with sc.exe''s text' {
            $result.managed_accounts[0].managed | Should -BeNullOrEmpty
            $result.managed_accounts[0].output | Should -Match 'FAILED 1060'
        }
    }

    Context 'event logs that cannot be read' {
        It 'an Admin channel that does not exist on an installed agent is a warning, not "no events"' {
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name healthy -Override @{ event_logs = @{ $adminLog = $null } })
            $r = Invoke-EntraSyncModule -Name agent_evidence -Arguments @{ since = $since }
            $r.warnings | Should -Contain "Failed to read event log ${adminLog}: There is not an event log on the localhost computer that matches `"$adminLog`"."
        }
        It 'the Admin channel of an agent that is not installed is not looked for' {
            Use-WinSimHost -Path (Join-Path $scenarios 'installer_1603.json')
            $r = Invoke-EntraSyncModule -Name agent_evidence -Arguments @{ since = $since }
            $r.warnings -join "`n" | Should -Not -Match 'Failed to read event log'
        }
        It 'the System log denied: a warning that names the log and the reason' {
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name logon_right_7041 -Override @{ event_logs = @{ System = @{ error = 'access_denied' } } })
            $r = Invoke-EntraSyncModule -Name agent_evidence -Arguments @{ since = $since }
            $r.warnings | Should -Contain 'Failed to read event log System: Access is denied. (Exception from HRESULT: 0x80070005 (E_ACCESSDENIED))'
            $r.events | Where-Object { $_.log -eq 'System' } | Should -BeNullOrEmpty
        }
        It 'a log without matching events is no warning' {
            Use-WinSimHost -Path (Join-Path $scenarios 'mfa_trace.json')
            $r = Invoke-EntraSyncModule -Name agent_evidence -Arguments @{ since = $since }
            @($r.warnings).Count | Should -Be 1 -Because 'only the KDS note'
            $r.events | Should -BeNullOrEmpty
        }
    }

    Context 'which events are kept' {
        BeforeAll {
            $events = @{
                System = @(
                    @{ provider = 'Service Control Manager'; id = 7000; level = 'Error'; time_created = '2025-06-12T09:00:00Z'; record_id = 1; message = 'The Print Spooler service failed to start.' }
                    @{ provider = 'Service Control Manager'; id = 7038; level = 'Error'; time_created = '2025-06-12T09:01:00Z'; record_id = 2; message = 'The ADSync service was unable to log on.' }
                    @{ provider = 'Service Control Manager'; id = 7041; level = 'Error'; time_created = '2025-06-12T07:00:00Z'; record_id = 3; message = 'The ADSync service was unable to log on (before the window).' }
                    @{ provider = 'NETLOGON'; id = 9001; level = 'Error'; time_created = '2025-06-12T09:02:00Z'; record_id = 4; properties = @('provAgentgMSA$', '0x80070005') }
                    @{ provider = 'Microsoft-Windows-Kerberos-Key-Distribution-Center'; id = 4004; level = 'Error'; time_created = '2025-06-12T09:03:00Z'; record_id = 5; message = 'Not from the KDS service.' }
                )
            }
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name adsync_7038_password -Override @{ event_logs = $events })
            $result = Invoke-EntraSyncModule -Name agent_evidence -Arguments @{ since = $since; services = @('ADSync'); include_installer_logs = $false; trace_files = 0 }
        }
        It 'keeps SCM events that name a requested service, inside the window' {
            @($result.events | Where-Object { $_.provider -eq 'Service Control Manager' }).record_id | Should -Be @(2)
        }
        It 'renders an event without a message from its insertion strings' {
            ($result.events | Where-Object { $_.id -eq 9001 }).message | Should -Be 'provAgentgMSA$ | 0x80070005'
        }
        It 'drops a 4004 that no KDS provider logged' {
            $result.events | Where-Object { $_.id -eq 4004 } | Should -BeNullOrEmpty
        }
        It 'reads no KDS log and warns of no missing 4004 when kds_log_names is empty (the health check asks so)' {
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name stale_install)
            $r = Invoke-EntraSyncModule -Name agent_evidence -Arguments @{ since = $since; kds_log_names = @() }
            (@($r['warnings']) -join "`n") | Should -Not -Match 'KDS event 4004'
            # No query names a KDS log.
            (Get-WinSimCall | Where-Object { $_.command -eq 'Get-WinEvent' } | ConvertTo-Json -Depth 6) | Should -Not -Match 'KdsSvc'
            $default = Invoke-EntraSyncModule -Name agent_evidence -Arguments @{ since = $since }
            (@($default['warnings']) -join "`n") | Should -Match 'No KDS event 4004 was found'
        }
        It 'bounds each query by max_events' {
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name stale_install)
            $r = Invoke-EntraSyncModule -Name agent_evidence -Arguments @{ since = $since; max_events = 1 }
            @($r.events | Where-Object { $_.provider -eq 'Service Control Manager' }).Count | Should -Be 1
            (Get-WinSimCall | Where-Object { $_.command -eq 'Get-WinEvent' } | Select-Object -First 1).parameters.MaxEvents | Should -Be 5
        }
    }

    Context 'files within the byte budget' {
        It 'cuts the newest trace log to the budget and skips the rest with a warning' {
            Use-WinSimHost -Path (Join-Path $scenarios 'truncated_by_budget.json')
            $r = Invoke-EntraSyncModule -Name agent_evidence -Arguments @{ since = $since; max_total_bytes = 4096 }
            $r.files.Count | Should -Be 1
            $r.files[0].path | Should -Match '20250612_101933\.log$'
            $r.files[0].truncated | Should -BeTrue
            $r.collected_bytes | Should -Be 4096
            $r.warnings | Should -Contain 'Stopped collecting files after 4096 bytes (max_total_bytes or timeout); 2 file(s) were skipped'
        }
        It 'reads extra_paths and names their kind; an unreadable file is a warning, the rest is collected' {
            Use-WinSimHost -Scenario (Get-ScenarioHost -Name healthy -Override @{ files = @{
                        'C:\Logs\entra_install.log' = @{ content = 'setup failed' }
                        'C:\Logs\locked.log' = @{ content = 'secret'; access_denied = $true }
                    } })
            $r = Invoke-EntraSyncModule -Name agent_evidence -Arguments @{ since = $since; extra_paths = @('C:\Logs\*.log'); trace_files = 0 }
            $extra = $r.files | Where-Object { $_.path -eq 'C:\Logs\entra_install.log' }
            $extra.kind | Should -Be 'installer_log'
            $extra.content | Should -Be 'setup failed'
            $r.warnings | Should -Contain "Failed to read C:\Logs\locked.log: Access to the path 'C:\Logs\locked.log' is denied."
            $r.files.path | Should -Not -Contain 'C:\Logs\locked.log'
        }
        It 'collects no installer log when include_installer_logs is false' {
            Use-WinSimHost -Path (Join-Path $scenarios 'installer_1603.json')
            $r = Invoke-EntraSyncModule -Name agent_evidence -Arguments @{ since = $since; include_installer_logs = $false }
            $r.files | Should -BeNullOrEmpty
        }
    }

    Context 'the clock: hours and timeout' {
        BeforeEach {
            # A clock that moves a minute at every reading.
            $global:EntraSyncTestClock = [datetime]::new(2025, 6, 12, 12, 0, 0, [DateTimeKind]::Utc)
            Mock Get-Date { $global:EntraSyncTestClock = $global:EntraSyncTestClock.AddMinutes(1); $global:EntraSyncTestClock }
            Use-WinSimHost -Path (Join-Path $scenarios 'installer_1603.json')
        }
        AfterAll { Remove-Variable -Name EntraSyncTestClock -Scope Global -ErrorAction SilentlyContinue }
        It 'collects the last 24 hours when neither since nor hours is given, and the last N for hours' {
            $r = Invoke-EntraSyncModule -Name agent_evidence -Arguments @{ timeout = 86400 }
            ConvertTo-UtcText $r.since | Should -Be '2025-06-11T12:01:00.000Z'
            $global:EntraSyncTestClock = [datetime]::new(2025, 6, 12, 12, 0, 0, [DateTimeKind]::Utc)
            $r = Invoke-EntraSyncModule -Name agent_evidence -Arguments @{ hours = 2; timeout = 86400 }
            ConvertTo-UtcText $r.since | Should -Be '2025-06-12T10:01:00.000Z'
            $r.events.Count | Should -Be 3
        }
        It 'stops at the timeout, returns what it has and says which sources it did not read' {
            $r = Invoke-EntraSyncModule -Name agent_evidence -Arguments @{ since = $since; timeout = 150 }
            $r.Contains('failed') | Should -BeFalse
            $r.warnings | Should -Contain 'Stopped collecting before KDS events: the timeout of 150 seconds was reached'
            $r.warnings | Should -Contain 'Stopped collecting before Windows Installer events: the timeout of 150 seconds was reached'
            $r.events.id | Should -Not -Contain 11708
            $r.files | Should -BeNullOrEmpty
        }
    }

    Context 'bad input fails before anything is read, naming the option' {
        BeforeAll { Use-WinSimHost -Path (Join-Path $scenarios 'healthy.json') }
        It '<Because>' -ForEach @(
            @{ Arguments = @{ since = 'yesterday' }; Message = "since must be an ISO 8601 date and time such as 2025-06-12T08:00:00Z, got 'yesterday'"; Because = 'since that is not a date' }
            @{ Arguments = @{ hours = 0 }; Message = 'hours must be a positive number, got 0'; Because = 'hours of 0' }
            @{ Arguments = @{ since = $since; max_events = 0 }; Message = 'max_events must be positive, got 0'; Because = 'max_events of 0' }
            @{ Arguments = @{ since = $since; max_total_bytes = -1 }; Message = 'max_total_bytes must be positive, got -1'; Because = 'a negative byte budget' }
            @{ Arguments = @{ since = $since; extra_paths = @('logs\setup.log') }; Message = "extra_paths entries must be absolute paths on the target, got 'logs\setup.log'"; Because = 'a relative extra path' }
            @{ Arguments = @{ since = $since; hours = 4 }; Message = 'parameters are mutually exclusive: since, hours'; Because = 'since and hours together' }
        ) {
            $r = Invoke-EntraSyncModule -Name agent_evidence -Arguments $Arguments
            $r.failed | Should -BeTrue
            $r.msg | Should -Be $Message
            Get-WinSimCall | Should -BeNullOrEmpty
        }
    }
}

# The file readers of _EntraSyncEvidence on real files (plain .NET IO, which runs here too).
Describe '_EntraSyncEvidence file readers' {
    BeforeAll {
        $folder = Join-Path ([System.IO.Path]::GetTempPath()) "entra_evidence_$PID"
        $null = New-Item -ItemType Directory -Force -Path $folder
        $utf16 = Join-Path $folder 'msi.log'
        [System.IO.File]::WriteAllBytes($utf16, [byte[]](@(0xFF, 0xFE) + [System.Text.Encoding]::Unicode.GetBytes("line one`r`nline two: Return value 3.`r`n")))
        $utf8Bom = Join-Path $folder 'burn.log'
        [System.IO.File]::WriteAllBytes($utf8Bom, [byte[]](@(0xEF, 0xBB, 0xBF) + [System.Text.Encoding]::UTF8.GetBytes('error 0x80070643')))
        $empty = Join-Path $folder 'empty.log'
        [System.IO.File]::WriteAllBytes($empty, [byte[]]@())
    }
    AfterAll { Remove-Item -LiteralPath $folder -Recurse -Force }

    It 'reads a whole UTF-16 file without its byte order mark, not truncated' {
        $tail = Read-EntraSyncFileTail -Path $utf16 -MaxBytes 4096
        $tail.content | Should -Be "line one`r`nline two: Return value 3.`r`n"
        $tail.truncated | Should -BeFalse
        $tail.size | Should -Be (Get-Item -LiteralPath $utf16).Length
    }
    It 'cuts a UTF-16 file on a character boundary, even for an odd byte budget' {
        $tail = Read-EntraSyncFileTail -Path $utf16 -MaxBytes 25
        $tail.truncated | Should -BeTrue
        "line one`r`nline two: Return value 3.`r`n".EndsWith($tail.content) | Should -BeTrue
        $tail.content.Length | Should -Be 12
    }
    It 'drops a UTF-8 byte order mark and reads an empty file as empty' {
        (Read-EntraSyncFileTail -Path $utf8Bom -MaxBytes 100).content | Should -Be 'error 0x80070643'
        (Read-EntraSyncFileTail -Path $empty -MaxBytes 100).content | Should -Be ''
    }
    It 'picks the failing lines of a log with the lines before them' {
        $lines = @(Select-EntraSyncLogExcerpt -Content "a`nb`nc`nAction ended: Return value 3.`nd" -Context 1)
        $lines | Should -Be @('c', 'Action ended: Return value 3.')
        @(Select-EntraSyncLogExcerpt -Content "a`nb`nc" -MaxLines 2) | Should -Be @('b', 'c')
        Select-EntraSyncLogExcerpt -Content '' | Should -BeNullOrEmpty
    }
}

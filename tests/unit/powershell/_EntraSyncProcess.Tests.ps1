# _EntraSyncProcess: the functions of it that can run here, for real (no sim): the process API's
# kill, and sc.exe's output (a stand-in sc.exe under a temporary SystemRoot) read without a
# terminating error. Start/Wait-EntraSyncProcess P/Invoke CreateProcess and only run on Windows;
# provisioning_agent_package.Tests.ps1 checks what the module gives them and makes of their answers.
BeforeAll {
    $root = (Resolve-Path (Join-Path $PSScriptRoot '..' '..' '..')).Path
    # Globally and once, as TestHarness.ps1 imports the module_utils, so that the other test files' mocks stay in place.
    if (-not (Get-Module -Name _EntraSyncProcess)) {
        Import-Module (Join-Path $root 'plugins' 'module_utils' '_EntraSyncProcess.psm1') -Global -DisableNameChecking
    }
}

Describe '_EntraSyncProcess' {
    Context 'Stop-EntraSyncProcess' {
        It 'ends a running process' {
            $sleeper = Start-Process -FilePath 'sleep' -ArgumentList '60' -PassThru
            Stop-EntraSyncProcess -ProcessId $sleeper.Id
            $sleeper.WaitForExit(10000) | Should -BeTrue
        }
        It 'throws for a process that is not running, so the caller can report it' {
            $gone = Start-Process -FilePath 'true' -PassThru
            $gone.WaitForExit()
            { Stop-EntraSyncProcess -ProcessId $gone.Id } | Should -Throw
        }
    }

    Context 'Remove-EntraSyncService' {
        BeforeAll {
            $systemRoot = Join-Path ([System.IO.Path]::GetTempPath()) "entra_sync_sc_$PID"
            $null = New-Item -ItemType Directory -Force -Path (Join-Path $systemRoot 'System32')
            $sc = Join-Path $systemRoot 'System32' 'sc.exe'
            # Like sc.exe: the verdict on stdout, a non-zero exit code; plus a stderr line.
            Set-Content -LiteralPath $sc -Value "#!/bin/sh`necho `"[SC] DeleteService FAILED 1072: `$*`"`necho 'The specified service has been marked for deletion.' >&2`nexit 1`n"
            & chmod +x $sc
            $savedRoot = $env:SystemRoot
            $env:SystemRoot = $systemRoot
        }
        AfterAll {
            $env:SystemRoot = $savedRoot
            Remove-Item -LiteralPath $systemRoot -Recurse -Force
        }
        It 'passes delete <name> and returns stdout and stderr as text, without a terminating error under Stop' {
            $ErrorActionPreference = 'Stop'
            $output = Remove-EntraSyncService -Name 'AADConnectProvisioningAgent'
            $output | Should -BeOfType [string]
            $output | Should -Match '\[SC\] DeleteService FAILED 1072: delete AADConnectProvisioningAgent'
            $output | Should -Match 'marked for deletion'
        }
    }
}

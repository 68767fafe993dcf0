# Every boundary function (tests/windows_sim/boundary.psd1: a module_util function whose body is one
# Windows-only call) can be made to fail from the host description, as the lab and these tests serve
# it: a scenario's `failures` entry naming the function makes it throw what Windows would.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHarness.ps1')
    $table = Import-PowerShellDataFile -LiteralPath (Join-Path $script:RepoRoot 'tests' 'windows_sim' 'boundary.psd1')
}

Describe 'boundary functions fail as the description says' {
    BeforeAll { Enable-WinSimBoundary }

    # One valid call per function; the failure then comes from the description, not the arguments.
    It '<Function> throws the scripted <Kind> failure' -ForEach @(
        @{ Function = 'Resolve-EntraSyncSidName'; Arguments = @{ Sid = 'S-1-5-80-0' }; Kind = 'rpc_unavailable'; Expected = 'RPC server is unavailable' }
        @{ Function = 'Resolve-EntraSyncAccountSid'; Arguments = @{ Name = 'NT SERVICE\ALL SERVICES' }; Kind = 'rpc_unavailable'; Expected = 'RPC server is unavailable' }
        @{ Function = 'Get-EntraSyncFileVersion'; Arguments = @{ Path = 'C:\Program Files\x.exe' }; Kind = 'access_denied'; Expected = 'Access is denied' }
        @{ Function = 'Invoke-EntraSyncNetworkProbe'; Arguments = @{ HostName = 'login.microsoftonline.com'; Port = 443; TimeoutMs = 1000 }; Kind = 'timeout'; Expected = 'timed out' }
        @{ Function = 'Invoke-EntraSyncScQueryManagedAccount'; Arguments = @{ Name = 'ADSync' }; Kind = 'access_denied'; Expected = 'Access is denied' }
        @{ Function = 'Import-EntraSyncActiveDirectoryModule'; Arguments = @{}; Kind = 'access_denied'; Expected = 'Access is denied' }
        @{ Function = 'Import-EntraSyncAgentModule'; Arguments = @{ Path = 'C:\Program Files\Agent\Microsoft.CloudSync.PowerShell.dll' }; Kind = 'access_denied'; Expected = 'Access is denied' }
        @{ Function = 'Get-EntraSyncLocalAccount'; Arguments = @{ Name = 'svc-local' }; Kind = 'rpc_unavailable'; Expected = 'RPC server is unavailable' }
        @{ Function = 'Read-EntraSyncFileRange'; Arguments = @{ Path = 'C:\Windows\Temp\x.log'; Offset = 0; Count = 10 }; Kind = 'access_denied'; Expected = 'Access is denied' }
        @{ Function = 'Get-EntraSyncMachineTempPath'; Arguments = @{}; Kind = 'wmi_error'; Expected = 'Generic failure' }
        @{ Function = 'Get-EntraSyncRightHolderSid'; Arguments = @{ Right = 'SeServiceLogonRight' }; Kind = 'access_denied'; Expected = 'LsaEnumerateAccountsWithUserRight\(SeServiceLogonRight\) failed' }
        @{ Function = 'Test-EntraSyncServiceAccountInstalled'; Arguments = @{ Name = 'provAgentgMSA$' }; Kind = 'rpc_unavailable'; Expected = 'NetIsServiceAccount\(provAgentgMSA\$\) failed' }
        @{ Function = 'Get-EntraSyncDirectoryAccount'; Arguments = @{ Root = 'LDAP://DC=contoso,DC=com'; SamAccountName = 'svc' }; Kind = 'rpc_unavailable'; Expected = 'RPC server is unavailable'; Terminating = $true }
    ) {
        $description = Read-WinSimHost -Path (Join-Path $script:RepoRoot 'tests' 'windows_sim' 'hosts' 'member_server.json')
        $failure = @{ command = $Function; error = $Kind }
        if ((Get-Variable -Name Terminating -ValueOnly -ErrorAction SilentlyContinue)) {
            $failure.terminating = $true
        }
        $description.failures = @($failure)
        Use-WinSimHost -Scenario $description
        $owner = @($table.Keys | Where-Object { $_ -ne 'LabBelow' -and $table[$_].Contains($Function) })
        $owner.Count | Should -Be 1 -Because "boundary.psd1 lists $Function once"
        # Called from inside its module_util, where the module code calls it (and the mock is scoped).
        $util = Get-Module -Name $owner[0]
        { & $util { param ($Name, $Splat) & $Name @Splat } $Function $Arguments } | Should -Throw -ExpectedMessage "*$($Expected -replace '\\', '')*"
    }

    It 'a translation LSA cannot make (or fails to make) is $null to the caller, as the shipped catch decides' {
        $description = Read-WinSimHost -Path (Join-Path $script:RepoRoot 'tests' 'windows_sim' 'hosts' 'member_server.json')
        Use-WinSimHost -Scenario $description
        $common = Get-Module -Name _EntraSyncCommon
        & $common { ConvertTo-EntraSyncAccountName -Sid 'S-1-5-80-0' } | Should -Be 'NT SERVICE\ALL SERVICES'
        & $common { ConvertTo-EntraSyncAccountName -Sid 'S-1-5-21-1-2-3-999' } | Should -BeNullOrEmpty
        & $common { ConvertTo-EntraSyncSid -Name 'LocalSystem' } | Should -Be 'S-1-5-18'
        $description.failures = @(@{ command = 'Resolve-EntraSyncSidName'; error = 'rpc_unavailable' })
        Use-WinSimHost -Scenario $description
        & $common { ConvertTo-EntraSyncAccountName -Sid 'S-1-5-80-0' } | Should -BeNullOrEmpty
    }

    It 'covers every function of the table (a new boundary function needs a row above)' {
        $listed = @($table.Keys | Where-Object { $_ -ne 'LabBelow' } | ForEach-Object { $table[$_].Keys }) |
            Where-Object { $_ -notmatch '-EntraSyncProcess$|^Remove-EntraSyncService$' }
        # The process functions match failures in the installer area (provisioning_agent_package tests).
        $tested = Get-Content -LiteralPath $PSCommandPath -Raw
        foreach ($function in $listed) {
            $tested | Should -Match "Function = '$function'"
        }
    }
}

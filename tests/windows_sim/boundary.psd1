# The module_util functions whose whole body is one Windows-only native or .NET call, and the
# WinSim call that answers for each: util name -> function -> body. The Pester harness mocks
# them with these bodies (scoped to the util); the lab writes copies of the module_utils with
# these bodies in place (lab/New-WinSimLabRuntime.ps1). One table, so both see the same seam.
# A body reads its arguments from $PesterBoundParameters (the lab sets it to $PSBoundParameters).
# LabBelow: functions the lab does NOT replace: their shipped body runs, and what it calls is
# answered one level lower (native/winsim_native.c built as advapi32.dll / logoncli.dll; the
# lab's modules on PSModulePath). Pester still mocks them: its process has neither.
@{
    LabBelow = @{
        'Get-EntraSyncRightHolderSid' = 'advapi32.dll LsaOpenPolicy, LsaEnumerateAccountsWithUserRight, LsaFreeMemory, LsaClose'
        'Test-EntraSyncServiceAccountInstalled' = 'logoncli.dll NetIsServiceAccount'
        'Import-EntraSyncActiveDirectoryModule' = 'Import-Module ActiveDirectory: the lab module on PSModulePath, which refuses to load where RSAT-AD-PowerShell is not installed'
    }
    '_LogonRight' = @{
        'Get-EntraSyncRightHolderSid' = 'Assert-WinSimNativeCall -Command Get-EntraSyncRightHolderSid -Bound $PesterBoundParameters -Message "LsaEnumerateAccountsWithUserRight($Right) failed"; Get-WinSimRightHolder -Right $Right'
    }
    '_EntraSyncCommon' = @{
        # LSA has no name for the SID / no SID for the name: IdentityNotMappedException's text (the
        # type itself cannot be made off Windows).
        'Resolve-EntraSyncSidName' = '$found = Get-WinSimAccountName -Sid $Sid; if ($null -eq $found) { throw [System.InvalidOperationException]::new(''Some or all identity references could not be translated.'') }; $found'
        'Resolve-EntraSyncAccountSid' = '$found = Get-WinSimAccountSid -Name $Name; if ($null -eq $found) { throw [System.InvalidOperationException]::new(''Some or all identity references could not be translated.'') }; $found'
        'Get-EntraSyncFileVersion' = 'Get-WinSimFileVersion -Path $Path'
        'Invoke-EntraSyncNetworkProbe' = 'Get-WinSimNetworkProbe -HostName $HostName -Port $Port -TimeoutMs $TimeoutMs -Proxy $Proxy'
        'Invoke-EntraSyncScQueryManagedAccount' = 'Get-WinSimScQueryManagedAccount -Name $Name'
    }
    '_GmsaHost' = @{
        'Import-EntraSyncActiveDirectoryModule' = 'Import-WinSimActiveDirectoryModule'
        'Test-EntraSyncServiceAccountInstalled' = 'Assert-WinSimNativeCall -Command Test-EntraSyncServiceAccountInstalled -Bound $PesterBoundParameters -Message "NetIsServiceAccount($Name) failed"; Test-WinSimServiceAccountInstalled -Name $Name'
    }
    '_AgentRegistration' = @{
        'Import-EntraSyncAgentModule' = 'Import-WinSimAgentModule -Path $Path'
    }
    '_EntraSyncDirectory' = @{
        'Get-EntraSyncDirectoryAccount' = 'Get-WinSimDirectoryAccount -Root $Root -SamAccountName $SamAccountName -BindCredential $BindCredential'
        'Get-EntraSyncLocalAccount' = 'Get-WinSimLocalAccount -Name $Name'
    }
    '_EntraSyncEvidence' = @{
        'Read-EntraSyncFileRange' = 'Read-WinSimFileRange -Path $Path -Offset $Offset -Count $Count'
        'Get-EntraSyncMachineTempPath' = 'Get-WinSimMachineTempPath'
    }
    # The installer process and sc.exe delete: areas/Installer.ps1 (runs scripted per scenario).
    '_EntraSyncProcess' = @{
        'Start-EntraSyncProcess' = 'Invoke-WinSimCommand -Command ''Start-EntraSyncProcess'' -Bound $PesterBoundParameters'
        'Wait-EntraSyncProcess' = 'Invoke-WinSimCommand -Command ''Wait-EntraSyncProcess'' -Bound $PesterBoundParameters'
        'Stop-EntraSyncProcess' = 'Invoke-WinSimCommand -Command ''Stop-EntraSyncProcess'' -Bound $PesterBoundParameters'
        'Remove-EntraSyncService' = 'Invoke-WinSimCommand -Command ''Remove-EntraSyncService'' -Bound $PesterBoundParameters'
    }
}

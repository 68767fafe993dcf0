# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Internal to hybrid_identity.entra_sync: read-only helpers shared by the
# Windows modules (registry values, SID translation, services, uninstall
# entries, the provisioning agent's install state). Nothing here changes the host.
# Functions return $null for what is absent or unreadable; callers turn that
# into a null value plus a warning, never a crash.

$script:AgentRegistryKey = 'HKLM:\SOFTWARE\Microsoft\Azure AD Connect Agents\Azure AD Connect Provisioning Agent'
$script:AgentDefaultInstallDir = 'C:\Program Files\Microsoft Azure AD Connect Provisioning Agent\'
$script:AgentProgramData = 'C:\ProgramData\Microsoft\Azure AD Connect Provisioning Agent'
# Add/Remove Programs names: "Microsoft Entra ..." since 1.1.1370.0, "Microsoft Azure AD Connect ..." before.
$script:AgentUninstallPatterns = @(
    'Microsoft Entra Provisioning Agent*'
    'Microsoft Entra Connect Agent Updater*'
    'Microsoft Azure AD Connect Provisioning Agent*'
    'Microsoft Azure AD Connect Agent Updater*'
)

Function Get-EntraSyncAgentConstant {
    <#
    .SYNOPSIS
    The fixed locations of the provisioning agent, from the facts file.
    #>
    [OutputType([hashtable])]
    param ()

    @{
        RegistryKey = $script:AgentRegistryKey
        DefaultInstallDir = $script:AgentDefaultInstallDir
        ProgramData = $script:AgentProgramData
        TraceDir = Join-Path $script:AgentProgramData 'Trace'
        UninstallPatterns = $script:AgentUninstallPatterns
        EventChannel = 'Microsoft-AzureADConnect-ProvisioningAgent/Admin'
    }
}

Function Get-EntraSyncRegistryValue {
    <#
    .SYNOPSIS
    One registry value, or $null when the key or the value is absent.
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][string]$Path,
        [Parameter(Mandatory)][string]$Name
    )

    $item = Get-Item -LiteralPath $Path -ErrorAction SilentlyContinue
    if (-not $item) {
        return $null
    }
    if ($item.GetValueNames() -notcontains $Name) {
        return $null
    }
    $item.GetValue($Name, $null, 'DoNotExpandEnvironmentNames')
}

Function ConvertTo-EntraSyncAccountName {
    <#
    .SYNOPSIS
    Translates a SID string to DOMAIN\name; $null when it cannot be translated.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param (
        [Parameter(Mandatory)][string]$Sid
    )

    try {
        $identifier = New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList $Sid
        $identifier.Translate([System.Security.Principal.NTAccount]).Value
    }
    catch {
        $null
    }
}

Function ConvertTo-EntraSyncSid {
    <#
    .SYNOPSIS
    Translates an account name (DOMAIN\name, name, or a SID string) to a SID string; $null when unknown.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param (
        [Parameter(Mandatory)][string]$Name
    )

    if ($Name -match '^\*?(S-1-[0-9-]+)$') {
        return $Matches[1]
    }
    $lookup = $Name
    if ($lookup -eq 'LocalSystem') {
        $lookup = 'NT AUTHORITY\SYSTEM'
    }
    elseif ($lookup.StartsWith('.\')) {
        $lookup = "$env:COMPUTERNAME\$($lookup.Substring(2))"
    }
    try {
        $account = New-Object -TypeName System.Security.Principal.NTAccount -ArgumentList $lookup
        $account.Translate([System.Security.Principal.SecurityIdentifier]).Value
    }
    catch {
        $null
    }
}

Function Get-EntraSyncManagedAccountFlag {
    <#
    .SYNOPSIS
    Runs `sc.exe qmanagedaccount <service>` and returns its output and the parsed flag.
    .DESCRIPTION
    managed is $true / $false from "MANAGED ACCOUNT : TRUE|FALSE", $null when sc.exe
    did not report it (for example the service does not exist).
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][string]$Name
    )

    $output = try {
        (& "$env:SystemRoot\System32\sc.exe" qmanagedaccount $Name 2>&1 | Out-String)
    }
    catch {
        $_.Exception.Message
    }
    $managed = $null
    if ($output -match 'MANAGED ACCOUNT\s*:\s*(TRUE|FALSE)') {
        $managed = $Matches[1] -eq 'TRUE'
    }
    @{
        service = $Name
        output = $output
        managed = $managed
    }
}

Function Get-EntraSyncServiceFact {
    <#
    .SYNOPSIS
    Plain facts about one service (state, start mode, logon account, managed flag, path).
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][string]$Name,
        [string]$Role
    )

    $fact = [ordered]@{
        name = $Name
        display_name = $null
        exists = $false
        state = $null
        start_mode = $null
        start_name = $null
        managed_account = $null
        path = $null
    }
    if ($Role) {
        $fact.role = $Role
    }

    $escaped = $Name.Replace("'", "''")
    $service = Get-CimInstance -ClassName Win32_Service -Filter "Name='$escaped'" -ErrorAction SilentlyContinue
    if (-not $service) {
        return $fact
    }
    $fact.name = $service.Name
    $fact.display_name = $service.DisplayName
    $fact.exists = $true
    $fact.state = switch ($service.State) {
        'Start Pending' { 'StartPending' }
        'Stop Pending' { 'StopPending' }
        'Continue Pending' { 'ContinuePending' }
        'Pause Pending' { 'PausePending' }
        default { $service.State }
    }
    $fact.start_mode = $service.StartMode
    $fact.start_name = $service.StartName
    $fact.path = $service.PathName
    $fact.managed_account = (Get-EntraSyncManagedAccountFlag -Name $service.Name).managed
    $fact
}

Function Find-EntraSyncServiceName {
    <#
    .SYNOPSIS
    The first of the candidate service names that exists, else the first service whose
    display name matches the pattern, else $null.
    .DESCRIPTION
    The updater service name is not documented for sure (AGENT_FACTS: UNKNOWN), so
    callers pass the known names and a display-name pattern and both are tried.
    #>
    [CmdletBinding()]
    param (
        [string[]]$Name = @(),
        [string]$DisplayNamePattern
    )

    foreach ($candidate in $Name) {
        if (Get-Service -Name $candidate -ErrorAction SilentlyContinue) {
            return $candidate
        }
    }
    if ($DisplayNamePattern) {
        $match = Get-Service -ErrorAction SilentlyContinue | Where-Object { $_.DisplayName -like $DisplayNamePattern } |
            Select-Object -First 1
        if ($match) {
            return $match.Name
        }
    }
    $null
}

Function Get-EntraSyncUninstallEntry {
    <#
    .SYNOPSIS
    Add/Remove Programs entries (64-bit and 32-bit views) whose display name matches one of the patterns.
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][string[]]$DisplayNamePattern
    )

    $roots = @(
        'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall'
        'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall'
    )
    foreach ($root in $roots) {
        if (-not (Test-Path -LiteralPath $root)) {
            continue
        }
        foreach ($key in (Get-ChildItem -LiteralPath $root -ErrorAction SilentlyContinue)) {
            $displayName = $key.GetValue('DisplayName', $null)
            if (-not $displayName) {
                continue
            }
            $matched = $false
            foreach ($pattern in $DisplayNamePattern) {
                if ($displayName -like $pattern) {
                    $matched = $true
                    break
                }
            }
            if (-not $matched) {
                continue
            }
            [ordered]@{
                display_name = $displayName
                display_version = $key.GetValue('DisplayVersion', $null)
                product_code = $key.PSChildName
                quiet_uninstall_string = $key.GetValue('QuietUninstallString', $null)
                uninstall_string = $key.GetValue('UninstallString', $null)
            }
        }
    }
}

Function Get-EntraSyncFileVersion {
    <#
    .SYNOPSIS
    ProductVersion of a file as a string, or $null when the file is absent.
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][string]$Path
    )

    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) {
        return $null
    }
    $info = [System.Diagnostics.FileVersionInfo]::GetVersionInfo($Path)
    if ($info.ProductVersion) {
        # ProductVersion may carry a suffix ("1.1.1586.0 (build)"); keep the dotted part.
        if ($info.ProductVersion -match '^\d+(\.\d+){1,3}') {
            return $Matches[0]
        }
        return $info.ProductVersion
    }
    $null
}

Function Get-EntraSyncAgentState {
    <#
    .SYNOPSIS
    The provisioning agent's install state as the contracts name it (the `agent` dict of agent_host_info).
    .DESCRIPTION
    As Microsoft's AADCloudSyncTools does, a missing registry key means "not installed".
    The version is the ProductVersion of AADConnectProvisioningAgent.exe, falling back to
    the Add/Remove Programs entry. TenantID present means registered.
    #>
    [CmdletBinding()]
    param (
        [string]$ServiceName = 'AADConnectProvisioningAgent'
    )

    $key = $script:AgentRegistryKey
    $keyPresent = Test-Path -LiteralPath $key
    $installDir = $null
    $tenantId = $null
    $registeredService = $null
    if ($keyPresent) {
        $installDir = Get-EntraSyncRegistryValue -Path $key -Name 'InstallDir'
        $tenantId = Get-EntraSyncRegistryValue -Path $key -Name 'TenantID'
        $registeredService = Get-EntraSyncRegistryValue -Path $key -Name 'ServiceName'
    }
    if ($tenantId -is [string] -and $tenantId.Trim() -eq '') {
        $tenantId = $null
    }

    $entries = @(Get-EntraSyncUninstallEntry -DisplayNamePattern $script:AgentUninstallPatterns)

    $exeDir = if ($installDir) { $installDir } else { $script:AgentDefaultInstallDir }
    $version = Get-EntraSyncFileVersion -Path (Join-Path $exeDir 'AADConnectProvisioningAgent.exe')
    if (-not $version) {
        $agentEntry = $entries | Where-Object { $_.display_name -match 'Provisioning Agent$' } | Select-Object -First 1
        if ($agentEntry) {
            $version = $agentEntry.display_version
        }
    }

    [ordered]@{
        installed = [bool]$keyPresent
        registry_key_present = [bool]$keyPresent
        version = if ($keyPresent) { $version } else { $null }
        install_dir = $installDir
        tenant_id = $tenantId
        registered = [bool]$tenantId
        service_name = if ($registeredService) { $registeredService } elseif ($keyPresent) { $ServiceName } else { $null }
        uninstall_entries = $entries
    }
}

Function Compare-EntraSyncVersion {
    <#
    .SYNOPSIS
    -1, 0 or 1 comparing two dotted version strings; $null when either does not parse.
    #>
    [CmdletBinding()]
    param (
        [AllowNull()][string]$Left,
        [AllowNull()][string]$Right
    )

    $l = $null
    $r = $null
    if (-not [Version]::TryParse("$Left", [ref]$l) -or -not [Version]::TryParse("$Right", [ref]$r)) {
        return $null
    }
    $l.CompareTo($r)
}

$exportMembers = @{
    Function = @(
        'Compare-EntraSyncVersion'
        'ConvertTo-EntraSyncAccountName'
        'ConvertTo-EntraSyncSid'
        'Find-EntraSyncServiceName'
        'Get-EntraSyncAgentConstant'
        'Get-EntraSyncAgentState'
        'Get-EntraSyncFileVersion'
        'Get-EntraSyncManagedAccountFlag'
        'Get-EntraSyncRegistryValue'
        'Get-EntraSyncServiceFact'
        'Get-EntraSyncUninstallEntry'
    )
}
Export-ModuleMember @exportMembers

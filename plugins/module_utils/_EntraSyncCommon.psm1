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

Function Join-EntraSyncPath {
    <#
    .SYNOPSIS
    Parent\Child for a Windows path, without asking a PowerShell provider.
    .DESCRIPTION
    Join-Path resolves the drive of the parent, so it fails for a drive that PowerShell has not
    mounted; a plain join gives the same text Join-Path gives for an existing filesystem drive.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param (
        [Parameter(Mandatory)][string]$Parent,
        [Parameter(Mandatory)][string]$Child
    )

    "$($Parent.TrimEnd('\'))\$($Child.TrimStart('\'))"
}

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
        TraceDir = Join-EntraSyncPath -Parent $script:AgentProgramData -Child 'Trace'
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
        Resolve-EntraSyncSidName -Sid $Sid
    }
    catch {
        $null
    }
}

Function Resolve-EntraSyncSidName {
    <#
    .SYNOPSIS
    LSA's DOMAIN\name for a SID (SecurityIdentifier.Translate); throws IdentityNotMappedException when it has none.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param (
        [Parameter(Mandatory)][string]$Sid
    )

    (New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList $Sid).Translate([System.Security.Principal.NTAccount]).Value
}

Function Resolve-EntraSyncAccountSid {
    <#
    .SYNOPSIS
    LSA's SID string for an account name (NTAccount.Translate); throws IdentityNotMappedException when it has none.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param (
        [Parameter(Mandatory)][string]$Name
    )

    (New-Object -TypeName System.Security.Principal.NTAccount -ArgumentList $Name).Translate([System.Security.Principal.SecurityIdentifier]).Value
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
        Resolve-EntraSyncAccountSid -Name $lookup
    }
    catch {
        $null
    }
}

Function Invoke-EntraSyncScQueryManagedAccount {
    <#
    .SYNOPSIS
    The text of `sc.exe qmanagedaccount <service>` (evidence only: it is localised, never parsed here).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param (
        [Parameter(Mandatory)][string]$Name
    )

    try {
        (& "$env:SystemRoot\System32\sc.exe" qmanagedaccount $Name 2>&1 | Out-String)
    }
    catch {
        $_.Exception.Message
    }
}

Function ConvertTo-EntraSyncByteArray {
    <#
    .SYNOPSIS
    A REG_BINARY value as byte[]; $null when the value is not binary.
    .DESCRIPTION
    PowerShell unrolls a byte[] that a function outputs, so a binary value may arrive as object[] of
    bytes (or a single byte); all of these forms are accepted.
    #>
    [CmdletBinding()]
    [OutputType([byte[]])]
    param (
        [AllowNull()][object]$Value
    )

    if ($null -eq $Value) {
        return $null
    }
    $items = @($Value)
    if (@($items | Where-Object { $_ -isnot [byte] }).Count -gt 0) {
        return $null
    }
    , [byte[]]$items
}

Function Get-EntraSyncServiceAccountManaged {
    <#
    .SYNOPSIS
    The service's managed-account flag from its registry value ServiceAccountManaged; $null when unknown.
    .DESCRIPTION
    `sc.exe managedaccount <service> TRUE|FALSE` stores the flag as the value ServiceAccountManaged of
    HKLM\SYSTEM\CurrentControlSet\Services\<service>. Microsoft does not document the value's type:
    a REG_BINARY of four bytes (01 00 00 00) is what hosts are reported to show, so both a REG_BINARY
    (read as a little-endian number) and a REG_DWORD are accepted; non-zero is TRUE. A service key
    without the value is FALSE, as sc.exe qmanagedaccount reports it. $null when the key cannot be read
    or the value has another type.
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][string]$Name
    )

    $path = "HKLM:\SYSTEM\CurrentControlSet\Services\$Name"
    $key = Get-Item -LiteralPath $path -ErrorAction SilentlyContinue
    if (-not $key) {
        return $null
    }
    if ($key.GetValueNames() -notcontains 'ServiceAccountManaged') {
        return $false
    }
    $value = $key.GetValue('ServiceAccountManaged', $null)
    if ($value -is [int] -or $value -is [long]) {
        return $value -ne 0
    }
    $bytes = ConvertTo-EntraSyncByteArray -Value $value
    if ($null -eq $bytes -or $bytes.Count -eq 0) {
        return $null
    }
    [bool](@($bytes | Where-Object { $_ -ne 0 }).Count)
}

Function Get-EntraSyncManagedAccountFlag {
    <#
    .SYNOPSIS
    The managed-account flag of a service and the `sc.exe qmanagedaccount` text beside it.
    .DESCRIPTION
    managed comes from the registry value ServiceAccountManaged (Get-EntraSyncServiceAccountManaged),
    not from the text of sc.exe, which is localised; output is that text, kept as evidence.
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][string]$Name
    )

    @{
        service = $Name
        output = Invoke-EntraSyncScQueryManagedAccount -Name $Name
        managed = Get-EntraSyncServiceAccountManaged -Name $Name
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
        [string]$Role,
        # How the caller found this service: service_name (a name it was given) or registry_key
        # (the ServiceName value of the agent's own key). Added to the fact when given.
        [ValidateSet('service_name', 'registry_key')][string]$IdentifiedBy
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
    if ($IdentifiedBy) {
        $fact.identified_by = $IdentifiedBy
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
    $fact.managed_account = Get-EntraSyncServiceAccountManaged -Name $service.Name
    $fact
}

Function Find-EntraSyncServiceName {
    <#
    .SYNOPSIS
    The first of the candidate service names that exists, else $null.
    .DESCRIPTION
    A service is found by its exact name only. A display name is no identity: "Agent Updater" also
    names the updater of the Pass-through Authentication agent, and a service found that way may be
    another product's (issue 11, item 3). -DisplayNamePattern is still accepted so that older callers
    keep working, but it no longer selects anything; Find-EntraSyncServiceByDisplayName lists such
    services as evidence.
    #>
    [CmdletBinding()]
    param (
        [string[]]$Name = @(),
        [Obsolete('A display name does not identify a service; use Find-EntraSyncServiceByDisplayName for evidence.')]
        [string]$DisplayNamePattern
    )

    foreach ($candidate in $Name) {
        if (Get-Service -Name $candidate -ErrorAction SilentlyContinue) {
            return $candidate
        }
    }
    $null
}

Function Find-EntraSyncServiceByDisplayName {
    <#
    .SYNOPSIS
    Services whose display name matches the pattern, except the named ones: evidence, never a target.
    .DESCRIPTION
    Each entry says identified_by = display_name, so that no caller mistakes it for one of the
    agent's own services (a module must not stop or delete a service found this way).
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][string]$Pattern,
        [string[]]$Exclude = @()
    )

    foreach ($service in @(Get-Service -ErrorAction SilentlyContinue)) {
        if ($service.DisplayName -like $Pattern -and $Exclude -notcontains $service.Name) {
            [ordered]@{
                name = $service.Name
                display_name = $service.DisplayName
                identified_by = 'display_name'
            }
        }
    }
}

Function Get-EntraSyncUninstallEntry {
    <#
    .SYNOPSIS
    Add/Remove Programs entries (64-bit and 32-bit views) whose display name matches one of the patterns,
    each saying how it was identified.
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][string[]]$DisplayNamePattern,
        # Product codes known to be the agent's own: entries with one of them say identified_by =
        # product_code, all others display_name (Microsoft publishes no product or upgrade code).
        [string[]]$ProductCode = @()
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
                identified_by = if ($ProductCode -contains $key.PSChildName) { 'product_code' } else { 'display_name' }
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
        [string]$ServiceName = 'AADConnectProvisioningAgent',
        # Product codes known to be the agent's (or its updater's): see Get-EntraSyncUninstallEntry.
        [string[]]$ProductCode = @()
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

    $entries = @(Get-EntraSyncUninstallEntry -DisplayNamePattern $script:AgentUninstallPatterns -ProductCode $ProductCode)

    $exeDir = if ($installDir) { $installDir } else { $script:AgentDefaultInstallDir }
    $version = Get-EntraSyncFileVersion -Path (Join-EntraSyncPath -Parent $exeDir -Child 'AADConnectProvisioningAgent.exe')
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

Function ConvertFrom-EntraSyncWinHttpSetting {
    <#
    .SYNOPSIS
    Decodes the WinHTTP proxy value WinHttpSettings (REG_BINARY) into its raw parts.
    .DESCRIPTION
    HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections\WinHttpSettings is
    what `netsh winhttp set proxy` writes. Microsoft does not document its layout; the one read here is
    the layout the WinINet DefaultConnectionSettings value is known to share (little-endian):
      offset 0   UInt32  structure version / size marker (0x18 or 0x28 seen)
      offset 4   UInt32  change counter
      offset 8   UInt32  flags: 0x1 direct, 0x2 named proxy (netsh: 3 = proxy set, 1 = direct)
      offset 12  UInt32  length N of the proxy server string, then N bytes of ASCII (server:port, or
                         a list such as "http=p1:80;https=p2:443")
      then       UInt32  length M of the bypass list, then M bytes of ASCII ("<local>;*.contoso.com")
    Anything after that is ignored. A value that is too short for the lengths it declares is not
    guessed at: parsed = $false and error says where it broke.
    #>
    [CmdletBinding()]
    param (
        [AllowNull()][byte[]]$Bytes
    )

    $result = [ordered]@{
        present = $null -ne $Bytes
        parsed = $false
        flags = $null
        proxy_server = $null
        bypass_list = $null
        raw_hex = if ($null -ne $Bytes) { ([System.BitConverter]::ToString($Bytes)).Replace('-', '') } else { $null }
        error = $null
    }
    if ($null -eq $Bytes) {
        return $result
    }
    $offset = 0
    $readUInt32 = {
        if ($offset + 4 -gt $Bytes.Count) {
            throw "the value ends at byte $($Bytes.Count), inside the field at offset $offset"
        }
        $number = [System.BitConverter]::ToUInt32($Bytes, $offset)
        Set-Variable -Name offset -Scope 1 -Value ($offset + 4)
        $number
    }
    $readString = {
        $length = & $readUInt32
        if ($offset + $length -gt $Bytes.Count) {
            throw "a string of $length bytes at offset $offset runs past the end ($($Bytes.Count) bytes)"
        }
        $text = [System.Text.Encoding]::ASCII.GetString($Bytes, $offset, $length)
        Set-Variable -Name offset -Scope 1 -Value ($offset + $length)
        $text
    }
    try {
        $null = & $readUInt32
        $null = & $readUInt32
        $result.flags = [int64](& $readUInt32)
        $server = & $readString
        $bypass = & $readString
        $result.proxy_server = if ($server) { $server } else { $null }
        $result.bypass_list = if ($bypass) { $bypass } else { $null }
        $result.parsed = $true
    }
    catch {
        $result.error = $_.Exception.Message
    }
    $result
}

Function Get-EntraSyncWinHttpProxy {
    <#
    .SYNOPSIS
    The machine's WinHTTP proxy from the registry (not from `netsh winhttp show proxy`, whose text is localised).
    #>
    [CmdletBinding()]
    param ()

    $path = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections'
    $raw = Get-EntraSyncRegistryValue -Path $path -Name 'WinHttpSettings'
    $bytes = ConvertTo-EntraSyncByteArray -Value $raw
    $setting = ConvertFrom-EntraSyncWinHttpSetting -Bytes $bytes
    if ($null -ne $raw -and $null -eq $bytes) {
        $setting.present = $true
        $setting.error = "WinHttpSettings is not a binary value ($($raw.GetType().Name))"
    }
    $setting
}

Function Get-EntraSyncAgentProxyConfig {
    <#
    .SYNOPSIS
    The <system.net><defaultProxy> block of the agent's AADConnectProvisioningAgent.exe.config, as raw parts.
    .DESCRIPTION
    read is $false when the file is absent; error carries why it could not be read or parsed.
    Attributes are returned as written (strings), for the controller to interpret.
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][string]$Path
    )

    $proxy = [ordered]@{
        config_path = $Path
        read = $false
        configured = $false
        enabled = $null
        address = $null
        use_system_default = $null
        bypass_on_local = $null
        bypass_list = @()
        raw = $null
        error = $null
    }
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) {
        return $proxy
    }
    try {
        # Lines joined rather than -Raw: -Raw is a FileSystem dynamic parameter; this form works on any provider.
        $text = @(Get-Content -LiteralPath $Path -ErrorAction Stop) -join "`n"
        $xml = New-Object -TypeName System.Xml.XmlDocument
        $xml.XmlResolver = $null
        $xml.PreserveWhitespace = $true
        $xml.LoadXml($text)
        $proxy.read = $true
    }
    catch {
        # Not read is not "no proxy": configured stays unknown.
        $proxy.configured = $null
        $proxy.error = $_.Exception.Message
        return $proxy
    }
    $node = $xml.SelectSingleNode('/configuration/system.net/defaultProxy')
    if (-not $node) {
        return $proxy
    }
    $proxy.configured = $true
    $proxy.raw = $node.OuterXml
    if ($node.HasAttribute('enabled')) {
        $proxy.enabled = $node.GetAttribute('enabled')
    }
    $proxyNode = $node.SelectSingleNode('proxy')
    if ($proxyNode) {
        foreach ($pair in @(@('proxyaddress', 'address'), @('usesystemdefault', 'use_system_default'), @('bypassonlocal', 'bypass_on_local'))) {
            if ($proxyNode.HasAttribute($pair[0])) {
                $proxy[$pair[1]] = $proxyNode.GetAttribute($pair[0])
            }
        }
    }
    $proxy.bypass_list = @(
        foreach ($add in @($node.SelectNodes('bypasslist/add'))) {
            $add.GetAttribute('address')
        }
    )
    $proxy
}

Function Invoke-EntraSyncNetworkProbe {
    <#
    .SYNOPSIS
    Opens a TCP connection to host:port, directly or through an HTTP proxy (CONNECT), within a timeout.
    .DESCRIPTION
    Returns @{ reachable; error; elapsed_ms; proxy_status }. Through a proxy, reachable means the
    proxy answered the CONNECT with 2xx (proxy_status holds its status line); only the tunnel is
    tested, not TLS through it. The whole body is the network call, so tests serve it from the host
    description.
    #>
    [CmdletBinding()]
    param (
        [Parameter(Mandatory)][string]$HostName,
        [Parameter(Mandatory)][int]$Port,
        [Parameter(Mandatory)][int]$TimeoutMs,
        # host:port of an HTTP proxy; direct when empty.
        [string]$Proxy
    )

    $target = if ($Proxy) { $Proxy } else { "${HostName}:$Port" }
    $connectHost = $target.Substring(0, $target.LastIndexOf(':')).Trim('[', ']')
    $connectPort = [int]$target.Substring($target.LastIndexOf(':') + 1)
    $client = New-Object -TypeName System.Net.Sockets.TcpClient
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $outcome = @{ reachable = $false; error = $null; elapsed_ms = $null; proxy_status = $null }
    try {
        $pending = $client.BeginConnect($connectHost, $connectPort, $null, $null)
        if (-not $pending.AsyncWaitHandle.WaitOne($TimeoutMs)) {
            $outcome.error = "timed out after $TimeoutMs ms"
        }
        else {
            $client.EndConnect($pending)
            if (-not $Proxy) {
                $outcome.reachable = $true
            }
            else {
                $stream = $client.GetStream()
                $stream.ReadTimeout = $TimeoutMs
                $request = [System.Text.Encoding]::ASCII.GetBytes("CONNECT ${HostName}:$Port HTTP/1.1`r`nHost: ${HostName}:$Port`r`n`r`n")
                $stream.Write($request, 0, $request.Length)
                $reader = New-Object -TypeName System.IO.StreamReader -ArgumentList $stream, ([System.Text.Encoding]::ASCII)
                $status = $reader.ReadLine()
                $outcome.proxy_status = $status
                if ($status -match '^HTTP/\d\.\d\s+2\d\d') {
                    $outcome.reachable = $true
                }
                else {
                    $outcome.error = "the proxy refused the tunnel: $status"
                }
            }
        }
    }
    catch {
        $outcome.error = if ($_.Exception.InnerException) { $_.Exception.InnerException.Message } else { $_.Exception.Message }
    }
    finally {
        $watch.Stop()
        $client.Close()
    }
    $outcome.elapsed_ms = [int]$watch.ElapsedMilliseconds
    $outcome
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
        'ConvertFrom-EntraSyncWinHttpSetting'
        'ConvertTo-EntraSyncAccountName'
        'ConvertTo-EntraSyncByteArray'
        'ConvertTo-EntraSyncSid'
        'Resolve-EntraSyncAccountSid'
        'Resolve-EntraSyncSidName'
        'Find-EntraSyncServiceByDisplayName'
        'Find-EntraSyncServiceName'
        'Get-EntraSyncAgentConstant'
        'Get-EntraSyncAgentProxyConfig'
        'Get-EntraSyncAgentState'
        'Get-EntraSyncFileVersion'
        'Get-EntraSyncManagedAccountFlag'
        'Get-EntraSyncRegistryValue'
        'Get-EntraSyncServiceAccountManaged'
        'Get-EntraSyncServiceFact'
        'Get-EntraSyncUninstallEntry'
        'Get-EntraSyncWinHttpProxy'
        'Invoke-EntraSyncNetworkProbe'
        'Invoke-EntraSyncScQueryManagedAccount'
        'Join-EntraSyncPath'
    )
}
Export-ModuleMember @exportMembers

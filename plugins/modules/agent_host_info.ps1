#!powershell

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ..module_utils._EntraSyncCommon

$spec = @{
    options = @{
        agent_service_name = @{ type = 'str'; default = 'AADConnectProvisioningAgent' }
        updater_service_names = @{ type = 'list'; elements = 'str'; default = @('AzureADConnectAgentUpdater') }
        agent_product_codes = @{ type = 'list'; elements = 'str'; default = @() }
        probe = @{ type = 'list'; elements = 'str'; default = @() }
        probe_route = @{ type = 'str'; default = 'auto'; choices = @('auto', 'direct', 'agent_proxy', 'winhttp_proxy') }
        probe_timeout_seconds = @{ type = 'float'; default = 3 }
        # The old name, in milliseconds; Ansible.Basic warns that it goes away.
        probe_timeout_ms = @{ type = 'int'; removed_in_version = '2.0.0'; removed_from_collection = 'hybrid_identity.entra_sync' }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$agentServiceName = $module.Params.agent_service_name
$updaterServiceNames = $module.Params.updater_service_names
$agentProductCodes = @($module.Params.agent_product_codes)
$probe = $module.Params.probe
$probeRoute = $module.Params.probe_route
# Milliseconds, as the probe takes them; the deprecated probe_timeout_ms wins when given.
$probeTimeout = if ($null -ne $module.Params.probe_timeout_ms) {
    [int]$module.Params.probe_timeout_ms
}
else {
    [int]([double]$module.Params.probe_timeout_seconds * 1000)
}
if ($probeTimeout -lt 1) {
    $module.FailJson("probe_timeout_seconds must be greater than 0, got $($module.Params.probe_timeout_seconds)")
}

# Validate the probe list before anything is read so a typo fails fast with the option named.
$probeTargets = [System.Collections.Generic.List[object]]@()
foreach ($code in $agentProductCodes) {
    if ($code -notmatch '^\{[0-9A-Fa-f]{8}-([0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}\}$') {
        $module.FailJson("agent_product_codes entries must be product codes such as {6C2E6A5D-2B8F-4C3E-9A71-0D5E6F7A8B9C}, got '$code'")
    }
}
foreach ($entry in $probe) {
    if ($entry -notmatch '^(?<host>[A-Za-z0-9._-]+|\[[0-9A-Fa-f:]+\]):(?<port>\d{1,5})$' -or [int]$Matches.port -gt 65535) {
        $module.FailJson("probe entries must be host:port, got '$entry'")
    }
    $probeTargets.Add(@{ host = $Matches.host.Trim('[', ']'); port = [int]$Matches.port })
}

$module.Result.changed = $false
$Reg = @{
    CurrentVersion = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
    NetFx = 'HKLM:\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full'
    Schannel = 'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2'
    NetFx64 = 'HKLM:\SOFTWARE\Microsoft\.NETFramework\v4.0.30319'
    NetFx32 = 'HKLM:\SOFTWARE\WOW6432Node\Microsoft\.NETFramework\v4.0.30319'
    Kerberos = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System\Kerberos\Parameters'
    Lsa = 'HKLM:\SYSTEM\CurrentControlSet\Control\Lsa'
    Msv1 = 'HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\MSV1_0'
}

Function Get-IntValue {
    param ([string]$Path, [string]$Name)
    $value = Get-EntraSyncRegistryValue -Path $Path -Name $Name
    if ($null -eq $value) {
        return $null
    }
    # REG_DWORD reads back as a signed Int32; report the unsigned value Windows documents.
    if ($value -is [int]) {
        return [int64][BitConverter]::ToUInt32([BitConverter]::GetBytes($value), 0)
    }
    try { [int64]$value } catch { $null }
}

# --- os -------------------------------------------------------------------
$os = [ordered]@{
    caption = $null; version = $null; build = $null; ubr = $null; edition = $null
    installation_type = $null; server_core = $null; product_type = $null; total_memory_bytes = $null
}
$computerSystem = $null
try {
    $cimOs = Get-CimInstance -ClassName Win32_OperatingSystem -ErrorAction Stop
    $computerSystem = Get-CimInstance -ClassName Win32_ComputerSystem -ErrorAction Stop
    $os.caption = "$($cimOs.Caption)".Trim()
    $os.version = $cimOs.Version
    $os.build = [int]$cimOs.BuildNumber
    $os.product_type = switch ([int]$cimOs.ProductType) {
        1 { 'workstation' }
        2 { 'domain_controller' }
        3 { 'server' }
        default { $null }
    }
    $os.total_memory_bytes = [int64]$computerSystem.TotalPhysicalMemory
}
catch {
    $module.Warn("Failed to read the operating system through CIM: $($_.Exception.Message)")
}
$os.ubr = Get-IntValue -Path $Reg.CurrentVersion -Name 'UBR'
$os.edition = Get-EntraSyncRegistryValue -Path $Reg.CurrentVersion -Name 'EditionID'
$os.installation_type = Get-EntraSyncRegistryValue -Path $Reg.CurrentVersion -Name 'InstallationType'
if ($null -ne $os.installation_type) {
    $os.server_core = $os.installation_type -eq 'Server Core'
}
$module.Result.os = $os

# --- domain ---------------------------------------------------------------
# Unknown (null) unless CIM answered: a failed read must not look like a workgroup host.
$domain = [ordered]@{ joined = $null; name = $null; computer_name = $env:COMPUTERNAME; is_domain_controller = $null }
if ($computerSystem) {
    $domain.joined = [bool]$computerSystem.PartOfDomain
    $domain.name = if ($computerSystem.PartOfDomain) { $computerSystem.Domain } else { $null }
    $domain.computer_name = $computerSystem.Name
    # DomainRole 4 = backup DC, 5 = primary DC.
    $domain.is_domain_controller = [int]$computerSystem.DomainRole -ge 4
}
$module.Result.domain = $domain

# --- dotnet / execution policy --------------------------------------------
$module.Result.dotnet = @{ release = Get-IntValue -Path $Reg.NetFx -Name 'Release' }

$policy = [ordered]@{ machine_policy = $null; user_policy = $null; process = $null; current_user = $null; local_machine = $null }
try {
    foreach ($scope in (Get-ExecutionPolicy -List -ErrorAction Stop)) {
        $key = switch ("$($scope.Scope)") {
            'MachinePolicy' { 'machine_policy' }
            'UserPolicy' { 'user_policy' }
            'Process' { 'process' }
            'CurrentUser' { 'current_user' }
            'LocalMachine' { 'local_machine' }
        }
        if ($key) {
            $policy[$key] = "$($scope.ExecutionPolicy)"
        }
    }
}
catch {
    $module.Warn("Failed to read the execution policy: $($_.Exception.Message)")
}
$module.Result.execution_policy = $policy

# --- TLS 1.2 --------------------------------------------------------------
$module.Result.tls = [ordered]@{
    tls12_client = [ordered]@{
        enabled = Get-IntValue -Path "$($Reg.Schannel)\Client" -Name 'Enabled'
        disabled_by_default = Get-IntValue -Path "$($Reg.Schannel)\Client" -Name 'DisabledByDefault'
    }
    tls12_server = [ordered]@{
        enabled = Get-IntValue -Path "$($Reg.Schannel)\Server" -Name 'Enabled'
        disabled_by_default = Get-IntValue -Path "$($Reg.Schannel)\Server" -Name 'DisabledByDefault'
    }
    dotnet = [ordered]@{
        schusestrongcrypto_64 = Get-IntValue -Path $Reg.NetFx64 -Name 'SchUseStrongCrypto'
        schusestrongcrypto_32 = Get-IntValue -Path $Reg.NetFx32 -Name 'SchUseStrongCrypto'
        systemdefaulttlsversions_64 = Get-IntValue -Path $Reg.NetFx64 -Name 'SystemDefaultTlsVersions'
        systemdefaulttlsversions_32 = Get-IntValue -Path $Reg.NetFx32 -Name 'SystemDefaultTlsVersions'
    }
}

# --- Credential Manager (VaultSvc) ----------------------------------------
$vault = Get-EntraSyncServiceFact -Name 'VaultSvc'
$module.Result.credential_manager = [ordered]@{ start_mode = $vault.start_mode; state = $vault.state }
if (-not $vault.exists) {
    $module.Warn('The Credential Manager service (VaultSvc) was not found')
}

# --- Kerberos / NTLM -------------------------------------------------------
$module.Result.kerberos = @{ supported_encryption_types = Get-IntValue -Path $Reg.Kerberos -Name 'SupportedEncryptionTypes' }
$module.Result.ntlm = [ordered]@{
    lm_compatibility_level = Get-IntValue -Path $Reg.Lsa -Name 'LmCompatibilityLevel'
    restrict_sending_ntlm_traffic = Get-IntValue -Path $Reg.Msv1 -Name 'RestrictSendingNTLMTraffic'
}

# --- pending reboot ---------------------------------------------------------
$reasons = [System.Collections.Generic.List[string]]@()
if (Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending') {
    $reasons.Add('ComponentBasedServicing')
}
if (Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired') {
    $reasons.Add('WindowsUpdate')
}
$renames = Get-EntraSyncRegistryValue -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager' -Name 'PendingFileRenameOperations'
if ($renames) {
    $reasons.Add('PendingFileRenameOperations')
}
$activeName = Get-EntraSyncRegistryValue -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\ComputerName\ActiveComputerName' -Name 'ComputerName'
$pendingName = Get-EntraSyncRegistryValue -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName' -Name 'ComputerName'
if ($activeName -and $pendingName -and $activeName -ne $pendingName) {
    $reasons.Add('ComputerRename')
}
# JoinDomain is a subkey of Netlogon (present until the reboot that completes a join), not a value.
if (Test-Path -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Services\Netlogon\JoinDomain') {
    $reasons.Add('DomainJoin')
}
$module.Result.pending_reboot = [ordered]@{ required = $reasons.Count -gt 0; reasons = $reasons }

# --- agent and its services -------------------------------------------------
$constants = Get-EntraSyncAgentConstant
$agent = Get-EntraSyncAgentState -ServiceName $agentServiceName -ProductCode $agentProductCodes
$module.Result.agent = $agent

# Pieces count only by the agent's own identity (issue 11, item 3): the agent service by the
# ServiceName of the agent's registry key (else the configured name), the updater by one of the
# configured service names. A display name is no identity ("Agent Updater" also names the
# Pass-through Authentication agent's updater): such services are listed apart, as evidence.
$registeredServiceName = Get-EntraSyncRegistryValue -Path $constants.RegistryKey -Name 'ServiceName'
$agentServiceFact = if ($registeredServiceName) {
    Get-EntraSyncServiceFact -Name $registeredServiceName -Role 'agent' -IdentifiedBy 'registry_key'
}
else {
    Get-EntraSyncServiceFact -Name $agentServiceName -Role 'agent' -IdentifiedBy 'service_name'
}
$updaterName = Find-EntraSyncServiceName -Name $updaterServiceNames
if (-not $updaterName) {
    $updaterName = $updaterServiceNames | Select-Object -First 1
}
$services = @(
    $agentServiceFact
    if ($updaterName) { Get-EntraSyncServiceFact -Name $updaterName -Role 'updater' -IdentifiedBy 'service_name' }
)
foreach ($service in $services) {
    if ($service.exists -and $null -eq $service.managed_account) {
        $module.Warn("Failed to read the managed-account flag of service $($service.name) (ServiceAccountManaged under HKLM:\SYSTEM\CurrentControlSet\Services\$($service.name)); managed_account is null")
    }
}
$module.Result.services = $services
$module.Result.updater_lookalikes = @(
    Find-EntraSyncServiceByDisplayName -Pattern '*Agent Updater*' -Exclude (@($services | ForEach-Object { $_.name }) + $updaterServiceNames)
)
# Other Microsoft Entra agents (Pass-through Authentication, ...) register beside ours and may share the updater.
$agentsRoot = $constants.RegistryKey.Substring(0, $constants.RegistryKey.LastIndexOf('\'))
$agentKeyName = $constants.RegistryKey.Substring($constants.RegistryKey.LastIndexOf('\') + 1)
$module.Result.other_entra_agents = @(
    if (Test-Path -LiteralPath $agentsRoot) {
        Get-ChildItem -LiteralPath $agentsRoot -ErrorAction SilentlyContinue |
            Where-Object { $_.PSChildName -ne $agentKeyName } |
            ForEach-Object { $_.PSChildName }
    }
)

# --- leftovers of a partial install ----------------------------------------
$installDir = if ($agent.install_dir) { $agent.install_dir } else { $constants.DefaultInstallDir }
$packageCacheDirs = [System.Collections.Generic.List[string]]@()
$packageCache = Join-EntraSyncPath -Parent $env:ProgramData -Child 'Package Cache'
if (Test-Path -LiteralPath $packageCache) {
    $markers = @(
        'Microsoft.SCIM.Provisioning.Setup.msi'
        'AADConnectProvisioningAgentSetup.exe'
        'AADConnectProvisioningAgent.Installer.exe'
        'ProvisioningAgentSetup.exe'
    )
    # -Directory is a FileSystem dynamic parameter; PSIsContainer works on every provider.
    foreach ($dir in @(Get-ChildItem -LiteralPath $packageCache -ErrorAction SilentlyContinue | Where-Object { $_.PSIsContainer })) {
        foreach ($marker in $markers) {
            if (Test-Path -LiteralPath (Join-EntraSyncPath -Parent $dir.FullName -Child $marker)) {
                $packageCacheDirs.Add($dir.FullName)
                break
            }
        }
    }
}
$orphans = @(
    if (-not $agent.registry_key_present) {
        $services | Where-Object { $_.exists } | ForEach-Object { $_.name }
    }
)
$module.Result.leftovers = [ordered]@{
    install_dir_exists = Test-Path -LiteralPath $installDir -PathType Container
    program_data_exists = Test-Path -LiteralPath $constants.ProgramData -PathType Container
    package_cache_dirs = $packageCacheDirs
    orphan_services = $orphans
}

# --- proxies: the agent's own config and the machine's WinHTTP setting ---------------
$configPath = Join-EntraSyncPath -Parent $installDir -Child 'AADConnectProvisioningAgent.exe.config'
$agentProxy = Get-EntraSyncAgentProxyConfig -Path $configPath
if ($agentProxy.error) {
    $module.Warn("Failed to read the proxy settings from ${configPath}: $($agentProxy.error)")
}
$module.Result.proxy = [ordered]@{
    configured = $agentProxy.configured
    enabled = $agentProxy.enabled
    address = $agentProxy.address
    use_system_default = $agentProxy.use_system_default
    bypass_on_local = $agentProxy.bypass_on_local
    bypass_list = $agentProxy.bypass_list
    raw = $agentProxy.raw
}
$winHttp = Get-EntraSyncWinHttpProxy
if ($winHttp.error) {
    $module.Warn("Failed to decode the WinHTTP proxy (WinHttpSettings): $($winHttp.error); winhttp_proxy holds the raw value")
}
$module.Result.winhttp_proxy = [ordered]@{
    present = $winHttp.present
    parsed = $winHttp.parsed
    flags = $winHttp.flags
    proxy_server = $winHttp.proxy_server
    bypass_list = $winHttp.bypass_list
    raw_hex = $winHttp.raw_hex
}

# --- reachability probes -----------------------------------------------------
Function ConvertTo-ProxyEndpoint {
    <# host:port of a proxy written as a URI (http://p:8080) or as host[:port]; $null when there is none. #>
    param ([AllowNull()][string]$Address)
    if (-not $Address) {
        return $null
    }
    $text = if ($Address -match '^[A-Za-z][A-Za-z0-9+.-]*://') { $Address } else { "http://$Address" }
    $uri = $null
    if (-not [System.Uri]::TryCreate($text, [System.UriKind]::Absolute, [ref]$uri) -or -not $uri.Host) {
        return $null
    }
    "$($uri.Host):$($uri.Port)"
}

Function Get-WinHttpProxyFor {
    <# The WinHTTP proxy a request to host:port takes: "http=a:80;https=b:443" lists pick by scheme. #>
    param ([string]$Server, [int]$Port)
    if (-not $Server) {
        return $null
    }
    $entries = @($Server -split '[;\s]+' | Where-Object { $_ })
    $scheme = if ($Port -eq 443) { 'https' } else { 'http' }
    $byScheme = @($entries | Where-Object { $_ -like "$scheme=*" } | Select-Object -First 1)
    if ($byScheme) {
        $address = $byScheme[0].Substring($byScheme[0].IndexOf('=') + 1)
        return ConvertTo-ProxyEndpoint -Address $address
    }
    $plain = @($entries | Where-Object { $_ -notmatch '=' } | Select-Object -First 1)
    if ($plain) {
        return ConvertTo-ProxyEndpoint -Address $plain[0]
    }
    $null
}

Function Test-WinHttpBypass {
    <# WinHTTP bypass list: "<local>" = names without a dot, other entries are wildcards. #>
    param ([string]$HostName, [AllowNull()][string]$List)
    foreach ($entry in @("$List" -split '[;\s]+' | Where-Object { $_ })) {
        if (($entry -eq '<local>' -and $HostName -notmatch '\.') -or $HostName -like $entry) {
            return $true
        }
    }
    $false
}

Function Test-AgentBypass {
    <# .NET defaultProxy: bypasslist entries are regular expressions; bypassonlocal covers names without a dot. #>
    param ([string]$HostName)
    if ("$($agentProxy.bypass_on_local)" -eq 'true' -and $HostName -notmatch '\.') {
        return $true
    }
    foreach ($pattern in $agentProxy.bypass_list) {
        try {
            if ($pattern -and $HostName -match $pattern) {
                return $true
            }
        }
        catch {
            $module.Warn("The agent's proxy bypass entry '$pattern' is not a valid regular expression")
        }
    }
    $false
}

# Which way each probe goes. auto takes the path the agent's traffic takes as far as the host shows
# it: the proxy of the agent's own config, else the machine's WinHTTP proxy, else direct, each
# unless its bypass list names the host. The route is reported per probe; the controller judges.
$agentEndpoint = if ($agentProxy.configured -and "$($agentProxy.enabled)" -ne 'false') { ConvertTo-ProxyEndpoint -Address $agentProxy.address } else { $null }
$winHttpNamed = $winHttp.parsed -and ($winHttp.flags -band 2)
$module.Result.reachability = @(
    foreach ($target in $probeTargets) {
        $winHttpEndpoint = if ($winHttpNamed) { Get-WinHttpProxyFor -Server $winHttp.proxy_server -Port $target.port } else { $null }
        $route = $probeRoute
        if ($route -eq 'auto') {
            $route = if ($agentEndpoint -and -not (Test-AgentBypass -HostName $target.host)) { 'agent_proxy' }
            elseif ($winHttpEndpoint -and -not (Test-WinHttpBypass -HostName $target.host -List $winHttp.bypass_list)) { 'winhttp_proxy' }
            else { 'direct' }
        }
        $proxyEndpoint = switch ($route) {
            'agent_proxy' { $agentEndpoint }
            'winhttp_proxy' { $winHttpEndpoint }
            default { $null }
        }
        $row = [ordered]@{
            host = $target.host
            port = $target.port
            route = $route
            proxy = $proxyEndpoint
            reachable = $null
            error = $null
            proxy_status = $null
            elapsed_ms = $null
        }
        if ($route -ne 'direct' -and -not $proxyEndpoint) {
            $row.error = "probe_route is $route but no such proxy is configured on this host"
        }
        else {
            $probeArgs = @{ HostName = $target.host; Port = $target.port; TimeoutMs = $probeTimeout }
            if ($proxyEndpoint) {
                $probeArgs.Proxy = $proxyEndpoint
            }
            $outcome = Invoke-EntraSyncNetworkProbe @probeArgs
            $row.reachable = [bool]$outcome.reachable
            $row.error = $outcome.error
            $row.proxy_status = $outcome.proxy_status
            $row.elapsed_ms = $outcome.elapsed_ms
        }
        $row
    }
)

$module.ExitJson()

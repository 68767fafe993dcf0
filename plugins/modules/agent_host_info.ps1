#!powershell

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ..module_utils._EntraSyncCommon

$spec = @{
    options = @{
        agent_service_name = @{ type = 'str'; default = 'AADConnectProvisioningAgent' }
        updater_service_names = @{ type = 'list'; elements = 'str'; default = @('AzureADConnectAgentUpdater') }
        probe = @{ type = 'list'; elements = 'str'; default = @() }
        probe_timeout_ms = @{ type = 'int'; default = 3000 }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$agentServiceName = $module.Params.agent_service_name
$updaterServiceNames = $module.Params.updater_service_names
$probe = $module.Params.probe
$probeTimeout = $module.Params.probe_timeout_ms

# Validate the probe list before anything is read so a typo fails fast with the option named.
$probeTargets = [System.Collections.Generic.List[object]]@()
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
$domain = [ordered]@{ joined = $false; name = $null; computer_name = $env:COMPUTERNAME; is_domain_controller = $false }
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
if (Get-EntraSyncRegistryValue -Path 'HKLM:\SYSTEM\CurrentControlSet\Services\Netlogon' -Name 'JoinDomain') {
    $reasons.Add('DomainJoin')
}
$module.Result.pending_reboot = [ordered]@{ required = $reasons.Count -gt 0; reasons = $reasons }

# --- agent and its services -------------------------------------------------
$constants = Get-EntraSyncAgentConstant
$agent = Get-EntraSyncAgentState -ServiceName $agentServiceName
$module.Result.agent = $agent

# The updater's service name is not documented for sure: try the given names,
# then any service whose display name says "Agent Updater".
$updaterName = Find-EntraSyncServiceName -Name $updaterServiceNames -DisplayNamePattern '*Agent Updater*'
if (-not $updaterName) {
    $updaterName = $updaterServiceNames | Select-Object -First 1
}
$agentServiceFact = Get-EntraSyncServiceFact -Name $agentServiceName -Role 'agent'
$services = @(
    $agentServiceFact
    if ($updaterName) { Get-EntraSyncServiceFact -Name $updaterName -Role 'updater' }
)
$module.Result.services = $services

# --- leftovers of a partial install ----------------------------------------
$installDir = if ($agent.install_dir) { $agent.install_dir } else { $constants.DefaultInstallDir }
$packageCacheDirs = [System.Collections.Generic.List[string]]@()
$packageCache = Join-Path $env:ProgramData 'Package Cache'
if (Test-Path -LiteralPath $packageCache) {
    $markers = @(
        'Microsoft.SCIM.Provisioning.Setup.msi'
        'AADConnectProvisioningAgentSetup.exe'
        'AADConnectProvisioningAgent.Installer.exe'
        'ProvisioningAgentSetup.exe'
    )
    foreach ($dir in (Get-ChildItem -LiteralPath $packageCache -Directory -ErrorAction SilentlyContinue)) {
        foreach ($marker in $markers) {
            if (Test-Path -LiteralPath (Join-Path $dir.FullName $marker)) {
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

# --- proxy block of the agent config ----------------------------------------
$proxy = [ordered]@{ configured = $false; address = $null; raw = $null }
$configPath = Join-Path $installDir 'AADConnectProvisioningAgent.exe.config'
if (Test-Path -LiteralPath $configPath -PathType Leaf) {
    try {
        $xml = New-Object -TypeName System.Xml.XmlDocument
        $xml.XmlResolver = $null
        $xml.Load($configPath)
        $node = $xml.SelectSingleNode('/configuration/system.net/defaultProxy')
        if ($node) {
            $proxy.configured = $true
            $proxy.raw = $node.OuterXml
            $proxyNode = $node.SelectSingleNode('proxy')
            if ($proxyNode -and $proxyNode.GetAttribute('proxyaddress')) {
                $proxy.address = $proxyNode.GetAttribute('proxyaddress')
            }
        }
    }
    catch {
        $module.Warn("Failed to read the proxy settings from ${configPath}: $($_.Exception.Message)")
    }
}
$module.Result.proxy = $proxy

# --- reachability probes -----------------------------------------------------
$module.Result.reachability = @(
    foreach ($target in $probeTargets) {
        $client = New-Object -TypeName System.Net.Sockets.TcpClient
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $reachable = $false
        $errorText = $null
        try {
            $pending = $client.BeginConnect($target.host, $target.port, $null, $null)
            if ($pending.AsyncWaitHandle.WaitOne($probeTimeout)) {
                $client.EndConnect($pending)
                $reachable = $true
            }
            else {
                $errorText = "timed out after $probeTimeout ms"
            }
        }
        catch {
            $errorText = if ($_.Exception.InnerException) { $_.Exception.InnerException.Message } else { $_.Exception.Message }
        }
        finally {
            $watch.Stop()
            $client.Close()
        }
        [ordered]@{
            host = $target.host
            port = $target.port
            reachable = $reachable
            error = $errorText
            elapsed_ms = [int]$watch.ElapsedMilliseconds
        }
    }
)

$module.ExitJson()

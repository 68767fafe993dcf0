# The provisioning agent's registration cmdlets (Microsoft.CloudSync.PowerShell.dll): scenario section `cloud_sync`:
#   "cloud_sync": {
#     "import_error": null,                      # text Import-Module throws (e.g. the execution policy's security error)
#     "netbios": "CONTOSO",                      # domain prefix of the gMSA the service ends up running as
#     "tenant": { "id": "<guid>", "admin": "hybrid-admin@contoso.onmicrosoft.com", "mfa_required": false },
#     "errors": { "<cmdlet>": "message", "Add-AADCloudSyncADDomain:<domain>": "message" },   # a cmdlet that fails
#     "registered_domains": [], "password_writeback": false, "permissions": []               # what the cmdlets did
#   }
# Add-AADCloudSyncGMSA without -CustomGMSAName creates provAgentgMSA$: with no usable KDS root key in
# the host's AD view (active_directory.kds_root_keys, when listed) it fails as the agent does.
# Assumptions (the cmdlets' effects are not documented; to confirm on a real host): a successful
# Connect-AADCloudSyncAzureAD writes TenantID to the agent's registry key; Add-AADCloudSyncGMSA
# changes the agent service's logon account to the gMSA; a cmdlet run before the connection fails.

if (-not ('Microsoft.Identity.Client.MsalUiRequiredException' -as [type])) {
    Add-Type -TypeDefinition @'
namespace Microsoft.Identity.Client
{
    public class MsalException : System.Exception
    {
        public MsalException(string errorCode, string message) : base(message) { ErrorCode = errorCode; }
        public string ErrorCode { get; private set; }
    }
    public class MsalServiceException : MsalException
    {
        public MsalServiceException(string errorCode, string message) : base(errorCode, message) { }
    }
    public class MsalUiRequiredException : MsalServiceException
    {
        public MsalUiRequiredException(string errorCode, string message) : base(errorCode, message) { }
    }
}
'@
}

$script:AgentSession = @{ imported = $false; connected = $false }
Register-WinSimArea -Name Agent -Initialize { $script:AgentSession = @{ imported = $false; connected = $false } }

Function Get-WinSimCloudSync {
    $section = Get-WinSimSection -Name cloud_sync
    foreach ($list in 'registered_domains', 'permissions') {
        if (-not $section.Contains($list) -or $null -eq $section[$list]) {
            $section[$list] = @()
        }
    }
    $section
}

Function Import-WinSimAgentModule {
    <# Serves Import-EntraSyncAgentModule: the DLL must exist; import_error makes Import-Module throw. #>
    param ([Parameter(Mandatory)][string]$Path)
    if (-not (Find-WinSimFile -Path $Path)) {
        throw [System.IO.FileNotFoundException]::new("The specified module '$Path' was not loaded because no valid module file was found in any module directory.")
    }
    $cloud = Get-WinSimCloudSync
    if ($cloud.Contains('import_error') -and $cloud.import_error) {
        $exception = [System.Management.Automation.PSSecurityException]::new([string]$cloud.import_error)
        throw [System.Management.Automation.ErrorRecord]::new($exception, 'UnauthorizedAccess', 'SecurityError', $Path)
    }
    $script:AgentSession.imported = $true
}

Function Assert-WinSimAgentCall {
    <# The failure a scenario asks for, or the one Windows gives for a cmdlet of a module that was not imported. #>
    param ($Cmdlet, [string]$Command, [string]$Key, [switch]$NeedsConnection)
    if (-not $script:AgentSession.imported) {
        throw "WinSim: $Command called before Import-Module Microsoft.CloudSync.PowerShell.dll (on Windows: CommandNotFoundException)"
    }
    $errors = (Get-WinSimCloudSync)['errors']
    foreach ($name in @($Key, $Command)) {
        if ($name -and $errors -and $errors.Contains($name) -and $errors[$name]) {
            $Cmdlet.WriteError([System.Management.Automation.ErrorRecord]::new(
                    [System.InvalidOperationException]::new([string]$errors[$name]), "$Command,Microsoft.CloudSync.PowerShell", 'InvalidOperation', $null))
            return $false
        }
    }
    if ($NeedsConnection -and -not $script:AgentSession.connected) {
        # Undocumented wording: the sim's own.
        $Cmdlet.WriteError([System.Management.Automation.ErrorRecord]::new(
                [System.InvalidOperationException]::new('WinSim: not connected; run Connect-AADCloudSyncAzureAD first'), "$Command,Microsoft.CloudSync.PowerShell", 'InvalidOperation', $null))
        return $false
    }
    $true
}

Register-WinSimHandler -Command 'Connect-AADCloudSyncAzureAD' -Handler {
    param ($Bound, $SetName, $Cmdlet, $Call)
    if (-not (Assert-WinSimAgentCall -Cmdlet $Cmdlet -Command 'Connect-AADCloudSyncAzureAD')) { return }
    $tenant = (Get-WinSimCloudSync)['tenant']
    $user = if ($Bound['Credential']) { $Bound['Credential'].UserName } else { '' }
    if (-not $tenant -or $user -ne $tenant['admin']) {
        $Cmdlet.WriteError([System.Management.Automation.ErrorRecord]::new(
                [Microsoft.Identity.Client.MsalServiceException]::new('invalid_grant', 'AADSTS50126: Error validating credentials due to invalid username or password.'),
                'Connect-AADCloudSyncAzureAD', 'AuthenticationError', $user))
        return
    }
    if ($tenant['mfa_required']) {
        $Cmdlet.WriteError([System.Management.Automation.ErrorRecord]::new(
                [Microsoft.Identity.Client.MsalUiRequiredException]::new('invalid_grant', "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000002-0000-0000-c000-000000000000'."),
                'Connect-AADCloudSyncAzureAD', 'AuthenticationError', $user))
        return
    }
    $script:AgentSession.connected = $true
    if ($tenant.Contains('writes_tenant_id') -and -not $tenant['writes_tenant_id']) {
        # A sign-in that succeeds without the agent recording the tenant (a half-registered agent).
        return
    }
    Set-WinSimRegistryValue -Path 'HKLM:\SOFTWARE\Microsoft\Azure AD Connect Agents\Azure AD Connect Provisioning Agent' -Name 'TenantID' -Value ([string]$tenant['id']) -Type ''
    Set-WinSimChanged -Call $Call
}

Function Test-WinSimKdsReady {
    <#
    Whether the agent can create (or already has) its default gMSA: the object exists in AD, or a KDS
    root key is usable (a domain controller uses a key 10 hours after its EffectiveTime). Judged only
    when the host's AD view lists KDS root keys (the lab's domain file does), else assumed ready.
    #>
    param ([string]$GmsaName)
    $state = Get-WinSimState
    if (-not $state.Contains('active_directory') -or -not $state.active_directory -or -not $state.active_directory.Contains('kds_root_keys')) {
        return $true
    }
    if (Find-WinSimAdObject -Identity $GmsaName) {
        return $true
    }
    foreach ($key in @($state.active_directory.kds_root_keys | Where-Object { $_ })) {
        $effective = $key['EffectiveTime']
        if ($effective -isnot [datetime]) {
            $effective = [datetime]::Parse([string]$effective, [cultureinfo]::InvariantCulture, 'AdjustToUniversal')
        }
        if ($effective.ToUniversalTime().AddHours(10) -le [DateTime]::UtcNow) {
            return $true
        }
    }
    $false
}

Register-WinSimHandler -Command 'Add-AADCloudSyncGMSA' -Handler {
    param ($Bound, $SetName, $Cmdlet, $Call)
    if (-not (Assert-WinSimAgentCall -Cmdlet $Cmdlet -Command 'Add-AADCloudSyncGMSA' -NeedsConnection)) { return }
    $cloud = Get-WinSimCloudSync
    $netbios = if ($cloud.Contains('netbios')) { $cloud.netbios } else { 'CONTOSO' }
    $name = if ($Bound.ContainsKey('CustomGMSAName')) { ([string]$Bound['CustomGMSAName']).Split('\')[-1] } else { 'provAgentgMSA$' }
    if (-not $Bound.ContainsKey('CustomGMSAName') -and -not (Test-WinSimKdsReady -GmsaName $name)) {
        # The agent's own wording (trace log and the cmdlet's error) when it cannot create its default gMSA.
        $Cmdlet.WriteError([System.Management.Automation.ErrorRecord]::new(
                [System.InvalidOperationException]::new('Failed changing Windows service credentials to gMSA. Unable to create gMSA because KDS may not be running on domain controller. Please create/run KDS manually.'),
                'Add-AADCloudSyncGMSA,Microsoft.CloudSync.PowerShell', 'InvalidOperation', $null))
        return
    }
    foreach ($service in (Get-WinSimServiceList)) {
        if ($service.Name -eq 'AADConnectProvisioningAgent') {
            $service.StartName = "$netbios\$name"
        }
    }
    Set-WinSimChanged -Call $Call
}

Register-WinSimHandler -Command 'Add-AADCloudSyncADDomain' -Handler {
    param ($Bound, $SetName, $Cmdlet, $Call)
    $domain = [string]$Bound['DomainName']
    if (-not (Assert-WinSimAgentCall -Cmdlet $Cmdlet -Command 'Add-AADCloudSyncADDomain' -Key "Add-AADCloudSyncADDomain:$domain" -NeedsConnection)) { return }
    $cloud = Get-WinSimCloudSync
    if (@($cloud.registered_domains) -notcontains $domain) {
        $cloud.registered_domains = @(@($cloud.registered_domains) + $domain)
    }
    Set-WinSimChanged -Call $Call
}

Register-WinSimHandler -Command 'Set-AADCloudSyncPasswordWritebackConfiguration' -Handler {
    param ($Bound, $SetName, $Cmdlet, $Call)
    if (-not (Assert-WinSimAgentCall -Cmdlet $Cmdlet -Command 'Set-AADCloudSyncPasswordWritebackConfiguration')) { return }
    (Get-WinSimCloudSync).password_writeback = [bool]$Bound['Enable']
    Set-WinSimChanged -Call $Call
}

Register-WinSimHandler -Command 'Set-AADCloudSyncPermissions' -Handler {
    param ($Bound, $SetName, $Cmdlet, $Call)
    if (-not (Assert-WinSimAgentCall -Cmdlet $Cmdlet -Command 'Set-AADCloudSyncPermissions')) { return }
    $cloud = Get-WinSimCloudSync
    $target = if ($Bound.ContainsKey('TargetDomain')) { [string]$Bound['TargetDomain'] } else { '*' }
    $cloud.permissions = @(@($cloud.permissions) + "$($Bound['PermissionType']):$target")
    Set-WinSimChanged -Call $Call
}

#!powershell

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -Become
#AnsibleRequires -PowerShell ..module_utils._EntraSyncCommon

$spec = @{
    options = @{
        tenant_username = @{ type = 'str'; required = $true }
        tenant_password = @{ type = 'str'; required = $true; no_log = $true }
        domain_admin_username = @{ type = 'str' }
        domain_admin_password = @{ type = 'str'; no_log = $true }
        gmsa_name = @{ type = 'str' }
        domains = @{
            type = 'list'
            elements = 'dict'
            required = $true
            options = @{
                name = @{ type = 'str'; required = $true }
                preferred_domain_controllers = @{ type = 'list'; elements = 'str'; default = @() }
                username = @{ type = 'str' }
                password = @{ type = 'str'; no_log = $true }
            }
            required_together = @(
                , @('username', 'password')
            )
        }
        password_writeback = @{ type = 'bool'; default = $false }
        permissions = @{
            type = 'list'
            elements = 'str'
            default = @()
            choices = @(
                'BasicRead'
                'PasswordHashSync'
                'PasswordWriteBack'
                'HybridExchangePermissions'
                'ExchangeMailPublicFolderPermissions'
                'UserGroupCreateDelete'
                'All'
            )
        }
        enterprise_admin_username = @{ type = 'str' }
        enterprise_admin_password = @{ type = 'str'; no_log = $true }
        force = @{ type = 'bool'; default = $false }
        restart_service = @{ type = 'bool'; default = $true }
        agent_service_name = @{ type = 'str'; default = 'AADConnectProvisioningAgent' }
        install_dir = @{ type = 'str' }
    }
    required_together = @(
        @('domain_admin_username', 'domain_admin_password'),
        @('enterprise_admin_username', 'enterprise_admin_password')
    )
    required_one_of = @(
        , @('gmsa_name', 'domain_admin_username')
    )
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$p = $module.Params
$serviceName = $p.agent_service_name

# --- validate every input before anything is read or changed --------------------------
if ($null -ne $p.gmsa_name -and $p.gmsa_name -notmatch '^([^\\]+\\)?[^"/\\\[\]:;|=,+*?<>@ ]{1,15}\$$') {
    $module.FailJson("gmsa_name must be the sAMAccountName of a gMSA ending with '`$', got '$($p.gmsa_name)'")
}
if ($p.domains.Count -eq 0) {
    $module.FailJson('domains must list at least one domain to register')
}
$fqdnPattern = '^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$'
for ($i = 0; $i -lt $p.domains.Count; $i++) {
    $domain = $p.domains[$i]
    if ($domain.name -notmatch $fqdnPattern) {
        $module.FailJson("domains[$i].name must be a fully qualified DNS domain name such as contoso.com, got '$($domain.name)'")
    }
    if (-not $domain.username -and -not $p.domain_admin_username) {
        $module.FailJson("domains[$i] ($($domain.name)) needs a credential: set domains[$i].username and domains[$i].password, or domain_admin_username and domain_admin_password")
    }
    foreach ($dc in $domain.preferred_domain_controllers) {
        if ($dc -notmatch '^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$') {
            $module.FailJson("domains[$i].preferred_domain_controllers entries must be host names, got '$dc'")
        }
    }
}
if ($p.install_dir -and $p.install_dir -notmatch '^[A-Za-z]:\\') {
    $module.FailJson("install_dir must be an absolute path on the target, got '$($p.install_dir)'")
}

Function New-Credential {
    param ([string]$UserName, [string]$Password)
    New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList @(
        $UserName, (ConvertTo-SecureString -String $Password -AsPlainText -Force)
    )
}

$module.Result.changed = $false
$module.Result.tenant_id = $null
$module.Result.gmsa = $null
$module.Result.domains = [System.Collections.Generic.List[string]]@()
$module.Result.steps = [System.Collections.Generic.List[object]]@()
$module.Result.service_state = $null

Function Add-Step {
    param ([string]$Name, [bool]$Changed, [AllowNull()][string]$SkippedReason)
    $module.Result.steps.Add([ordered]@{ name = $Name; changed = $Changed; skipped_reason = $SkippedReason })
}

Function Get-ServiceFacts {
    $service = Get-EntraSyncServiceFact -Name $serviceName
    $module.Result.service_state = $service.state
    $service
}

# --- observe -----------------------------------------------------------------------------------
$agent = Get-EntraSyncAgentState -ServiceName $serviceName
if (-not $agent.registry_key_present) {
    $module.FailJson("Failed to register the provisioning agent: it is not installed on this host (no agent registry key); install it first with hybrid_identity.entra_sync.provisioning_agent_package")
}
$installDir = if ($p.install_dir) { $p.install_dir } elseif ($agent.install_dir) { $agent.install_dir } else { (Get-EntraSyncAgentConstant).DefaultInstallDir }
$service = Get-ServiceFacts
if (-not $service.exists) {
    $module.FailJson("Failed to register the provisioning agent: service $serviceName does not exist")
}

$wantedGmsa = $p.gmsa_name
$startName = "$($service.start_name)"
$runsAsGmsa = $startName.EndsWith('$')
$gmsaMatches = if ($wantedGmsa) {
    $startName -like "*\$($wantedGmsa.Split('\')[-1])" -or $startName -eq $wantedGmsa
}
else {
    $runsAsGmsa
}
$module.Result.tenant_id = $agent.tenant_id
$module.Result.gmsa = if ($runsAsGmsa) { $startName } else { $null }
$requestedDomains = @($p.domains | ForEach-Object { $_.name })

# Registered = a tenant id in the registry and the service running as the expected gMSA.
# Domains, password writeback and permissions cannot be read back with a documented cmdlet,
# so they are only (re)applied when registering or with force.
if ($agent.registered -and $gmsaMatches -and -not $p.force) {
    $reason = "already registered (TenantID is set and the service runs as $startName); set force to re-run"
    foreach ($stepName in @('connect_tenant', 'add_gmsa') + @($requestedDomains | ForEach-Object { "add_domain:$_" }) + @('restart_service')) {
        Add-Step -Name $stepName -Changed $false -SkippedReason $reason
    }
    foreach ($d in $requestedDomains) {
        $module.Result.domains.Add($d)
    }
    $module.ExitJson()
}

$gmsaLabel = if ($wantedGmsa) { $wantedGmsa } else { 'provAgentgMSA$ (created by the agent)' }
$module.Diff.before = @{ tenant_id = $agent.tenant_id; gmsa = $startName }
$module.Diff.after = @{ tenant_id = "(tenant of $($p.tenant_username))"; gmsa = $gmsaLabel }
$module.Result.changed = $true

$plannedSteps = @('import_module', 'connect_tenant', 'add_gmsa') + @($requestedDomains | ForEach-Object { "add_domain:$_" })
if ($module.CheckMode) {
    foreach ($stepName in $plannedSteps) {
        Add-Step -Name $stepName -Changed ($stepName -ne 'import_module') -SkippedReason $null
    }
    if ($p.password_writeback) { Add-Step -Name 'password_writeback' -Changed $true -SkippedReason $null }
    foreach ($permission in $p.permissions) { Add-Step -Name "set_permissions:$permission" -Changed $true -SkippedReason $null }
    if ($p.restart_service) { Add-Step -Name 'restart_service' -Changed $true -SkippedReason $null }
    foreach ($d in $requestedDomains) { $module.Result.domains.Add($d) }
    $module.ExitJson()
}

# --- change, in Microsoft's documented order ----------------------------------------------------
$tenantCredential = New-Credential -UserName $p.tenant_username -Password $p.tenant_password
$domainAdminCredential = if ($p.domain_admin_username) { New-Credential -UserName $p.domain_admin_username -Password $p.domain_admin_password }

Function Invoke-Step {
    param ([string]$Name, [scriptblock]$Action, [string]$FailureVerb)
    $index = $module.Result.steps.Count
    Add-Step -Name $Name -Changed $false -SkippedReason $null
    try {
        $null = & $Action
    }
    catch {
        $text = "$($_.Exception.Message)"
        if ($_.Exception.InnerException) {
            $text = "$text $($_.Exception.InnerException.Message)"
        }
        $null = Get-ServiceFacts
        if ($text -match 'MsalUiRequiredException|AADSTS50076|AADSTS50079|AADSTS50074|AADSTS50158|multi-factor|multifactor') {
            $code = if ($text -match '(AADSTS\d+)') { " ($($Matches[1]))" } else { '' }
            $module.FailJson(("Failed to connect to the tenant as $($p.tenant_username): the account requires multi-factor authentication$code, " +
                    "which cannot be answered from a headless session such as WinRM. Register interactively on the host once, or use a " +
                    "Hybrid Identity Administrator account that a Conditional Access policy lets sign in without MFA from this server. " +
                    "Error: $text"), $_)
        }
        if ($Name -eq 'import_module' -and $text -match 'AuthorizationManager|security error|UnauthorizedAccess|not digitally signed|SecurityError') {
            $module.FailJson(("Failed to import Microsoft.CloudSync.PowerShell.dll: $text (security error; an Unrestricted execution policy makes " +
                    "registration fail: set the machine and user policies to Undefined or RemoteSigned)"), $_)
        }
        $module.FailJson("Failed to ${FailureVerb}: $text", $_)
    }
    $module.Result.steps[$index].changed = $Name -ne 'import_module'
}

$modulePath = Join-Path $installDir 'Microsoft.CloudSync.PowerShell.dll'
if (-not (Test-Path -LiteralPath $modulePath -PathType Leaf)) {
    $module.FailJson("Failed to import the agent's PowerShell module: $modulePath does not exist (set install_dir)")
}
Invoke-Step -Name 'import_module' -FailureVerb "import $modulePath" -Action {
    Import-Module -Name $modulePath -ErrorAction Stop
}
Invoke-Step -Name 'connect_tenant' -FailureVerb "connect to the tenant as $($p.tenant_username)" -Action {
    Connect-AADCloudSyncAzureAD -Credential $tenantCredential -ErrorAction Stop
}
if ($wantedGmsa) {
    Invoke-Step -Name 'add_gmsa' -FailureVerb "add the gMSA $wantedGmsa" -Action {
        Add-AADCloudSyncGMSA -CustomGMSAName $wantedGmsa -ErrorAction Stop
    }
}
else {
    Invoke-Step -Name 'add_gmsa' -FailureVerb 'add the gMSA' -Action {
        Add-AADCloudSyncGMSA -Credential $domainAdminCredential -ErrorAction Stop
    }
}
foreach ($domain in $p.domains) {
    $credential = if ($domain.username) { New-Credential -UserName $domain.username -Password $domain.password } else { $domainAdminCredential }
    $domainParams = @{ DomainName = $domain.name; Credential = $credential; ErrorAction = 'Stop' }
    if ($domain.preferred_domain_controllers.Count -gt 0) {
        $domainParams.PreferredDomainControllers = [string[]]$domain.preferred_domain_controllers
    }
    Invoke-Step -Name "add_domain:$($domain.name)" -FailureVerb "add domain $($domain.name)" -Action {
        Add-AADCloudSyncADDomain @domainParams
    }
    $module.Result.domains.Add($domain.name)
}
if ($p.password_writeback) {
    Invoke-Step -Name 'password_writeback' -FailureVerb 'enable password writeback' -Action {
        Set-AADCloudSyncPasswordWritebackConfiguration -Enable $true -Credential $tenantCredential -ErrorAction Stop
    }
}
else {
    Add-Step -Name 'password_writeback' -Changed $false -SkippedReason 'password_writeback is false'
}
if ($p.permissions.Count -gt 0) {
    foreach ($permission in $p.permissions) {
        if ($p.enterprise_admin_username) {
            $eaCredential = New-Credential -UserName $p.enterprise_admin_username -Password $p.enterprise_admin_password
            Invoke-Step -Name "set_permissions:$permission" -FailureVerb "set $permission permissions" -Action {
                Set-AADCloudSyncPermissions -PermissionType $permission -EACredential $eaCredential -ErrorAction Stop
            }
        }
        else {
            foreach ($domain in $p.domains) {
                $credential = if ($domain.username) { New-Credential -UserName $domain.username -Password $domain.password } else { $domainAdminCredential }
                Invoke-Step -Name "set_permissions:${permission}:$($domain.name)" -FailureVerb "set $permission permissions in $($domain.name)" -Action {
                    Set-AADCloudSyncPermissions -PermissionType $permission -TargetDomain $domain.name -TargetDomainCredential $credential -ErrorAction Stop
                }
            }
        }
    }
}
else {
    Add-Step -Name 'set_permissions' -Changed $false -SkippedReason 'no permissions requested'
}
if ($p.restart_service) {
    Invoke-Step -Name 'restart_service' -FailureVerb "restart service $serviceName" -Action {
        Restart-Service -Name $serviceName -Force -ErrorAction Stop
    }
}

$after = Get-EntraSyncAgentState -ServiceName $serviceName
$service = Get-ServiceFacts
$module.Result.tenant_id = $after.tenant_id
$module.Result.gmsa = if ("$($service.start_name)".EndsWith('$')) { $service.start_name } else { $null }
if (-not $after.tenant_id) {
    $module.Warn('The registration cmdlets finished but the agent registry key holds no TenantID yet')
}

$module.ExitJson()

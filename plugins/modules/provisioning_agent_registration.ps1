#!powershell

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ..module_utils._EntraSyncCommon
#AnsibleRequires -PowerShell ..module_utils._AgentRegistration

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

# Credentials are built with .NET method calls only: a secret passed as a command parameter
# (ConvertTo-SecureString -String, New-Object -ArgumentList) is recorded by Module Logging (event 4103).
$tenantCredential = [System.Management.Automation.PSCredential]::new($p.tenant_username,
    [System.Net.NetworkCredential]::new('', $p.tenant_password).SecurePassword)
$domainAdminCredential = if ($p.domain_admin_username) {
    [System.Management.Automation.PSCredential]::new($p.domain_admin_username,
        [System.Net.NetworkCredential]::new('', $p.domain_admin_password).SecurePassword)
}
$enterpriseAdminCredential = if ($p.enterprise_admin_username) {
    [System.Management.Automation.PSCredential]::new($p.enterprise_admin_username,
        [System.Net.NetworkCredential]::new('', $p.enterprise_admin_password).SecurePassword)
}
$domainCredentials = @{}
foreach ($domain in $p.domains) {
    $domainCredentials[$domain.name] = if ($domain.username) {
        [System.Management.Automation.PSCredential]::new($domain.username,
            [System.Net.NetworkCredential]::new('', $domain.password).SecurePassword)
    }
    else {
        $domainAdminCredential
    }
}

$module.Result.changed = $false
$module.Result.tenant_id = $null
$module.Result.gmsa = $null
$module.Result.domains = [System.Collections.Generic.List[string]]@()
$module.Result.steps = [System.Collections.Generic.List[object]]@()
$module.Result.service_state = $null
$module.Result.error = $null

Function Add-Step {
    # SkippedReason is untyped on purpose: a [string] parameter turns $null into "".
    param ([string]$Name, [bool]$Changed, $SkippedReason = $null)
    $module.Result.steps.Add([ordered]@{ name = $Name; changed = $Changed; skipped_reason = $SkippedReason })
}

Function Get-ServiceFacts {
    $service = Get-EntraSyncServiceFact -Name $serviceName
    $module.Result.service_state = $service.state
    $service
}

Function Test-GmsaStartName {
    <# Whether the service's logon account is the expected gMSA (DOMAIN\name$, name$@domain or name$). #>
    param ([AllowNull()][string]$StartName, [string]$Gmsa)
    $short = $Gmsa.Split('\')[-1]
    $account = "$StartName".Split('\')[-1].Split('@')[0]
    $account -eq $short
}

# --- observe -----------------------------------------------------------------------------------
$agent = Get-EntraSyncAgentState -ServiceName $serviceName
Function Exit-PlannedOnly {
    <#
    Check mode before the agent exists: in a check-mode play the install task installed nothing,
    so every step is reported as planned (changed) instead of failing.
    #>
    param ([string]$Why)
    $module.Warn("Check mode: $Why; every registration step is reported as planned")
    $module.Result.changed = $true
    foreach ($name in @('import_module', 'connect_tenant', 'add_gmsa') + @($p.domains | ForEach-Object { "add_domain:$($_.name)" })) {
        Add-Step -Name $name -Changed ($name -ne 'import_module')
    }
    if ($p.password_writeback) { Add-Step -Name 'password_writeback' -Changed $true }
    foreach ($permission in $p.permissions) { Add-Step -Name "set_permissions:$permission" -Changed $true }
    Add-Step -Name 'restart_service' -Changed ([bool]$p.restart_service) -SkippedReason $(if (-not $p.restart_service) { 'restart_service is false' })
    foreach ($d in $p.domains) { $module.Result.domains.Add($d.name) }
    $module.ExitJson()
}
if (-not $agent.registry_key_present) {
    if ($module.CheckMode) {
        Exit-PlannedOnly -Why 'the agent is not installed yet (an install task in this check-mode run installs nothing)'
    }
    $module.FailJson("Failed to register the provisioning agent: it is not installed on this host (no agent registry key); install it first with hybrid_identity.entra_sync.provisioning_agent_package")
}
$installDir = if ($p.install_dir) { $p.install_dir } elseif ($agent.install_dir) { $agent.install_dir } else { (Get-EntraSyncAgentConstant).DefaultInstallDir }
$service = Get-ServiceFacts
if (-not $service.exists) {
    if ($module.CheckMode) {
        Exit-PlannedOnly -Why "service $serviceName does not exist yet"
    }
    $module.FailJson("Failed to register the provisioning agent: service $serviceName does not exist")
}

$expectedGmsa = if ($p.gmsa_name) { $p.gmsa_name } else { 'provAgentgMSA$' }
$startName = "$($service.start_name)"
$module.Result.tenant_id = $agent.tenant_id
$module.Result.gmsa = if ($startName.EndsWith('$')) { $startName } else { $null }

# The marker is only trusted for the tenant the agent is registered to now.
$marker = Get-EntraSyncRegistrationMarker
$markerTrusted = $agent.tenant_id -and (-not $marker.tenant_id -or $marker.tenant_id -eq $agent.tenant_id)
$done = if ($markerTrusted -and -not $p.force) { $marker.steps } else { @{} }

# --- plan: each step from what the host shows, else from the marker -----------------------------
# Each planned step: name, what it applies (kept in the marker), and why it is skipped ($null = it runs).
$plan = [System.Collections.Generic.List[object]]::new()
Function Add-Plan {
    param ([string]$Name, [string]$Applied, $SkippedReason)
    $plan.Add([ordered]@{ name = $Name; applied = $Applied; skipped_reason = $SkippedReason })
}
$gmsaDone = $agent.tenant_id -and (Test-GmsaStartName -StartName $startName -Gmsa $expectedGmsa) -and -not $p.force
Add-Plan -Name 'add_gmsa' -Applied $expectedGmsa -SkippedReason $(if ($gmsaDone) { "the service already runs as $startName" })
foreach ($domain in $p.domains) {
    $applied = "preferred_domain_controllers=$(@($domain.preferred_domain_controllers) -join ',')"
    $stepName = "add_domain:$($domain.name)"
    $skip = if ($done.ContainsKey($stepName) -and $done[$stepName] -eq $applied) { 'added by an earlier run (registration marker)' }
    Add-Plan -Name $stepName -Applied $applied -SkippedReason $skip
}
if ($p.password_writeback) {
    $skip = if ($done.ContainsKey('password_writeback')) { 'enabled by an earlier run (registration marker)' }
    Add-Plan -Name 'password_writeback' -Applied 'enabled' -SkippedReason $skip
}
foreach ($permission in $p.permissions) {
    # With an Enterprise Admin one call covers all domains (target ''), else one call per domain.
    $targets = if ($p.enterprise_admin_username) { @('') } else { @($p.domains | ForEach-Object { $_.name }) }
    foreach ($target in $targets) {
        $stepName = if ($target) { "set_permissions:${permission}:$target" } else { "set_permissions:$permission" }
        $skip = if ($done.ContainsKey($stepName)) { 'applied by an earlier run (registration marker)' }
        Add-Plan -Name $stepName -Applied $permission -SkippedReason $skip
    }
}
$changes = @($plan | Where-Object { $null -eq $_.skipped_reason })
$needRestart = $p.restart_service -and ($changes.Count -gt 0 -or -not $done.ContainsKey('restart_service') -or $service.state -ne 'Running')
$restartSkip = if (-not $p.restart_service) { 'restart_service is false' } elseif (-not $needRestart) { 'nothing changed since the last restart and the service is running' }
$tenantSteps = @($changes | Where-Object { $_.name -eq 'add_gmsa' -or $_.name -like 'add_domain:*' -or $_.name -eq 'password_writeback' })
$needModule = $changes.Count -gt 0

if (-not $needModule -and -not $needRestart) {
    Add-Step -Name 'connect_tenant' -Changed $false -SkippedReason 'every step is done: the service runs as the gMSA and the registration marker lists the rest'
    foreach ($step in $plan) { Add-Step -Name $step.name -Changed $false -SkippedReason $step.skipped_reason }
    Add-Step -Name 'restart_service' -Changed $false -SkippedReason $restartSkip
    foreach ($d in $p.domains) { $module.Result.domains.Add($d.name) }
    $module.ExitJson()
}

$module.Diff.before = @{ tenant_id = $agent.tenant_id; gmsa = $startName; steps_done = @($plan | Where-Object { $null -ne $_.skipped_reason } | ForEach-Object name) }
$module.Diff.after = @{ tenant_id = $(if ($agent.tenant_id) { $agent.tenant_id } else { "(tenant of $($p.tenant_username))" }); gmsa = $expectedGmsa; steps_done = @($plan | ForEach-Object name) }

if ($module.CheckMode) {
    # Nothing is imported or called: the planned steps are reported as they would run.
    $module.Result.changed = $true
    if ($needModule) {
        Add-Step -Name 'import_module' -Changed $false
    }
    Add-Step -Name 'connect_tenant' -Changed ($tenantSteps.Count -gt 0 -and -not $agent.tenant_id) -SkippedReason $(if ($tenantSteps.Count -eq 0) { 'no step needs the tenant' })
    foreach ($step in $plan) { Add-Step -Name $step.name -Changed ($null -eq $step.skipped_reason) -SkippedReason $step.skipped_reason }
    Add-Step -Name 'restart_service' -Changed $needRestart -SkippedReason $restartSkip
    foreach ($d in $p.domains) { $module.Result.domains.Add($d.name) }
    $module.ExitJson()
}

# --- change, in Microsoft's documented order ----------------------------------------------------
Function Invoke-Step {
    param ([string]$Name, [scriptblock]$Action, [string]$FailureVerb, [bool]$Changes = $true)
    $index = $module.Result.steps.Count
    Add-Step -Name $Name -Changed $false
    try {
        $null = & $Action
    }
    catch {
        # What the host shows now, and the raw error only: Python (plugin_utils) decides whether it means MFA, a security error, ...
        $module.Result.error = Get-EntraSyncRaisedError -ErrorRecord $_ -Step $Name
        Update-HostResult
        $module.FailJson("Failed to ${FailureVerb}: $($module.Result.error.message)", $_)
    }
    $module.Result.steps[$index].changed = $Changes
    if ($Changes) {
        $module.Result.changed = $true
    }
}

Function Update-HostResult {
    <# tenant_id, gmsa and service_state as the host shows them now. #>
    $service = Get-ServiceFacts
    $module.Result.tenant_id = (Get-EntraSyncAgentState -ServiceName $serviceName).tenant_id
    $module.Result.gmsa = if ("$($service.start_name)".EndsWith('$')) { $service.start_name } else { $null }
    $service
}

if ($needModule) {
    $modulePath = Join-Path $installDir 'Microsoft.CloudSync.PowerShell.dll'
    if (-not (Test-Path -LiteralPath $modulePath -PathType Leaf)) {
        $module.FailJson("Failed to import the agent's PowerShell module: $modulePath does not exist (set install_dir)")
    }
    Invoke-Step -Name 'import_module' -FailureVerb "import $modulePath" -Changes $false -Action {
        Import-EntraSyncAgentModule -Path $modulePath
    }
}
if ($tenantSteps.Count -gt 0) {
    # Counted as a change when the agent had no TenantID yet (the sign-in registers the agent with the tenant).
    Invoke-Step -Name 'connect_tenant' -FailureVerb "connect to the tenant as $($p.tenant_username)" -Changes (-not $agent.tenant_id) -Action {
        Connect-AADCloudSyncAzureAD -Credential $tenantCredential -ErrorAction Stop
    }
}
else {
    Add-Step -Name 'connect_tenant' -Changed $false -SkippedReason 'no step needs the tenant'
}

Function Complete-Step {
    <# Remembers a step the host cannot show, and that the service has not been restarted since. #>
    param ($Step)
    $tenant = (Get-EntraSyncAgentState -ServiceName $serviceName).tenant_id
    Set-EntraSyncRegistrationMarker -Step $Step.name -Applied $Step.applied -TenantId $tenant
    Set-EntraSyncRegistrationMarker -Step 'restart_service' -Clear
}

foreach ($step in $plan) {
    if ($null -ne $step.skipped_reason) {
        Add-Step -Name $step.name -Changed $false -SkippedReason $step.skipped_reason
        if ($step.name -like 'add_domain:*') { $module.Result.domains.Add($step.name.Substring(11)) }
        continue
    }
    if ($step.name -eq 'add_gmsa') {
        if ($p.gmsa_name) {
            Invoke-Step -Name 'add_gmsa' -FailureVerb "add the gMSA $($p.gmsa_name)" -Action {
                Add-AADCloudSyncGMSA -CustomGMSAName $p.gmsa_name -ErrorAction Stop
            }
        }
        else {
            Invoke-Step -Name 'add_gmsa' -FailureVerb 'add the gMSA' -Action {
                Add-AADCloudSyncGMSA -Credential $domainAdminCredential -ErrorAction Stop
            }
        }
        Set-EntraSyncRegistrationMarker -Step 'restart_service' -Clear
    }
    elseif ($step.name -like 'add_domain:*') {
        $domain = $p.domains | Where-Object { "add_domain:$($_.name)" -eq $step.name } | Select-Object -First 1
        $domainParams = @{ DomainName = $domain.name; Credential = $domainCredentials[$domain.name]; ErrorAction = 'Stop' }
        if ($domain.preferred_domain_controllers.Count -gt 0) {
            $domainParams.PreferredDomainControllers = [string[]]$domain.preferred_domain_controllers
        }
        Invoke-Step -Name $step.name -FailureVerb "add domain $($domain.name)" -Action {
            Add-AADCloudSyncADDomain @domainParams
        }
        Complete-Step -Step $step
        $module.Result.domains.Add($domain.name)
    }
    elseif ($step.name -eq 'password_writeback') {
        Invoke-Step -Name 'password_writeback' -FailureVerb 'enable password writeback' -Action {
            Set-AADCloudSyncPasswordWritebackConfiguration -Enable $true -Credential $tenantCredential -ErrorAction Stop
        }
        Complete-Step -Step $step
    }
    else {
        $parts = $step.name.Split(':')
        if ($parts.Count -eq 2) {
            Invoke-Step -Name $step.name -FailureVerb "set $($parts[1]) permissions" -Action {
                Set-AADCloudSyncPermissions -PermissionType $parts[1] -EACredential $enterpriseAdminCredential -ErrorAction Stop
            }
        }
        else {
            $target = $parts[2..($parts.Count - 1)] -join ':'
            Invoke-Step -Name $step.name -FailureVerb "set $($parts[1]) permissions in $target" -Action {
                Set-AADCloudSyncPermissions -PermissionType $parts[1] -TargetDomain $target -TargetDomainCredential $domainCredentials[$target] -ErrorAction Stop
            }
        }
        Complete-Step -Step $step
    }
}
if ($needRestart) {
    Invoke-Step -Name 'restart_service' -FailureVerb "restart service $serviceName" -Action {
        Restart-Service -Name $serviceName -Force -ErrorAction Stop
    }
    Set-EntraSyncRegistrationMarker -Step 'restart_service' -Applied 'done' -TenantId (Get-EntraSyncAgentState -ServiceName $serviceName).tenant_id
}
else {
    Add-Step -Name 'restart_service' -Changed $false -SkippedReason $restartSkip
}

# --- verify: registered only when the host shows it ----------------------------------------------
$service = Update-HostResult
$missing = @(
    if (-not $module.Result.tenant_id) { 'the agent registry key holds no TenantID' }
    if (-not (Test-GmsaStartName -StartName $service.start_name -Gmsa $expectedGmsa)) { "the service runs as '$($service.start_name)', not the gMSA $expectedGmsa" }
    if ($service.state -ne 'Running') { "the service is $($service.state), not Running" }
)
if ($missing.Count -gt 0) {
    $module.FailJson("The registration steps finished but the agent is not registered: $($missing -join '; ')")
}

$module.ExitJson()

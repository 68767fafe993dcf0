#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
---
module: provisioning_agent_registration
short_description: Register the installed provisioning agent with the tenant and the AD domains
version_added: 0.1.0
description:
- Registers an installed Microsoft Entra Connect cloud sync provisioning agent unattended, with the agent's own
  cmdlets (C(Microsoft.CloudSync.PowerShell.dll)) in Microsoft's documented order. It connects to the tenant
  (C(Connect-AADCloudSyncAzureAD)), then sets up the gMSA (C(Add-AADCloudSyncGMSA), either the default
  C(provAgentgMSA$) created with a domain admin credential, or a pre-created custom gMSA). It then adds each
  domain with optional preferred domain controllers (C(Add-AADCloudSyncADDomain)), optionally enables password
  writeback and applies C(Set-AADCloudSyncPermissions), and restarts the agent service.
- Each step is decided from what the host shows. C(add_gmsa) runs unless the agent has a C(TenantID) and its
  service runs as the expected gMSA (O(gmsa_name), else C(provAgentgMSA$)). The host cannot show domains, password
  writeback or permissions, so each of those steps, once it succeeded, is remembered in a marker the collection owns,
  the registry key C(HKLM:\SOFTWARE\hybrid_identity\entra_sync\registration) (one value per step, with what it
  applied, and the C(TenantID) it belongs to). A later run reruns only the missing steps, so a run that failed at a
  domain, at writeback, at permissions or at the restart is completed. The marker is ignored for another tenant and
  with O(force). The service is restarted after any change, or when it is not running, or when an earlier run
  changed something and did not get to the restart.
- At the end the module fails unless the agent's C(TenantID) is present, the service runs as the expected gMSA and
  is running.
- All options are validated before anything changes; each message names the option. That covers an empty
  O(domains), a domain name that is not a fully qualified DNS name, a custom O(gmsa_name) without the trailing
  C($), an unknown O(permissions) value, and a domain without a credential.
- A step that fails returns its raw error in RV(error) (exception type names, message, AADSTS codes). The module
  does not classify it; the collection's diagnosis (Python, on the controller) says whether it means, for example,
  an MFA requirement that a headless session such as WinRM cannot answer (C(MsalUiRequiredException),
  C(AADSTS50076)) or the execution policy's security error.
- No secret is put on a command line, in a file, a warning or the result, nor passed as a command parameter
  (PowerShell Module Logging records those); credentials are built with .NET method calls. Every password option
  is C(no_log).
options:
  tenant_username:
    description:
    - A Hybrid Identity Administrator (or Global Administrator) of the tenant, not a guest, as a UPN.
    - Also used for password writeback, which Microsoft documents with a Global Administrator credential.
    - The account must be able to sign in without an interactive MFA prompt from this server.
    type: str
    required: true
  tenant_password:
    description:
    - Password of O(tenant_username).
    type: str
    required: true
  domain_admin_username:
    description:
    - A Domain Admin or Enterprise Admin of the agent's domain, used to create the default gMSA C(provAgentgMSA$)
      and, for domains without their own credential, to add the domain.
    - Required unless O(gmsa_name) is given. Its password must not be expired.
    type: str
  domain_admin_password:
    description:
    - Password of O(domain_admin_username).
    type: str
  gmsa_name:
    description:
    - A pre-created custom gMSA to run the agent as, as C(name$) or C(DOMAIN\name$). It must end with C($).
    - Create it with M(microsoft.ad.service_account) (with this computer allowed to retrieve its password) and
      check it with M(hybrid_identity.entra_sync.gmsa_host) first.
    - When omitted, the agent creates C(provAgentgMSA$) with O(domain_admin_username).
    type: str
  domains:
    description:
    - The AD domains the agent serves, added one by one. At least one is required.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
        - Fully qualified DNS name of the domain, for example C(contoso.com).
        type: str
        required: true
      preferred_domain_controllers:
        description:
        - Domain controllers the agent should prefer for this domain, as host names.
        type: list
        elements: str
        default: []
      username:
        description:
        - Account to add this domain with; O(domain_admin_username) is used when omitted.
        type: str
      password:
        description:
        - Password of O(domains[].username).
        type: str
  password_writeback:
    description:
    - Enable password writeback (C(Set-AADCloudSyncPasswordWritebackConfiguration -Enable $true)).
    type: bool
    default: false
  permissions:
    description:
    - Permission sets to apply with C(Set-AADCloudSyncPermissions), in order.
    - With O(enterprise_admin_username) they are applied to all domains at once, else to each of O(domains) with
      that domain's credential.
    type: list
    elements: str
    choices:
    - BasicRead
    - PasswordHashSync
    - PasswordWriteBack
    - HybridExchangePermissions
    - ExchangeMailPublicFolderPermissions
    - UserGroupCreateDelete
    - All
    default: []
  enterprise_admin_username:
    description:
    - An Enterprise Admin, for O(permissions) across all domains (C(-EACredential)).
    type: str
  enterprise_admin_password:
    description:
    - Password of O(enterprise_admin_username).
    type: str
  force:
    description:
    - Run every step even when the host and the registration marker show it done.
    type: bool
    default: false
  restart_service:
    description:
    - Restart the agent service at the end, as Microsoft's procedure does.
    type: bool
    default: true
  agent_service_name:
    description:
    - Name of the agent service.
    type: str
    default: AADConnectProvisioningAgent
  install_dir:
    description:
    - The agent's install folder holding C(Microsoft.CloudSync.PowerShell.dll); read from the agent's registry key when omitted.
    type: str
notes:
- B(Logon session.) The registration cmdlets keep credentials in the Windows password vault (Credential Manager)
  and call AD and the tenant with explicit credentials. A plain WinRM network logon may not give them a full logon
  session with a vault. Run it with the task keywords C(become) set to true and C(become_method) to C(runas), and
  C(become_user) C(SYSTEM) (what the roles of this collection do, through C(entra_sync_become) and
  C(entra_sync_become_user)), or an administrator account with C(ansible_become_password). The module does not
  declare C(#AnsibleRequires -Become), so the task decides which account registers the agent.
  Which of the two Microsoft's cmdlets accept is B(to be confirmed on a real host); this was written without one.
- The Credential Manager service (VaultSvc) must not be disabled, and the machine and user execution policies
  must be C(Undefined) or C(RemoteSigned); C(Unrestricted) makes registration fail with a security error.
- Two agents registered at the same moment can end in quarantine; register one host at a time.
- Domains already registered cannot be listed with a documented cmdlet; the marker is what this collection
  remembers. A domain added to O(domains) later is added by the next run. Domains registered by hand are not in
  the marker and are added again (to be confirmed on a real host that re-adding a domain is harmless).
- B(How this was checked.) The PowerShell runs under Pester on a simulated Windows (C(tests/windows_sim), with
  the agent's cmdlets as Microsoft Learn documents them in C(reference-powershell), C(how-to-install-pshell) and
  C(how-to-gmsa-cmdlets)) and is analysed with PSScriptAnalyzer against the Windows PowerShell 5.1 profiles of
  Server 2016 and 2019. Still to confirm on a real host, which cmdlet writes C(TenantID) (the simulation assumes
  the sign-in does), the exception types the agent's cmdlets raise, and the logon session the cmdlets need.
extends_documentation_fragment:
- ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms:
    - windows
seealso:
- module: hybrid_identity.entra_sync.provisioning_agent_package
- module: hybrid_identity.entra_sync.gmsa_host
- module: microsoft.ad.service_account
author:
- hybrid_identity maintainers (@hybrid-identity)
'''

EXAMPLES = r'''
- name: Register the agent with the default gMSA
  hybrid_identity.entra_sync.provisioning_agent_registration:
    tenant_username: hybrid-admin@contoso.onmicrosoft.com
    tenant_password: '{{ tenant_password }}'
    domain_admin_username: CONTOSO\da-cloudsync
    domain_admin_password: '{{ domain_admin_password }}'
    domains:
      - name: contoso.com
  become: true
  become_method: runas
  become_user: CONTOSO\da-cloudsync
  vars:
    ansible_become_password: '{{ domain_admin_password }}'

- name: Register with a custom gMSA, two domains, password writeback
  hybrid_identity.entra_sync.provisioning_agent_registration:
    tenant_username: hybrid-admin@contoso.onmicrosoft.com
    tenant_password: '{{ tenant_password }}'
    gmsa_name: CONTOSO\gmsa-cloudsync$
    domains:
      - name: contoso.com
        username: CONTOSO\svc-join
        password: '{{ contoso_password }}'
        preferred_domain_controllers: [dc01.contoso.com, dc02.contoso.com]
      - name: emea.contoso.com
        username: EMEA\svc-join
        password: '{{ emea_password }}'
    password_writeback: true
    permissions: [PasswordWriteBack]
'''

RETURN = r'''
tenant_id:
  description: The agent's C(TenantID) after the run (C(null) when not registered, or in check mode before registering).
  returned: success, and on failure once the options were valid
  type: str
  sample: 8f3b2c1d-4e5a-4b6c-9d7e-0a1b2c3d4e5f
gmsa:
  description: The gMSA the agent service runs as, C(null) while it runs as its virtual account.
  returned: success, and on failure once the options were valid
  type: str
  sample: CONTOSO\provAgentgMSA$
domains:
  description: The domains added in this run or found done (registration marker), in order; on failure those before the failing one.
  returned: success, and on failure once the options were valid
  type: list
  elements: str
  sample: [contoso.com]
steps:
  description: What each step did, in order. On failure the last step is the one that failed.
  returned: success, and on failure once the options were valid
  type: list
  elements: dict
  contains:
    name:
      description:
      - C(import_module), C(connect_tenant), C(add_gmsa), C(add_domain:<domain>), C(password_writeback),
        C(set_permissions[:<type>[:<domain>]]) or C(restart_service).
      type: str
      sample: add_domain:contoso.com
    changed:
      description: Whether the step changed something.
      type: bool
      sample: true
    skipped_reason:
      description: Why the step was skipped, C(null) when it ran.
      type: str
      sample: null
error:
  description:
  - The raw error of the step that failed, C(null) on success. Nothing in it is interpreted by the module.
  returned: success, and on failure once the options were valid
  type: dict
  sample: {step: connect_tenant, types: [Microsoft.Identity.Client.MsalUiRequiredException], message: "AADSTS50076: ...",
           error_id: "Connect-AADCloudSyncAzureAD", aadsts_codes: [AADSTS50076]}
  contains:
    step:
      description: The name of the failing step (as in RV(steps)).
      type: str
    types:
      description: The exception type names, outermost first (inner exceptions follow).
      type: list
      elements: str
    message:
      description: The exception messages, outermost first, joined with a space.
      type: str
    error_id:
      description: PowerShell's FullyQualifiedErrorId.
      type: str
    aadsts_codes:
      description: The C(AADSTSnnnnn) codes found in the messages.
      type: list
      elements: str
service_state:
  description: State of the agent service at the end.
  returned: success, and on failure once the options were valid
  type: str
  sample: Running
'''

#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
---
module: agent_host_info
short_description: Gather the facts a provisioning agent install depends on
version_added: 0.1.0
description:
- Reads, in one round trip, every host fact that decides whether the Microsoft Entra Connect cloud sync
  provisioning agent can be installed and registered on a Windows host, and the state of any agent
  already there.
- Operating system, Server Core, domain membership, domain controller role, .NET Framework release,
  execution policy per scope, TLS 1.2 SCHANNEL and .NET registry values, Credential Manager (VaultSvc),
  Kerberos C(SupportedEncryptionTypes), NTLM settings, pending reboot, the agent's registry key, version,
  tenant id and Add/Remove Programs entries, the agent and updater services, leftovers of a partial
  install, other Microsoft Entra agents registered on the host, the proxy block of the agent
  configuration file and the machine's WinHTTP proxy.
- Optionally probes TCP reachability of given C(host:port) pairs from the host, directly or through
  the proxy the agent would use, and says per probe which way it went.
- Returns facts only. Whether the host is ready is decided on the controller, for example by the
  C(hybrid_identity.entra_sync.preflight) action.
- A value that is absent or cannot be read is returned as C(null), with a warning where the absence is
  unexpected; the module does not fail for it.
options:
  agent_service_name:
    description:
    - Name of the provisioning agent service.
    type: str
    default: AADConnectProvisioningAgent
  updater_service_names:
    description:
    - Candidate names of the agent updater service, tried in order; the first that exists is the updater.
    - Microsoft does not document the updater's service name for sure. A service is counted as the
      updater only by one of these names, never by its display name, since C(Agent Updater) also names
      the updater of the Pass-through Authentication agent. Services whose display name contains
      C(Agent Updater) under another name are listed in RV(updater_lookalikes), as evidence only.
    type: list
    elements: str
    default: [AzureADConnectAgentUpdater]
  agent_product_codes:
    description:
    - MSI product codes (C({GUID})) known to belong to this agent or its updater, for example read from a
      reference install.
    - Microsoft publishes no product or upgrade code for the agent, so Add/Remove Programs entries are
      found by display name; an entry whose product code is listed here says RV(agent.uninstall_entries[].identified_by=product_code),
      all others say C(display_name).
    - An entry that is not a braced GUID fails the module before anything is read.
    type: list
    elements: str
    default: []
  probe:
    description:
    - C(host:port) pairs to open a TCP connection to from the host, for example C(login.microsoftonline.com:443).
    - Wildcard endpoints from Microsoft's lists cannot be probed; give one concrete host per row.
    - Only a TCP connection is attempted (through a proxy, an HTTP C(CONNECT) tunnel); TLS and TLS
      inspection are not tested.
    - An entry that is not C(host:port) fails the module before anything is read.
    type: list
    elements: str
    default: []
  probe_route:
    description:
    - Which way the probes go.
    - C(auto) takes the path the agent's own traffic is expected to take, as far as the host shows it,
      that is the proxy of the agent's C(AADConnectProvisioningAgent.exe.config) (RV(proxy)) when one is set and
      enabled, else the machine's WinHTTP proxy (RV(winhttp_proxy)) when it names one, else direct; each
      unless its bypass list names the host (the agent's C(bypasslist) entries as regular expressions
      and C(bypassonlocal); WinHTTP C(<local>) and wildcards).
    - C(direct), C(agent_proxy), C(winhttp_proxy) force one way; a forced proxy that is not configured
      gives a probe with RV(reachability[].reachable=null) and an error, not a guess.
    - Whether the agent itself honours the WinHTTP proxy, or C(usesystemdefault) (WinINet settings of the
      service account), is not documented for the agent; RV(reachability[].route) says which path was
      tested so the controller can judge.
    type: str
    choices: [auto, direct, agent_proxy, winhttp_proxy]
    default: auto
  probe_timeout_seconds:
    description:
    - How long to wait for each probe's TCP connection, in seconds.
    type: float
    default: 3
  probe_timeout_ms:
    description:
    - The old name of O(probe_timeout_seconds), in milliseconds. Deprecated; when given, it is used.
    type: int
notes:
- The C(process) execution policy scope is the one of the Ansible module process itself (usually C(Bypass)),
  not what an interactive session would get; judge the machine and user scopes.
- Registry values that are REG_DWORD are returned as unsigned integers.
- The managed-account flag of each service is read from the registry value C(ServiceAccountManaged) under
  C(HKLM\SYSTEM\CurrentControlSet\Services\<service>), which C(sc.exe managedaccount) writes, not from the
  localised text of C(sc.exe qmanagedaccount). Microsoft does not document the value's type; a REG_BINARY
  C(01 00 00 00) is what hosts are reported to show, so REG_BINARY (any non-zero byte is true) and REG_DWORD
  (non-zero is true) are both accepted; a service key without the value is false, as C(sc.exe) reports it;
  an unreadable key gives C(null) with a warning. A real host still has to confirm the type.
- The WinHTTP proxy is read from the registry value C(WinHttpSettings) under
  C(HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections) (C(netsh winhttp show proxy)
  prints localised text). Its layout is not documented by Microsoft; the one decoded is, little-endian, a
  version DWORD, a counter DWORD, a flags DWORD (1 direct, 2 named proxy), the length and ASCII text of the
  proxy server, then the length and ASCII text of the bypass list. A value that does not fit this layout is
  returned undecoded (RV(winhttp_proxy.raw_hex)) with a warning. A real host still has to confirm the layout
  against C(netsh winhttp show proxy).
- A pending domain join is seen from the key C(HKLM\SYSTEM\CurrentControlSet\Services\Netlogon\JoinDomain)
  (a subkey, present until the reboot that completes the join).
- Confirmed how. The module runs under Pester on a simulated Windows (C(tests/windows_sim)), with the
  Windows PowerShell 5.1 parameter sets of every Windows command it calls, and passes PSScriptAnalyzer with
  the Windows Server 2016 and 2019 compatibility profiles. Nothing here ran on Windows; the registry layouts
  above, the proxy tunnel probe and the Win32_Service and CIM reads still have to be confirmed on a real host.
extends_documentation_fragment:
- ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms:
    - windows
seealso:
- module: hybrid_identity.entra_sync.logon_right_info
- module: hybrid_identity.entra_sync.provisioning_agent_package
- module: ansible.windows.win_service_info
author:
- hybrid_identity maintainers (@hybrid-identity)
'''

EXAMPLES = r'''
- name: Gather the agent prerequisites of a host
  hybrid_identity.entra_sync.agent_host_info:
  register: host_info

- name: Gather them and probe the public cloud endpoints
  hybrid_identity.entra_sync.agent_host_info:
    probe:
      - login.microsoftonline.com:443
      - login.windows.net:443
      - mscrl.microsoft.com:80
  register: host_info

- name: Probe through the machine's WinHTTP proxy, whatever the agent config says
  hybrid_identity.entra_sync.agent_host_info:
    probe:
      - login.microsoftonline.com:443
    probe_route: winhttp_proxy
  register: host_info

- name: Show whether the agent is registered
  ansible.builtin.debug:
    msg: "{{ host_info.agent.registered }} (tenant {{ host_info.agent.tenant_id }})"
'''

RETURN = r'''
os:
  description: The operating system.
  returned: always
  type: dict
  contains:
    caption:
      description: Product name from Win32_OperatingSystem.
      type: str
      sample: Microsoft Windows Server 2022 Standard
    version:
      description: Kernel version.
      type: str
      sample: 10.0.20348
    build:
      description: Build number.
      type: int
      sample: 20348
    ubr:
      description: Update build revision (the patch level), C(null) when absent.
      type: int
      sample: 2849
    edition:
      description: EditionID from the registry.
      type: str
      sample: ServerStandard
    installation_type:
      description: InstallationType from the registry (C(Server), C(Server Core), C(Client)).
      type: str
      sample: Server
    server_core:
      description: Whether this is a Server Core installation (unsupported by the agent).
      type: bool
      sample: false
    product_type:
      description: C(workstation), C(domain_controller) or C(server).
      type: str
      sample: server
    total_memory_bytes:
      description: Physical memory in bytes.
      type: int
      sample: 8589463552
domain:
  description: Domain membership.
  returned: always
  type: dict
  contains:
    joined:
      description: Whether the host is joined to a domain.
      type: bool
      sample: true
    name:
      description: DNS name of the domain, C(null) on a workgroup host.
      type: str
      sample: contoso.com
    computer_name:
      description: NetBIOS name of the host.
      type: str
      sample: SYNC01
    is_domain_controller:
      description: Whether the host is a domain controller.
      type: bool
      sample: false
dotnet:
  description: .NET Framework 4.x.
  returned: always
  type: dict
  contains:
    release:
      description: The C(Release) value of C(NDP\v4\Full), C(null) when absent. 461308 is 4.7.1.
      type: int
      sample: 528449
execution_policy:
  description: Execution policy per scope as PowerShell names it (C(Undefined), C(RemoteSigned), C(Unrestricted), ...).
  returned: always
  type: dict
  contains:
    machine_policy:
      description: Set by Group Policy for the machine.
      type: str
      sample: Undefined
    user_policy:
      description: Set by Group Policy for the user.
      type: str
      sample: Undefined
    process:
      description: The module process's own scope.
      type: str
      sample: Bypass
    current_user:
      description: The connecting user's scope.
      type: str
      sample: Undefined
    local_machine:
      description: The local machine scope.
      type: str
      sample: RemoteSigned
tls:
  description: TLS 1.2 registry values; each is an int, or C(null) when the value is absent (OS default).
  returned: always
  type: dict
  contains:
    tls12_client:
      description: C(SCHANNEL\Protocols\TLS 1.2\Client).
      type: dict
      contains:
        enabled:
          description: C(Enabled).
          type: int
          sample: 1
        disabled_by_default:
          description: C(DisabledByDefault).
          type: int
          sample: 0
    tls12_server:
      description: C(SCHANNEL\Protocols\TLS 1.2\Server).
      type: dict
      contains:
        enabled:
          description: C(Enabled).
          type: int
          sample: 1
        disabled_by_default:
          description: C(DisabledByDefault).
          type: int
          sample: 0
    dotnet:
      description: C(.NETFramework\v4.0.30319) values, 64-bit and C(WOW6432Node).
      type: dict
      contains:
        schusestrongcrypto_64:
          description: C(SchUseStrongCrypto), 64-bit view.
          type: int
          sample: 1
        schusestrongcrypto_32:
          description: C(SchUseStrongCrypto), 32-bit view.
          type: int
          sample: 1
        systemdefaulttlsversions_64:
          description: C(SystemDefaultTlsVersions), 64-bit view.
          type: int
          sample: 1
        systemdefaulttlsversions_32:
          description: C(SystemDefaultTlsVersions), 32-bit view.
          type: int
          sample: 1
credential_manager:
  description: The Credential Manager service (VaultSvc); the registration cmdlets need it.
  returned: always
  type: dict
  contains:
    start_mode:
      description: C(Auto), C(Manual) or C(Disabled); C(null) when the service is absent.
      type: str
      sample: Manual
    state:
      description: C(Running), C(Stopped), ...; C(null) when the service is absent.
      type: str
      sample: Running
kerberos:
  description: Kerberos settings of the host.
  returned: always
  type: dict
  contains:
    supported_encryption_types:
      description: The policy value C(SupportedEncryptionTypes) (bit field), C(null) when not set (OS default).
      type: int
      sample: 2147483672
ntlm:
  description: NTLM settings of the host (the agent host is Tier 0).
  returned: always
  type: dict
  contains:
    lm_compatibility_level:
      description: C(Lsa\LmCompatibilityLevel), C(null) when not set.
      type: int
      sample: 5
    restrict_sending_ntlm_traffic:
      description: C(MSV1_0\RestrictSendingNTLMTraffic), C(null) when not set.
      type: int
      sample: 2
pending_reboot:
  description: Whether Windows waits for a reboot.
  returned: always
  type: dict
  contains:
    required:
      description: Whether any reason was found.
      type: bool
      sample: false
    reasons:
      description: >-
        C(ComponentBasedServicing), C(WindowsUpdate), C(PendingFileRenameOperations), C(ComputerRename),
        C(DomainJoin).
      type: list
      elements: str
      sample: []
agent:
  description: The provisioning agent's install state.
  returned: always
  type: dict
  contains:
    installed:
      description: Whether the agent's registry key exists (Microsoft's own tools treat a missing key as not installed).
      type: bool
      sample: true
    registry_key_present:
      description: Whether C(HKLM\SOFTWARE\Microsoft\Azure AD Connect Agents\Azure AD Connect Provisioning Agent) exists.
      type: bool
      sample: true
    version:
      description: ProductVersion of C(AADConnectProvisioningAgent.exe), else the Add/Remove Programs version; C(null) when not installed.
      type: str
      sample: 1.1.1586.0
    install_dir:
      description: C(InstallDir) from the registry key.
      type: str
      sample: C:\Program Files\Microsoft Azure AD Connect Provisioning Agent\
    tenant_id:
      description: C(TenantID) from the registry key, C(null) when unregistered.
      type: str
      sample: 8f3b2c1d-4e5a-4b6c-9d7e-0a1b2c3d4e5f
    registered:
      description: Whether a tenant id is present.
      type: bool
      sample: true
    service_name:
      description: C(ServiceName) from the registry key (or the O(agent_service_name) when the key lacks it).
      type: str
      sample: AADConnectProvisioningAgent
    uninstall_entries:
      description: Add/Remove Programs entries of the agent, its package (bundle) and the updater, old and new names.
      type: list
      elements: dict
      contains:
        display_name:
          description: DisplayName.
          type: str
          sample: Microsoft Entra Provisioning Agent
        display_version:
          description: DisplayVersion.
          type: str
          sample: 1.1.1586.0
        product_code:
          description: The uninstall key name (a product code for MSI entries).
          type: str
          sample: '{6C2E6A5D-2B8F-4C3E-9A71-0D5E6F7A8B9C}'
        identified_by:
          description: >-
            How the entry was found: C(product_code) (listed in O(agent_product_codes)) or C(display_name)
            (matched by name only; another product may carry the same name, in particular the updater).
          type: str
          sample: display_name
        quiet_uninstall_string:
          description: QuietUninstallString, C(null) when absent.
          type: str
          sample: null
        uninstall_string:
          description: UninstallString.
          type: str
          sample: MsiExec.exe /X{6C2E6A5D-2B8F-4C3E-9A71-0D5E6F7A8B9C}
services:
  description: The agent and the updater service.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Service name.
      type: str
      sample: AADConnectProvisioningAgent
    display_name:
      description: Display name (varies by version), C(null) when absent.
      type: str
      sample: Microsoft Entra Connect Provisioning Agent
    role:
      description: C(agent) or C(updater).
      type: str
      sample: agent
    identified_by:
      description: >-
        How the service was identified as the agent's: C(registry_key) (the C(ServiceName) value of the
        agent's registry key) or C(service_name) (a name given in O(agent_service_name) or
        O(updater_service_names)). Never by display name.
      type: str
      sample: registry_key
    exists:
      description: Whether the service exists.
      type: bool
      sample: true
    state:
      description: C(Running), C(Stopped), C(StartPending), ...
      type: str
      sample: Running
    start_mode:
      description: C(Auto), C(Manual), C(Disabled).
      type: str
      sample: Auto
    start_name:
      description: The account the service logs on as.
      type: str
      sample: CONTOSO\provAgentgMSA$
    managed_account:
      description: >-
        The managed-account flag (registry value C(ServiceAccountManaged) of the service, as C(sc.exe managedaccount)
        sets it); C(null) when it could not be read.
      type: bool
      sample: true
    path:
      description: Service binary path.
      type: str
      sample: '"C:\Program Files\Microsoft Azure AD Connect Provisioning Agent\AADConnectProvisioningAgent.exe"'
leftovers:
  description: What a partial or earlier install may have left behind.
  returned: always
  type: dict
  contains:
    install_dir_exists:
      description: Whether the install folder exists.
      type: bool
      sample: false
    program_data_exists:
      description: Whether C(C:\ProgramData\Microsoft\Azure AD Connect Provisioning Agent) exists.
      type: bool
      sample: false
    package_cache_dirs:
      description: Folders under C(C:\ProgramData\Package Cache) that hold the agent's bundle or MSI.
      type: list
      elements: str
      sample: []
    orphan_services:
      description: Agent or updater services (by name, see RV(services[].identified_by)) that exist while the agent's registry key does not.
      type: list
      elements: str
      sample: []
updater_lookalikes:
  description: >-
    Services whose display name contains C(Agent Updater) but whose name is not one of O(updater_service_names):
    possibly another Entra agent's updater. Evidence only; never counted as this agent's.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Service name.
      type: str
      sample: PTAUpdaterSvc
    display_name:
      description: Display name.
      type: str
      sample: Microsoft Azure AD Connect Agent Updater
    identified_by:
      description: Always C(display_name).
      type: str
      sample: display_name
other_entra_agents:
  description: >-
    Subkeys of C(HKLM\SOFTWARE\Microsoft\Azure AD Connect Agents) other than the provisioning agent's, for
    example C(Azure AD Connect Authentication Agent) (Pass-through Authentication), which may share the updater.
  returned: always
  type: list
  elements: str
  sample: []
proxy:
  description: The C(system.net/defaultProxy) block of C(AADConnectProvisioningAgent.exe.config); attributes as written.
  returned: always
  type: dict
  contains:
    configured:
      description: Whether the block exists.
      type: bool
      sample: false
    enabled:
      description: The block's C(enabled) attribute as written, C(null) when absent.
      type: str
      sample: 'true'
    address:
      description: The C(proxyaddress) attribute, C(null) when absent.
      type: str
      sample: http://proxy.contoso.com:8080
    use_system_default:
      description: The C(usesystemdefault) attribute as written, C(null) when absent.
      type: str
      sample: 'true'
    bypass_on_local:
      description: The C(bypassonlocal) attribute as written, C(null) when absent.
      type: str
      sample: 'true'
    bypass_list:
      description: The C(address) of each C(bypasslist/add) entry (regular expressions, as .NET reads them).
      type: list
      elements: str
      sample: []
    raw:
      description: The block as XML text.
      type: str
      sample: null
winhttp_proxy:
  description: The machine's WinHTTP proxy (C(netsh winhttp set proxy)), from the registry value C(WinHttpSettings).
  returned: always
  type: dict
  contains:
    present:
      description: Whether the value exists (absent means WinHTTP goes direct).
      type: bool
      sample: true
    parsed:
      description: Whether the value fitted the layout described in the notes.
      type: bool
      sample: true
    flags:
      description: The flags field (1 direct access, 2 a named proxy; C(netsh) writes 3 with a proxy set).
      type: int
      sample: 3
    proxy_server:
      description: The proxy server text (C(host:port), or a list such as C(http=p1:80;https=p2:443)).
      type: str
      sample: proxy.contoso.com:8080
    bypass_list:
      description: The bypass list text (C(<local>), wildcards, separated by C(;)).
      type: str
      sample: <local>;*.contoso.com
    raw_hex:
      description: The whole value as hexadecimal, for evidence.
      type: str
      sample: 2800000000000000010000000000000000000000
reachability:
  description: One entry per O(probe) pair, empty when no probe was asked.
  returned: always
  type: list
  elements: dict
  contains:
    host:
      description: Host probed.
      type: str
      sample: login.microsoftonline.com
    port:
      description: TCP port probed.
      type: int
      sample: 443
    route:
      description: Which way the probe went (see O(probe_route)) - C(direct), C(agent_proxy) or C(winhttp_proxy).
      type: str
      sample: agent_proxy
    proxy:
      description: The proxy C(host:port) the probe went through, C(null) when direct.
      type: str
      sample: proxy.contoso.com:8080
    reachable:
      description: >-
        Whether the TCP connection (through a proxy - the C(CONNECT) tunnel) opened within O(probe_timeout_seconds);
        C(null) when the probe could not be attempted (a forced route without its proxy).
      type: bool
      sample: true
    error:
      description: Why it did not, C(null) when it did.
      type: str
      sample: null
    proxy_status:
      description: The proxy's status line for the C(CONNECT), C(null) when direct or when the proxy did not answer.
      type: str
      sample: HTTP/1.1 200 Connection established
    elapsed_ms:
      description: Time taken; C(null) when the probe was not attempted.
      type: int
      sample: 38
'''

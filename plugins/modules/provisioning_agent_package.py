#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
---
module: provisioning_agent_package
short_description: Install or remove the Entra Connect cloud sync provisioning agent quietly
version_added: 0.1.0
description:
- Installs the Microsoft Entra Connect cloud sync provisioning agent from its setup bundle on the target with
  C(/quiet), or removes it, and reports what the installer did in terms a playbook can act on.
- Idempotent against the installed version. With O(state=present) any installed version is left alone
  (the agent updates itself) unless O(minimum_version) asks for more; the installer is never run to downgrade.
  The installed version is read as the agent's own tools do (the agent's registry key must exist; the version is
  the ProductVersion of C(AADConnectProvisioningAgent.exe)).
- Exit codes are mapped. C(0) is success. C(3010) and C(1641) are success with RV(reboot_required) set
  (C(1641) means the installer already started the reboot). C(1618) (another installation in progress) is
  retried O(retry_1618_count) times, O(retry_1618_delay) seconds apart. C(1603), or its HRESULT form
  C(0x80070643), fails with a bounded excerpt of the Burn and MSI logs and the hint to run the collection's
  diagnosis. Any other code fails the same way.
- Installer logs are collected from what exists. That is the O(log_path) the module asked the bundle to
  write, and the Burn bundle log and chained MSI logs the bundle writes by default to the system temp folder
  (C(Microsoft_Azure_AD_Connect_Provisioning_Agent_Package_<timestamp>.log), or the C(Microsoft_Entra_...)
  name of newer builds).
- Every run is bounded by O(timeout). On timeout the installer and its child processes are stopped
  (C(taskkill /T /F)), the result says so (RV(timed_out)), and the module fails; a process that could not be
  stopped is named in the message.
- All options are validated before anything is changed. A relative or missing O(path), an unknown
  O(environment) or a malformed O(minimum_version) fails with a message naming the option.
options:
  state:
    description:
    - V(present) installs the agent when it is absent (or older than O(minimum_version)).
    - V(absent) removes the agent bundle, the agent and the updater (Add/Remove Programs entries under both the
      current C(Microsoft Entra ...) and the older C(Microsoft Azure AD Connect ...) names).
    type: str
    choices: [present, absent]
    default: present
  path:
    description:
    - Absolute path of the agent's setup bundle on the target, for example
      C(C:\Windows\Temp\AADConnectProvisioningAgentSetup.exe).
    - Microsoft's pages name the file C(AADConnectProvisioningAgentSetup.exe), C(AADConnectProvisioningAgent.Installer.exe)
      or C(ProvisioningAgentSetup.exe); any name is accepted, the file must be an C(.exe).
    - Required when O(state=present). Copy it to the host first, for example with M(ansible.windows.win_get_url)
      or M(ansible.windows.win_copy).
    type: str
  environment:
    description:
    - The cloud the agent connects to.
    - V(AzureUSGovernment) passes the installer property C(ENVIRONMENTNAME=AzureUSGovernment), as Microsoft documents
      for the US Government cloud.
    - V(AzureCloud) (public cloud) passes no C(ENVIRONMENTNAME); since agent 1.1.2102.0 the installer picks the current
      cloud by default and the bundle's own default is C(Default).
    - Other C(ENVIRONMENTNAME) values are not documented by Microsoft and are refused rather than guessed.
    type: str
    choices: [AzureCloud, AzureUSGovernment]
    default: AzureCloud
  minimum_version:
    description:
    - Install when the installed agent is older than this version (an upgrade in place by the bundle).
    - Fails before any change when the installer at O(path) is older than this version.
    type: str
  remove_stale:
    description:
    - Remove a stale or partial installation before installing, and allow deleting agent or updater services that
      an uninstall left behind.
    - A stale installation is one where agent entries or services exist while the agent's registry key does not,
      or where the key exists but the agent service does not.
    - The removal uninstalls the bundle, then the agent and the updater entries still present, then confirms the
      agent and updater services are gone. When Windows needs a reboot to finish it, the module fails and asks for a
      reboot rather than installing over it.
    - With O(state=absent), services left after the uninstall are only deleted when this is true.
    type: bool
    default: false
  log_path:
    description:
    - Absolute path on the target for the bundle's log, passed as C(/log <log_path>).
    - C(/log) is the standard switch of WiX Burn bundles, which the agent's installer is, but Microsoft does not
      document it for this agent; the module also collects the bundle's default logs, so leaving this unset loses nothing known.
    type: str
  timeout:
    description:
    - Seconds to wait for each installer or uninstaller run.
    type: int
    default: 1800
  retry_1618_count:
    description:
    - How many times to retry when the installer returns C(1618) (another installation is in progress).
    type: int
    default: 3
  retry_1618_delay:
    description:
    - Seconds to wait before each C(1618) retry.
    type: int
    default: 60
  log_excerpt_lines:
    description:
    - Most lines returned in RV(log_excerpt) on failure, across all logs.
    type: int
    default: 60
  agent_service_name:
    description:
    - Name of the agent service, used to confirm a removal.
    type: str
    default: AADConnectProvisioningAgent
  updater_service_names:
    description:
    - Candidate names of the updater service (not documented for sure by Microsoft); a service whose display name
      contains C(Agent Updater) is used when none of these exists.
    type: list
    elements: str
    default: [AzureADConnectAgentUpdater]
notes:
- Install agents one host at a time (C(serial) or C(throttle)); two agents installed at the same moment can end in quarantine.
- A failed install usually has its cause outside the installer (a GPO that removed Log on as a service from
  C(NT SERVICE\ALL SERVICES), a stale earlier install). Run the collection's C(diagnose) role or
  C(playbooks/diagnose.yml) with the result.
- Whether C(/norestart) is honoured, and the bundle's product and upgrade codes, are not documented; the module does
  not pass C(/norestart) to the bundle and does not rely on those codes. MSI entries are removed with
  C(msiexec /x <code> /qn /norestart).
- The installer runs as the connection user. It needs local administrator rights; no credential is passed to it.
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
- module: hybrid_identity.entra_sync.provisioning_agent_registration
- module: hybrid_identity.entra_sync.agent_evidence
- module: ansible.windows.win_reboot
author:
- hybrid_identity maintainers (@hybrid-identity)
'''

EXAMPLES = r'''
- name: Install the agent (public cloud)
  hybrid_identity.entra_sync.provisioning_agent_package:
    path: C:\Windows\Temp\AADConnectProvisioningAgentSetup.exe
  register: agent_package

- name: Reboot when the installer asks for it
  ansible.windows.win_reboot:
  when: agent_package.reboot_required

- name: Install for the US Government cloud, removing a partial earlier install first
  hybrid_identity.entra_sync.provisioning_agent_package:
    path: C:\Windows\Temp\AADConnectProvisioningAgentSetup.exe
    environment: AzureUSGovernment
    remove_stale: true
    log_path: C:\Windows\Temp\entra_agent_install.log

- name: Make sure at least a given version is installed
  hybrid_identity.entra_sync.provisioning_agent_package:
    path: C:\Windows\Temp\AADConnectProvisioningAgentSetup.exe
    minimum_version: 1.1.1586.0

- name: Remove the agent and the updater
  hybrid_identity.entra_sync.provisioning_agent_package:
    state: absent
    remove_stale: true
'''

RETURN = r'''
state:
  description: The O(state) asked for.
  returned: success, and on failure once the options were valid
  type: str
  sample: present
version_before:
  description: The agent version installed before the run, C(null) when not installed.
  returned: success, and on failure once the options were valid
  type: str
  sample: null
version_after:
  description: The agent version installed after the run; C(null) when absent, or unknown until a reboot (C(1641)).
  returned: success, and on failure once the options were valid
  type: str
  sample: 1.1.1586.0
exit_code:
  description:
  - The last installer or uninstaller exit code, C(null) when nothing ran. The HRESULT form of 1603 is reported as C(1603).
  returned: success, and on failure once the options were valid
  type: int
  sample: 0
attempts:
  description: How many times the installer was started (more than one after C(1618) retries), C(0) when it was not.
  returned: success, and on failure once the options were valid
  type: int
  sample: 1
reboot_required:
  description: Whether Windows needs a reboot (exit code C(3010) or C(1641), or a service only marked for deletion).
  returned: success, and on failure once the options were valid
  type: bool
  sample: false
timed_out:
  description: Whether a run exceeded O(timeout) and was stopped.
  returned: success, and on failure once the options were valid
  type: bool
  sample: false
log_paths:
  description: Installer logs written during the run (the bundle log, chained package logs, O(log_path)).
  returned: success, and on failure once the options were valid
  type: list
  elements: str
  sample: [C:\Windows\Temp\Microsoft_Entra_Provisioning_Agent_Package_20250612101502.log]
log_excerpt:
  description:
  - On failure, the lines of those logs that explain it (errors, failed actions, C(Return value 3)), at most
    O(log_excerpt_lines); a C(--- <path> ---) line separates the logs. Empty on success.
  returned: success, and on failure once the options were valid
  type: list
  elements: str
  sample:
  - '[0A18:1F44][2025-06-12T10:17:58]e000: Error 0x80070643: Failed to install MSI package.'
command:
  description: The command line run (or that would run in check mode); it never holds a secret. C(null) when nothing ran.
  returned: success, and on failure once the options were valid
  type: str
  sample: '"C:\Windows\Temp\AADConnectProvisioningAgentSetup.exe" /quiet ENVIRONMENTNAME=AzureUSGovernment'
removed:
  description: Add/Remove Programs entries and services (C(service <name>)) removed (or to be removed in check mode).
  returned: success, and on failure once the options were valid
  type: list
  elements: str
  sample: []
'''

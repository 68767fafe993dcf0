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
  C(/quiet) (and C(/norestart), see O(norestart)), or removes it, and reports what the installer did in terms a
  playbook can act on.
- The installer is started with the process util of M(ansible.windows.win_package) (CreateProcess; each argument
  escaped by its C(ConvertTo-EscapedArgument), so paths with spaces are passed intact).
- Idempotent against the installed version. With O(state=present) any installed version is left alone
  (the agent updates itself) unless O(minimum_version) asks for more; the installer is never run to downgrade.
  The installed version is read as the agent's own tools do (the agent's registry key must exist; the version is
  the ProductVersion of C(AADConnectProvisioningAgent.exe)).
- Exit codes are mapped. C(0) is success. C(3010) and C(1641) are success with RV(reboot_required) set
  (C(1641) means the installer already started the reboot); the module never reboots, leave that to
  M(ansible.windows.win_reboot). C(1618) (another installation in progress) is
  retried O(retry_1618_count) times, O(retry_1618_delay) seconds apart. C(1603), or its HRESULT form
  C(0x80070643), fails with a bounded excerpt of the Burn and MSI logs and the hint to run the collection's
  diagnosis. Any other code fails the same way.
- Installer logs are collected from what exists. That is the O(log_path) the module asked the bundle to
  write and the chained MSI logs Burn writes next to it (C(<log_path without .log>_<nnn>_<package>.log)), and
  the Burn bundle log and chained MSI logs the bundle writes by default to the system temp folder
  (C(Microsoft_Azure_AD_Connect_Provisioning_Agent_Package_<timestamp>.log), or the C(Microsoft_Entra_...)
  name of newer builds).
- The result is C(changed) once the installer or an uninstaller was started, also when it then failed (a failed
  MSI rolls back, but the bundle may have cached its payload and written logs).
- Every run is bounded by O(timeout). On timeout the bundle and the processes it started (found through
  C(Win32_Process)) are ended with the process API's own kill, the result says so (RV(timed_out)), and the module
  fails; a process that could not be stopped is named in the message. The message also says that the MSI work may
  still run in the Windows Installer service, since ending the bundle does not end an MSI transaction it started.
- All options are validated before anything is changed. A relative or missing O(path), an unknown
  O(environment), a malformed O(minimum_version), a relative O(log_path) or a non-positive O(timeout) or
  O(log_excerpt_lines) fails with a message naming the option.
- The agent's pieces are counted by its own identity only (its registry key, its Add/Remove Programs entries,
  the service O(agent_service_name), and the updater's entries and O(updater_service_names)). The Agent Updater is
  shared with other Entra agents; while one of them is present (O(other_agent_service_names), or an Add/Remove
  Programs entry of the Pass-through Authentication agent or the private network / application proxy connector)
  the updater's entry and service are left in place (RV(kept)) and never count as leftovers.
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
    - Only services found by their own name (O(agent_service_name), O(updater_service_names)) are ever deleted
      (C(sc.exe delete)); a service that merely has an updater-like display name is reported in a warning and left alone.
    type: bool
    default: false
  log_path:
    description:
    - Absolute path on the target for the bundle's log, passed as C(/log <log_path>).
    - C(/log) is the standard switch of WiX Burn bundles, which the agent's installer is, but Microsoft does not
      document it for this agent; the module also collects the bundle's default logs, so leaving this unset loses nothing known.
    - The chained MSI logs that Burn writes next to it are collected too.
    type: str
  norestart:
    description:
    - Pass C(/norestart) to the bundle (and to the uninstall commands), so that a chained package cannot reboot the
      server in the middle of the task. Exit codes C(3010) and C(1641) then set RV(reboot_required); reboot with
      M(ansible.windows.win_reboot).
    - C(/norestart) is a standard switch of WiX Burn bundles, which the agent's installer is; Microsoft does not
      document it for this agent, and whether this bundle honours it is not confirmed. Set V(false) to run the
      bundle exactly as Microsoft documents it (C(/quiet) only).
    - MSI entries are always removed with C(msiexec /x <code> /qn /norestart).
    type: bool
    default: true
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
    - Names of the updater service (not documented for sure by Microsoft). Only these names are counted as the
      updater; a service is never matched by its display name.
    type: list
    elements: str
    default: [AzureADConnectAgentUpdater]
  other_agent_service_names:
    description:
    - Services of other Microsoft Entra agents that install the same Agent Updater, by default the Pass-through
      Authentication agent (C(AzureADConnectAuthenticationAgent)) and the private network connector (C(WAPCSvc)).
    - While any of them exists, the updater is not uninstalled and its service is not deleted.
    type: list
    elements: str
    default: [AzureADConnectAuthenticationAgent, WAPCSvc]
notes:
- Install agents one host at a time (C(serial) or C(throttle)); two agents installed at the same moment can end in quarantine.
- A failed install usually has its cause outside the installer (a GPO that removed Log on as a service from
  C(NT SERVICE\ALL SERVICES), a stale earlier install). Run the collection's C(diagnose) role or
  C(playbooks/diagnose.yml) with the result.
- Whether C(/norestart) is honoured by this bundle is not documented (see O(norestart)); the bundle's product and
  upgrade codes are not documented either, and the module does not rely on them.
- Whether the bundle's own uninstall removes the shared Agent Updater while another Entra agent uses it is decided by
  the bundle (Burn's dependency tracking), not by this module; the module only refrains from removing it itself.
- The installer runs as the connection user. It needs local administrator rights; no credential is passed to it.
- What was confirmed how. The module ran under Pester on a simulated Windows (tests/windows_sim, scenarios in
  tests/unit/powershell/scenarios/provisioning_agent_package) with exit codes 0, 3010, 1641, 1618 (retried, and
  exhausted), 1603 with the Burn and MSI log excerpt, the timeout and the stop of the process tree, check mode,
  idempotency by installed version, the US Government property, the removal of partial installs, the shared
  updater left in place, the exact argument list and its escaping. PSScriptAnalyzer checked it against the
  Windows PowerShell 5.1 profiles of Windows Server 2016 and 2019.
- What a real host still has to confirm is that the bundle accepts C(/norestart) and C(/log); the names of Burn's
  chained logs next to O(log_path); that ending the bundle on timeout leaves the host as described; the exit code
  the bundle returns for a reboot; the other agents' service and Add/Remove Programs names.
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
  description:
  - Whether a run exceeded O(timeout) and was stopped. The MSI work the bundle started may still run in the Windows
    Installer service; the message says so.
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
  sample: 'C:\Windows\Temp\AADConnectProvisioningAgentSetup.exe /quiet /norestart ENVIRONMENTNAME=AzureUSGovernment'
removed:
  description: Add/Remove Programs entries and services (C(service <name>)) removed (or to be removed in check mode).
  returned: success, and on failure once the options were valid
  type: list
  elements: str
  sample: []
kept:
  description:
  - Pieces of the agent left in place on purpose (or to be left in check mode), for example the Agent Updater's entry
    and service (C(service <name>)) while another Entra agent uses them.
  returned: success, and on failure once the options were valid
  type: list
  elements: str
  sample: [Microsoft Entra Connect Agent Updater]
'''

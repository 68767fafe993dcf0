#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This is an action plugin (plugins/action/preflight.py); this file only documents it.

DOCUMENTATION = r'''
---
module: preflight
short_description: Decide whether a Windows host is ready for the Entra cloud sync provisioning agent
version_added: 0.1.0
description:
- Gathers host facts with M(hybrid_identity.entra_sync.agent_host_info) and
  M(hybrid_identity.entra_sync.logon_right_info) (one module run each), unless their results are
  passed in, and judges them on the controller with the collection's prerequisite rules.
- Returns findings with stable ids (for example C(service_logon_right_missing_all_services),
  C(service_logon_right_removed_by_gpo), C(tls12_disabled), C(kds_root_key_missing)), each with its
  severity, evidence, remediation (and whether the collection can apply it safely) and the Microsoft
  document it rests on.
- A rule whose facts are unknown is skipped, never reported as a blocker.
- Makes no change on the host.
options:
  host_info:
    description:
    - A result of M(hybrid_identity.entra_sync.agent_host_info) already gathered. When omitted the module runs on the target.
    type: dict
  logon_rights:
    description:
    - A result of M(hybrid_identity.entra_sync.logon_right_info) already gathered. When omitted the module runs on the target.
    type: dict
  cloud:
    description:
    - The Microsoft cloud the agent registers with; selects the endpoints probed.
    - C(public) and C(us_government) are deprecated names of C(AzureCloud) and C(AzureUSGovernment).
    type: str
    choices: [AzureCloud, AzureUSGovernment, public, us_government]
    default: AzureCloud
  probe_endpoints:
    description:
    - Probe one concrete host per endpoint row of the cloud catalog from the target (TCP only).
    - Unreachable endpoints become C(endpoint_unreachable) warnings; none reachable on 443 is the
      C(outbound_connectivity_blocked) blocker.
    type: bool
    default: false
  endpoint_sources:
    description:
    - Which Microsoft endpoint list to probe. The prerequisites and troubleshooting pages disagree;
      by default both are used.
    type: list
    elements: str
    choices: [prerequisites, troubleshoot]
  domain_facts:
    description:
    - Facts gathered on a domain controller, used by the KDS, gMSA and AD level rules.
    - C(kds_root_keys) (list of dicts with C(effective_time), as M(microsoft.ad.kds_root_key_info) returns; a key counts as usable
      10 hours after its C(effective_time)), C(gmsa) (a M(hybrid_identity.entra_sync.gmsa_host) result),
      C(msa_container_exists), C(schema_version), C(schema_has_external_directory_object_id),
      C(domain_functional_level), C(forest_functional_level), C(dc_os_builds).
    type: dict
  kds_root_key_info:
    description:
    - A registered result of M(microsoft.ad.kds_root_key_info); its C(kds_root_keys) are judged. A skipped or
      failed result is ignored, so a role can pass it whether or not the task ran.
    type: dict
  gmsa:
    description:
    - A registered result of M(hybrid_identity.entra_sync.gmsa_host) (C(state=query)). A skipped or failed
      result is ignored. The encryption overlap is computed here from its raw encryption-type bits.
    type: dict
  repairs_allowed:
    description:
    - Which fixes may be planned in RV(repairs), by switch; a fix is planned only when its finding is present,
      no GPO owns the setting and its switch is true.
    - Switches C(service_logon_right), C(tls), C(credential_manager), C(execution_policy), C(stale_install),
      C(kds_root_key), C(gmsa_encryption_types).
    type: dict
    default: {}
  agent_version:
    description:
    - The agent version wanted; a different installed version makes RV(agent.install) true.
    type: str
  registration_credentials_given:
    description:
    - Whether the tenant user name and password for registration were given. When false and the agent is not
      registered, the C(registration_credentials_missing) blocker is reported and RV(agent.message) is set.
    type: bool
  gmsa_name:
    description:
    - The gMSA the agent runs as (C(DOMAIN\\name$)); checked for C(Log on as a service) and deny entries.
    - Defaults to the agent service's logon account when that is a gMSA.
    type: str
  custom_gmsa:
    description:
    - The gMSA is pre-created (not created by C(Add-AADCloudSyncGMSA)); a missing gMSA is then a blocker.
    type: bool
    default: false
  sync_service_account:
    description:
    - Entra Connect Sync (ADSync) service account to check for the three logon rights it needs.
    - Deprecated, use M(hybrid_identity.entra_sync.sync_services), which also reads the account's status and
      names the GPO behind each right.
    type: str
  tier0_acknowledged:
    description:
    - Acknowledge that the host is managed as a Tier 0 asset; suppresses the C(tier0_host) warning.
    type: bool
    default: false
  server_2025_min_ubr:
    description:
    - Lowest update build revision of Windows Server 2025 that carries KB5070773. Not published in the
      facts this collection rests on; without it Server 2025 hosts get a warning to confirm by hand.
    type: int
  report_dir:
    description:
    - When set, write report.json, report.md, report.html and report.junit.xml there on the controller.
    type: path
  agent_service_name:
    description:
    - Name of the provisioning agent service, passed to M(hybrid_identity.entra_sync.agent_host_info).
    type: str
    default: AADConnectProvisioningAgent
extends_documentation_fragment:
- ansible.builtin.action_common_attributes
- ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: Read-only; runs the same in check mode.
  diff_mode:
    support: none
  platform:
    platforms: windows
seealso:
- module: hybrid_identity.entra_sync.agent_host_info
- module: hybrid_identity.entra_sync.logon_right_info
- module: hybrid_identity.entra_sync.diagnose
author:
- hybrid_identity maintainers (@hybrid-identity)
'''

EXAMPLES = r'''
- name: Check the host before installing the agent
  hybrid_identity.entra_sync.preflight:
    cloud: AzureCloud
    probe_endpoints: true
  register: preflight

- name: Stop when a blocker was found
  ansible.builtin.assert:
    that: preflight.ready
    fail_msg: "Blockers: {{ preflight.blockers | join(', ') }}"

- name: Judge facts gathered earlier, with KDS/gMSA facts from a DC, and write a report
  hybrid_identity.entra_sync.preflight:
    host_info: "{{ host_facts }}"
    logon_rights: "{{ rights }}"
    domain_facts:
      kds_root_keys: "{{ kds.keys }}"
      gmsa: "{{ gmsa_result }}"
    report_dir: "{{ playbook_dir }}/reports/{{ inventory_hostname }}"
'''

RETURN = r'''
findings:
  description: Findings, blockers first. Each has id, severity, title, evidence, remediation, reference, source, host.
  returned: always
  type: list
  elements: dict
  sample:
  - id: service_logon_right_removed_by_gpo
    severity: blocker
    title: A Group Policy defines 'Log on as a service' without NT SERVICE\ALL SERVICES
    evidence:
    - source: logon_right_info
      line: rights.SeServiceLogonRight.gpo
      text: "GPO 'Member Servers Baseline' ({6AC1786C-...}) defines: BUILTIN\\Administrators"
    remediation:
      summary: Add NT SERVICE\ALL SERVICES (S-1-5-80-0) to the winning GPO.
      automatic: false
      how: Edit the GPO named in the evidence.
    reference: https://learn.microsoft.com/troubleshoot/entra/entra-id/user-prov-sync/hybrid-sync-agent-installation-issues
    source: Hybrid Sync Agent Installation Issues (Entra support article)
blockers:
  description: Ids of the blocker findings.
  returned: always
  type: list
  elements: str
  sample: [tls12_disabled]
warnings_ids:
  description: Ids of the warning findings.
  returned: always
  type: list
  elements: str
  sample: [pending_reboot]
ready:
  description: True when no blocker was found.
  returned: always
  type: bool
rule_results:
  description: One entry per rule, C(status) passed, failed or skipped (facts unknown).
  returned: always
  type: list
  elements: dict
host_info:
  description: The agent_host_info result the rules judged.
  returned: always
  type: dict
logon_rights:
  description: The logon_right_info result the rules judged.
  returned: always
  type: dict
cloud:
  description: The catalog entry of the cloud (environment_name, authority, endpoints).
  returned: always
  type: dict
report_paths:
  description: Paths of the written reports, by format.
  returned: when report_dir is set
  type: dict
repairs:
  description:
  - The fixes to apply, in order, each with C(id) (the finding it clears), C(action) (C(grant_right),
    C(set_registry), C(set_start_mode), C(set_execution_policy), C(remove_agent), C(create_kds_root_key),
    C(set_gmsa_encryption_types)) and its parameters (C(right), C(account), C(path), C(name), C(data),
    C(service), C(start_mode), C(gmsa)).
  returned: always
  type: list
  elements: dict
proceed:
  description:
  - True when nothing blocks; in check mode also when a planned repair would clear every blocker.
  returned: always
  type: bool
message:
  description: Each blocker with its evidence and fix, and the report directory; empty when RV(proceed) is true.
  returned: always
  type: str
agent:
  description: What the provisioning_agent role does on this host.
  returned: always
  type: dict
  contains:
    install:
      description: Install the agent (not installed, or another version than O(agent_version) is).
      type: bool
    register:
      description: Register the agent (no tenant yet).
      type: bool
    installed:
      description: The agent is installed now.
      type: bool
    service:
      description: The agent service entry of the host facts (empty when absent).
      type: dict
    default_domains:
      description: The domains registered when the role is given none, the host's own.
      type: list
      elements: dict
    message:
      description: Set when the role must stop before any change (C(registration_credentials_missing)).
      type: str
'''

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This is an action plugin (plugins/action/health.py); this file only documents it.

DOCUMENTATION = r'''
---
module: health
short_description: Check that an installed Entra cloud sync provisioning agent keeps working (Day 2)
version_added: 0.1.0
description:
- Gathers the state of the agent with M(hybrid_identity.entra_sync.agent_host_info),
  M(hybrid_identity.entra_sync.logon_right_info) (Log on as a service and its Deny twin only) and, unless
  O(events=false), M(hybrid_identity.entra_sync.agent_evidence) for the Service Control Manager events of the
  agent since O(since). That is three module runs on the target at most, fewer when results are passed in.
- Judges the state on the controller with the health rules and returns findings with stable ids, the same
  shape as M(hybrid_identity.entra_sync.preflight) returns.
- The ids are C(agent_not_installed), C(agent_tenant_id_missing), C(agent_service_not_running),
  C(agent_service_account_changed), C(service_not_managed_account), C(gmsa_logon_right_missing),
  C(gmsa_logon_right_at_risk_from_gpo) (a GPO defines Log on as a service without the gMSA; the finding
  names the GPO and the exact entry to add), C(deny_logon_as_service), C(agent_updater_not_running),
  C(agent_version_below_minimum), C(tls12_disabled), C(tls12_keys_not_set) and C(agent_service_control_events)
  (events 7000, 7034, 7038 and 7041 of the agent).
- Returns RV(repairs), the safe local fixes for the findings (start a service, grant the right locally when no
  GPO defines it, set the managed-account flag). This action applies none of them; the C(health) role does when
  asked. Nothing ever plans a Group Policy change.
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
  evidence:
    description:
    - A result of M(hybrid_identity.entra_sync.agent_evidence) already gathered; only its C(events) are read.
    - When omitted and O(events=true) the module runs on the target with a small budget (no files).
    type: dict
  agent_service_name:
    description:
    - Name of the provisioning agent service.
    type: str
    default: AADConnectProvisioningAgent
  updater_service_names:
    description:
    - Candidate names of the updater service, passed to M(hybrid_identity.entra_sync.agent_host_info) (its default when omitted).
    type: list
    elements: str
  gmsa_name:
    description:
    - The gMSA the agent must run as, for example C(CONTOSO\\provAgentgMSA$) or C(provAgentgMSA$).
    - When omitted, any gMSA is accepted as the service account and the rights are checked for the one the service uses.
    type: str
  minimum_version:
    description:
    - Lowest acceptable agent version (dotted numbers, for example C(1.1.1586.0)); older is the
      C(agent_version_below_minimum) warning. Not checked when omitted.
    - The old name C(min_version) still works and is deprecated.
    aliases: [min_version]
    type: str
  events:
    description:
    - Read the agent's Service Control Manager events 7000, 7034, 7038 and 7041 since O(since).
    type: bool
    default: true
  since:
    description:
    - Start of the event window, ISO 8601 (for example C(2025-06-12T08:00:00Z)).
    - When omitted, the time of the previous health report in O(report_dir) is used (events since the last run),
      else the last O(events_hours) hours.
    type: str
  events_hours:
    description:
    - Event window in hours when neither O(since) nor a previous report gives one. Match it to the schedule.
    type: int
    default: 24
  report_dir:
    description:
    - When set, write the reports of this host there on the controller (C(report.json) holds the summary, and
      C(report.junit.xml) one test case per rule).
    type: path
  formats:
    description:
    - Report formats written to O(report_dir).
    type: list
    elements: str
    choices: [json, markdown, html, junit]
    default: [json, junit]
  fail_on_blocker:
    description:
    - Fail the task when a blocker was found. Warnings never fail it.
    type: bool
    default: true
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
notes:
- A GPO can grant the right through a group that holds the gMSA; group membership is not resolved, so such a
  host reports C(gmsa_logon_right_missing) or C(gmsa_logon_right_at_risk_from_gpo). Grant the gMSA directly.
seealso:
- module: hybrid_identity.entra_sync.preflight
- module: hybrid_identity.entra_sync.agent_host_info
- module: hybrid_identity.entra_sync.logon_right_info
- module: hybrid_identity.entra_sync.agent_evidence
author:
- hybrid_identity maintainers (@hybrid-identity)
'''

EXAMPLES = r'''
- name: Check the agent and write the reports
  hybrid_identity.entra_sync.health:
    gmsa_name: CONTOSO\provAgentgMSA$
    minimum_version: 1.1.1586.0
    report_dir: "{{ playbook_dir }}/reports/health/{{ inventory_hostname }}"
  register: health

- name: Report only, never fail, events of the last 6 hours
  hybrid_identity.entra_sync.health:
    events_hours: 6
    fail_on_blocker: false
  register: health
'''

RETURN = r'''
healthy:
  description: True when no blocker was found.
  returned: always
  type: bool
status:
  description: C(blocker), C(warning) or C(healthy).
  returned: always
  type: str
  sample: warning
summary:
  description: The host's line for monitoring.
  returned: always
  type: dict
  sample:
    host: sync01.contoso.com
    status: blocker
    healthy: false
    blockers: [gmsa_logon_right_at_risk_from_gpo]
    warnings: []
    checked_at: '2025-06-12T10:00:00Z'
    since: '2025-06-11T10:00:00Z'
findings:
  description: Findings, blockers first. Each has id, severity, title, evidence, remediation, reference, source, host.
  returned: always
  type: list
  elements: dict
  sample:
  - id: gmsa_logon_right_at_risk_from_gpo
    severity: blocker
    title: "A GPO defines 'Log on as a service' without the agent's gMSA: the next policy refresh removes it"
    evidence:
    - source: logon_right_info
      line: rights.SeServiceLogonRight.gpo
      text: "GPO 'Tier0 Server Hardening' {31B2F340-...} (precedence 1) defines: BUILTIN\\Administrators"
    remediation:
      summary: Add the gMSA to 'Log on as a service' in the GPO named in the evidence.
      automatic: false
      how: "In GPO 'Tier0 Server Hardening' ... add the entry 'CONTOSO\\provAgentgMSA$' ..."
blockers:
  description: Ids of the blocker findings.
  returned: always
  type: list
  elements: str
  sample: [agent_service_not_running]
warnings_ids:
  description: Ids of the warning findings.
  returned: always
  type: list
  elements: str
  sample: [agent_updater_not_running]
rule_results:
  description: One entry per rule, C(status) passed, failed or skipped (facts unknown).
  returned: always
  type: list
  elements: dict
message:
  description: Each blocker with its evidence and fix, and the report directory; empty when healthy.
  returned: always
  type: str
repairs:
  description:
  - The safe local fixes for the findings, in order. C(action) is C(grant_right), C(set_managed_account),
    C(start_service) or C(restart_service); C(service), C(right) and C(account) say on what.
  returned: always
  type: list
  elements: dict
  sample:
  - id: agent_service_not_running
    action: start_service
    service: AADConnectProvisioningAgent
since:
  description: Start of the event window (ISO 8601, UTC).
  returned: always
  type: str
since_from:
  description: How the window was chosen (C(given), C(previous check), C(last 24 hours)).
  returned: always
  type: str
checked_at:
  description: When the check ran (ISO 8601, UTC).
  returned: always
  type: str
events:
  description: The agent's Service Control Manager events in the window, oldest first.
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
report_paths:
  description: Paths of the written reports, by format.
  returned: when report_dir is set
  type: dict
'''

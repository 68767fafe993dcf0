#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This is an action plugin (plugins/action/diagnose.py); this file only documents it.

DOCUMENTATION = r'''
---
module: diagnose
short_description: Explain a failed agent install or registration from its evidence
version_added: 0.1.0
description:
- Runs on the controller only; it never connects to a host, so it works on the implicit localhost
  with no inventory.
- Reads evidence from an M(hybrid_identity.entra_sync.agent_evidence) result and/or files on the
  controller (a file, a folder or a zip) holding installer, Burn and MSI logs, agent trace logs, Event Viewer
  text/XML/CSV exports, exported C(.evtx) files, C(gpresult) HTML/XML, C(secedit) exports and the zip
  written by C(Export-AADCloudSyncToolsLogs).
- Returns root causes ranked by confidence, each with the evidence lines (source, line, text) that
  support it, the remediation and the Microsoft reference. Signatures combine evidence, so
  "Unable to create gMSA because KDS may not be running" is attributed to a missing logon right,
  a non-managed service account or an encryption-type mismatch when the events say so, and to a
  missing KDS root key only when nothing else explains it.
- Unreadable, binary, truncated or oversized input becomes an input warning in the report, never a
  failure; an error in one input ends that input only. Zips that would unpack outside their folder are
  refused; a member that expands more than 1000 times is skipped, the rest of the zip is read.
- Inside a folder, a symbolic link is followed only when it resolves inside that folder; FIFOs, sockets
  and devices are never opened; report files this collection wrote are not read back as evidence. Each
  skipped input is named in the report.
- When no input was read, or an input was skipped or refused, the status is C(inconclusive), never
  healthy, and each such input is an errored JUnit test case.
- Logs are streamed; memory stays flat whatever their size.
options:
  evidence:
    description:
    - An M(hybrid_identity.entra_sync.agent_evidence) result, or a list of them.
    - A result may also carry C(rights), the C(rights) of a M(hybrid_identity.entra_sync.logon_right_info)
      result read after the failure; a GPO that defines a right is then named as its source.
    type: raw
  failed_result:
    description:
    - The result of the task that failed (C(ansible_failed_result) in a C(rescue)). Its message and
      installer log excerpt are read as evidence, and the action returns C(message), the text to fail with.
    - A skipped or failed C(evidence) or C(logon_rights) result is ignored, so a rescue can pass what it registered as it is.
    type: dict
  failed_task:
    description:
    - The name of the task that failed (C(ansible_failed_task.name)), for C(message).
    type: str
  logon_rights:
    description:
    - A M(hybrid_identity.entra_sync.logon_right_info) result read after the failure; a GPO that defines
      a right is then named as its source.
    type: dict
  evidence_path:
    description:
    - Files, folders or zip files on the controller to read.
    - A path that does not exist fails the task with its name.
    - "On the command line, give a path with spaces as JSON: C(-e '{\"evidence_path\": \"/tmp/AAD logs\"}');
      C(-e evidence_path=/tmp/AAD logs) cuts it at the space, and the failure then names the longer path that exists."
    type: list
    elements: path
  findings:
    description:
    - Findings from M(hybrid_identity.entra_sync.preflight) to include in the report.
    type: list
    elements: dict
    default: []
  host:
    description:
    - Host name to label root causes and report sections with.
    type: str
  report_dir:
    description:
    - Directory on the controller to write report.json, report.md, report.html and report.junit.xml into.
    - The JSON follows C(docs/report.schema.json) of this collection.
    - Each file is written to a new temporary file in this folder and renamed, so a link at a report name is
      replaced, not followed. A folder that is itself a symbolic link is refused unless O(allow_symlinked_report_dir).
    - It must not be, or lie inside, a folder given in O(evidence_path).
    type: path
  allow_symlinked_report_dir:
    description:
    - Write into O(report_dir) even if it is a symbolic link. Set it only for a folder the user named.
    type: bool
    default: false
  formats:
    description:
    - Report formats to write.
    type: list
    elements: str
    choices: [json, markdown, html, junit]
    default: [json, markdown, html, junit]
  max_line_bytes:
    description:
    - Longest line examined, in bytes; longer lines are cut and reported as an input warning.
    - From 1024 to 1048576 (1 MiB); a line is held in memory while it is examined.
    type: int
    default: 65536
  fail_on_blocker:
    description:
    - Fail the task when a blocker root cause (or blocker finding) is present.
    type: bool
    default: false
  fail_on_inconclusive:
    description:
    - Fail the task when the status is C(inconclusive), after the reports are written.
    - C(playbooks/diagnose.yml) sets it to C(true) unless told otherwise.
    type: bool
    default: false
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
    details: Only writes report files on the controller, also in check mode.
  diff_mode:
    support: none
  platform:
    platforms: all
notes:
- Runs on the controller; C(delegate_to) has no effect.
seealso:
- module: hybrid_identity.entra_sync.agent_evidence
- module: hybrid_identity.entra_sync.preflight
author:
- hybrid_identity maintainers (@hybrid-identity)
'''

EXAMPLES = r'''
- name: Diagnose from the logs an administrator handed over
  hybrid_identity.entra_sync.diagnose:
    evidence_path:
      - /tmp/AADCloudSyncToolsLogs.zip
      - /tmp/gpresult.html
    report_dir: /tmp/report

- name: Diagnose from evidence collected on the host
  hybrid_identity.entra_sync.diagnose:
    evidence: "{{ collected }}"
    host: "{{ inventory_hostname }}"
    findings: "{{ preflight.findings | default([]) }}"
    report_dir: "{{ playbook_dir }}/reports/{{ inventory_hostname }}"
  register: diagnosis
'''

RETURN = r'''
root_causes:
  description: Root causes, blockers first, then by confidence.
  returned: always
  type: list
  elements: dict
  sample:
  - id: gmsa_logon_right_missing
    severity: blocker
    title: The gMSA the agent runs as lacks 'Log on as a service'
    confidence: 0.98
    evidence:
    - source: agent_evidence:System
      line: record 40211
      text: "Event 7041 (Service Control Manager): The AADConnectProvisioningAgent service was unable to log on as CONTOSO\\provAgentgMSA$ ..."
    remediation:
      summary: Grant 'Log on as a service' to the gMSA.
      automatic: true
      how: prerequisites role
    reference: https://learn.microsoft.com/troubleshoot/entra/entra-id/user-prov-sync/hybrid-sync-agent-installation-issues
blockers:
  description: Ids of the blocker root causes.
  returned: always
  type: list
  elements: str
summary:
  description:
  - Counts of blockers, warnings and input warnings, C(healthy), C(top_root_cause).
  - C(status) is C(healthy), C(not_healthy) (a blocker) or C(inconclusive) (not all evidence read; C(healthy) is
    then false), and C(inconclusive) lists why.
  returned: always
  type: dict
inputs:
  description: Every input read, with kind, status (read, partial, skipped, refused, ignored) and warnings.
  returned: always
  type: list
  elements: dict
input_warnings:
  description: The input warnings, flattened.
  returned: when an input could not be fully read
  type: list
  elements: str
message:
  description:
  - With I(failed_result), the text to fail with, what failed, then each root cause with its evidence and fix, then
    where the reports are.
  returned: when failed_result is given
  type: str
report_paths:
  description: Paths of the written reports, by format.
  returned: when report_dir is set
  type: dict
  sample: {json: /tmp/report/report.json, html: /tmp/report/report.html}
'''

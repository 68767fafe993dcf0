#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This is an action plugin (plugins/action/sync_services.py); this file only documents it.

DOCUMENTATION = r'''
---
module: sync_services
short_description: Judge the Entra Connect Sync (ADSync) service account, its status and logon rights
version_added: 0.1.0
description:
- Gathers the service and its account with M(hybrid_identity.entra_sync.service_account_info) and the three
  rights the account needs (Allow log on locally, Log on as a batch job, Log on as a service) with their Deny
  twins and GPO source with M(hybrid_identity.entra_sync.logon_right_info), unless their results are passed in.
- Judges them on the controller and returns findings with stable ids (C(sync_service_missing),
  C(service_account_disabled_or_expired), C(sync_service_account_right_removed_by_gpo),
  C(sync_service_account_rights_missing)), the local grants that are safe (only for a right no GPO defines)
  and the message to fail with.
- Makes no change on the host.
options:
  service_name:
    description: Name of the Connect Sync service.
    type: str
    default: ADSync
  service_info:
    description: A result of M(hybrid_identity.entra_sync.service_account_info) already gathered.
    type: dict
  logon_rights:
    description: A result of M(hybrid_identity.entra_sync.logon_right_info) already gathered.
    type: dict
  plan_repairs:
    description: Plan local grants of the missing rights that no GPO defines (returned in RV(repairs)).
    type: bool
    default: true
  report_dir:
    description: Controller directory for the reports (JSON, Markdown, HTML, JUnit).
    type: path
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
- module: hybrid_identity.entra_sync.service_account_info
- module: hybrid_identity.entra_sync.logon_right_info
- module: hybrid_identity.entra_sync.preflight
author:
- hybrid_identity maintainers (@hybrid-identity)
'''

EXAMPLES = r'''
- name: Judge the ADSync service
  hybrid_identity.entra_sync.sync_services:
    report_dir: /var/tmp/reports/{{ inventory_hostname }}
  register: adsync

- name: Grant the rights no GPO defines
  ansible.windows.win_user_right:
    name: "{{ item.right }}"
    users: ["{{ item.account }}"]
    action: add
  loop: "{{ adsync.repairs }}"
'''

RETURN = r'''
healthy:
  description: No blocker found.
  returned: always
  type: bool
findings:
  description: Findings (id, severity, title, evidence, remediation, reference).
  returned: always
  type: list
  elements: dict
blockers:
  description: Ids of the blocker findings.
  returned: always
  type: list
  elements: str
repairs:
  description: Local grants to apply, each with C(id), C(action=grant_right), C(right) and C(account) (SID when known).
  returned: always
  type: list
  elements: dict
message:
  description: Each blocker with its evidence and fix, and where the report is; empty when healthy.
  returned: always
  type: str
service_info:
  description: The M(hybrid_identity.entra_sync.service_account_info) result judged.
  returned: always
  type: dict
logon_rights:
  description: The M(hybrid_identity.entra_sync.logon_right_info) result judged.
  returned: always
  type: dict
report_paths:
  description: Paths of the written reports by format.
  returned: when report_dir is set
  type: dict
'''

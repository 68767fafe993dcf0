#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
---
module: logon_right_info
short_description: Report who holds logon rights and which Group Policy object defines them
version_added: 0.1.0
description:
- For each requested user right, returns the accounts that hold it on this host, as SID and name, read
  from the Local Security Authority (the effective list, whatever set it).
- When a domain Group Policy object defines the right, also returns the winning GPO's name and id and the
  account list it sets, read from Resultant Set of Policy (WMI C(root\rsop\computer), C(RSOP_UserPrivilegeRight)
  joined to C(RSOP_GPO), precedence 1). A GPO that defines a right replaces the whole local list at the next
  policy refresh, so a local fix of such a right does not last; the fix belongs in that GPO.
- Works on a host with no GPO and on a workgroup host (then O(rights) holders only and RV(rsop_available) is false).
- Read-only. Granting a right is left to M(ansible.windows.win_user_right).
options:
  rights:
    description:
    - The user right constants to report.
    - The default is Log on as a service, Log on as a batch job, Allow log on locally and their three Deny twins.
    - An entry that is not a right constant (C(Se...Right) or C(Se...Privilege)) fails the module.
    type: list
    elements: str
    default:
    - SeServiceLogonRight
    - SeBatchLogonRight
    - SeInteractiveLogonRight
    - SeDenyServiceLogonRight
    - SeDenyBatchLogonRight
    - SeDenyInteractiveLogonRight
notes:
- Reading RSoP needs administrative rights, and RSoP holds data only after a Group Policy refresh in a domain.
  When it cannot be read the module warns and reports RV(rsop_available=false) rather than failing.
- The local security policy (C(secpol.msc)) is not a GPO; its effect shows in the holders, not in the C(gpo) entry of a right.
- A SID that cannot be translated (for example a deleted account) is returned with C(name=null) and a warning.
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
- module: ansible.windows.win_user_right
- module: hybrid_identity.entra_sync.agent_host_info
author:
- hybrid_identity maintainers (@hybrid-identity)
'''

EXAMPLES = r'''
- name: Read the logon rights the provisioning agent depends on
  hybrid_identity.entra_sync.logon_right_info:
  register: logon_rights

- name: Say which GPO sets Log on as a service, if any
  ansible.builtin.debug:
    msg: >-
      {{ logon_rights.rights.SeServiceLogonRight.gpo.name | default('no GPO', true) }}
      holds {{ logon_rights.rights.SeServiceLogonRight.holders | map(attribute='sid') | list }}

- name: Read only Log on as a service
  hybrid_identity.entra_sync.logon_right_info:
    rights:
      - SeServiceLogonRight
'''

RETURN = r'''
rights:
  description:
  - One entry per requested right, keyed by the right constant (for example C(SeServiceLogonRight)).
  returned: always
  type: dict
  sample:
    SeServiceLogonRight:
      name: SeServiceLogonRight
      display_name: Log on as a service
      holders:
      - sid: S-1-5-80-0
        name: NT SERVICE\ALL SERVICES
      gpo:
        defined: true
        name: Tier0 Server Hardening
        id: '{31B2F340-016D-11D2-945F-00C04FB984F9}'
        precedence: 1
        account_list:
        - BUILTIN\Administrators
  contains:
    SeServiceLogonRight: &right
      description:
      - The right named by the key. Every requested right has an entry of this shape, also those not listed here.
      returned: when requested (all six by default)
      type: dict
      contains:
        name:
          description: The right constant.
          type: str
          sample: SeServiceLogonRight
        display_name:
          description: The name the Local Security Policy editor shows, C(null) for a right this module has no name for.
          type: str
          sample: Log on as a service
        holders:
          description: Accounts that hold the right on this host.
          type: list
          elements: dict
          contains:
            sid:
              description: The account's SID.
              type: str
              sample: S-1-5-80-0
            name:
              description: The account's name, C(null) when the SID cannot be translated.
              type: str
              sample: NT SERVICE\ALL SERVICES
        gpo:
          description: The winning domain GPO that defines the right; C(defined=false) and nulls when none does.
          type: dict
          contains:
            defined:
              description: Whether a domain GPO defines this right.
              type: bool
              sample: true
            name:
              description: Display name of the GPO.
              type: str
              sample: Tier0 Server Hardening
            id:
              description: The GPO's GUID (or the raw RSoP GPO id when it holds no GUID).
              type: str
              sample: '{31B2F340-016D-11D2-945F-00C04FB984F9}'
            precedence:
              description: RSoP precedence of the setting (1 is the winner).
              type: int
              sample: 1
            account_list:
              description: The accounts the GPO sets, as written in the GPO (names or C(*S-1-...) SIDs).
              type: list
              elements: str
              sample: [BUILTIN\Administrators]
    SeBatchLogonRight: *right
    SeInteractiveLogonRight: *right
    SeDenyServiceLogonRight: *right
    SeDenyBatchLogonRight: *right
    SeDenyInteractiveLogonRight: *right
rsop_available:
  description:
  - Whether RSoP could be read. False on a workgroup host or when RSoP could not be read; then
    C(gpo.defined) is false for every right because it is not known, not because no GPO defines it.
  returned: always
  type: bool
  sample: true
'''

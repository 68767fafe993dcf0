#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
---
module: service_account_info
short_description: Report the logon account of services and that account's status
version_added: 0.1.0
description:
- For each named service (for example C(ADSync) of Entra Connect Sync, or C(AADConnectProvisioningAgent)),
  returns the logon account, the managed-account flag (C(sc.exe qmanagedaccount)) and the account's status,
  that is disabled, locked out, expired, password expired, must change password at next logon.
- These are the account conditions behind Service Control Manager event 7038 and a service that will not start.
- Domain accounts are read over LDAP (no RSAT module needed), local accounts through the WinNT provider.
  Built-in and virtual accounts (C(LocalSystem), C(NT SERVICE\...)) have no status; their status fields are C(null).
- Read-only.
options:
  name:
    description:
    - Names of the services to report.
    - A service that does not exist is reported with C(exists=false), not as a failure.
    type: list
    elements: str
    required: true
notes:
- C(must_change_password) is true for a domain user whose C(pwdLastSet) is 0. For a local user the WinNT provider
  does not separate "must change" from "expired"; a zero password age is reported as must change.
- A change to a service account's password must also be set in the service (C(ansible.windows.win_service)).
- When O(domain_server) is not set, this module binds to the domain named in the logon account
  (C(CONTOSO\svc-adsync) is read from C(LDAP://CONTOSO)), not to the domain of the computer.
- C(pwdLastSet) and C(accountExpires) arrive from ADSI as two signed 32-bit halves; they are joined by their bytes,
  so a negative low half (C(accountExpires) "never", C(0x7FFFFFFFFFFFFFFF), and about half of all C(pwdLastSet)
  values) reads correctly. C(accountExpires) of 0 or C(0x7FFFFFFFFFFFFFFF) means never.
- Nothing is judged from nothing read. A bind or search that fails gives C(kind=unknown), every status C(null) and a
  warning; an attribute the bind may not read (for example C(msDS-User-Account-Control-Computed)) leaves the
  statuses that depend on it C(null), with a warning.
- The bind password is passed to C(DirectoryEntry) inside a C(System.Net.NetworkCredential) built by a .NET
  constructor, never as a command parameter, so PowerShell Module Logging (event 4103) does not record it.
- Confirmed by Pester on a simulated Windows (C(tests/unit/powershell/service_account_info.Tests.ps1)), with the
  commands' parameter sets taken from PSScriptAnalyzer's Windows PowerShell 5.1 profiles. A real host still has to
  confirm the ADSI calls themselves (C(DirectoryEntry)/C(DirectorySearcher), C(RefreshCache) of the constructed
  attribute, C(IADsLargeInteger) through C(InvokeMember)), the WinNT provider's property names, and the label
  C(sc.exe qmanagedaccount) prints.
extends_documentation_fragment:
- hybrid_identity.entra_sync.domain_connection
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
- module: ansible.windows.win_service_info
- module: hybrid_identity.entra_sync.logon_right_info
author:
- hybrid_identity maintainers (@hybrid-identity)
'''

EXAMPLES = r'''
- name: Check the Entra Connect Sync service account
  hybrid_identity.entra_sync.service_account_info:
    name: ADSync
  register: adsync

- name: Check both services, reading AD with an explicit account
  hybrid_identity.entra_sync.service_account_info:
    name:
      - ADSync
      - AADConnectProvisioningAgent
    domain_username: CONTOSO\svc-reader
    domain_password: '{{ reader_password }}'
'''

RETURN = r'''
services:
  description: One entry per requested service, in the order asked.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The service name.
      type: str
      sample: ADSync
    exists:
      description:
      - Whether the service exists; C(null) when neither C(Win32_Service) nor the service control manager could
        say (with a warning), never C(false) from a read that failed.
      type: bool
      sample: true
    state:
      description: C(Running), C(Stopped), ...; C(null) when the service does not exist.
      type: str
      sample: Running
    start_mode:
      description: C(Auto), C(Manual), C(Disabled).
      type: str
      sample: Auto
    start_name:
      description: The logon account as the service configuration holds it.
      type: str
      sample: CONTOSO\svc-adsync
    managed_account:
      description: The C(sc.exe qmanagedaccount) flag; C(null) when unreadable.
      type: bool
      sample: false
    account:
      description: The logon account and its status; C(null) when the service does not exist.
      type: dict
      contains:
        name:
          description: The account name (translated from its SID when possible).
          type: str
          sample: CONTOSO\svc-adsync
        sid:
          description: The account's SID, C(null) when the name cannot be translated.
          type: str
          sample: S-1-5-21-3623811015-3361044348-30300820-1612
        kind:
          description:
          - C(user), C(gmsa) (group or standalone managed service account), C(virtual) (C(NT SERVICE\...)),
            C(builtin) (C(LocalSystem), C(NT AUTHORITY\...)) or C(unknown) (status could not be read).
          type: str
          sample: user
        enabled:
          description: Whether the account is enabled; C(null) when not applicable or unreadable.
          type: bool
          sample: true
        locked_out:
          description: Whether the account is locked out.
          type: bool
          sample: false
        expired:
          description: Whether the account's expiry date has passed.
          type: bool
          sample: false
        password_expired:
          description: Whether the password has expired.
          type: bool
          sample: false
        must_change_password:
          description: Whether the password must be changed at next logon.
          type: bool
          sample: false
        password_last_set:
          description: When the password was last set (ISO 8601, UTC), C(null) when never or unreadable.
          type: str
          sample: '2025-01-15T10:22:03Z'
        account_expires:
          description: When the account expires (ISO 8601, UTC), C(null) when never.
          type: str
          sample: null
'''

#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
---
module: gmsa_host
short_description: Test, install or uninstall a group managed service account on this host
version_added: 0.1.0
description:
- Reports whether a group managed service account (gMSA) is usable on this host (C(Test-ADServiceAccount)),
  whether it is installed here, the Kerberos encryption types of the host and of the account and their overlap,
  and whether this computer is allowed to retrieve the account's password (directly or through a group).
- With O(state=present) installs the account on the host (C(Install-ADServiceAccount)) when it is not both
  installed and usable; with O(state=absent) uninstalls it from the host. The AD object itself is not created or
  changed; use M(microsoft.ad.service_account) for that.
- The facts explain the common failures of the agent's gMSA set-up, for example
  C(The provided context did not match the target) (no common encryption type) and C(Access Denied)
  (the computer may not retrieve the password).
options:
  name:
    description:
    - The gMSA's sAMAccountName. The trailing C($) is added when missing; a C(DOMAIN\) prefix is dropped.
    type: str
    required: true
  state:
    description:
    - V(query) only reports.
    - V(present) installs the gMSA on this host when it is not installed and usable.
    - V(absent) uninstalls it from this host.
    type: str
    choices: [query, present, absent]
    default: query
  domain_server:
    description:
    - Domain controller to read the account from.
    type: str
  domain_username:
    description:
    - Account used to read AD. Without it the connection user's credential is used, which a WinRM network
      logon cannot pass on to a domain controller (use C(become) or this option).
    type: str
  domain_password:
    description:
    - Password of O(domain_username).
    type: str
notes:
- Needs the ActiveDirectory PowerShell module (RSAT-AD-PowerShell). Without it the AD facts are C(null) with a
  warning, and O(state=present) or O(state=absent) fails.
- A computer added to a group allowed to retrieve the password only gets the new membership in its Kerberos
  ticket after a reboot (or C(klist purge -li 0x3e7)); until then RV(can_retrieve_password) can be true while
  RV(usable) is false.
- When the host has no C(SupportedEncryptionTypes) policy value, the overlap assumes the OS default (RC4, AES128, AES256).
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
- module: microsoft.ad.service_account
- module: microsoft.ad.kds_root_key
author:
- hybrid_identity maintainers (@hybrid-identity)
'''

EXAMPLES = r'''
- name: Test the agent's default gMSA on this host
  hybrid_identity.entra_sync.gmsa_host:
    name: provAgentgMSA
  register: gmsa

- name: Install a custom gMSA on this host
  hybrid_identity.entra_sync.gmsa_host:
    name: gmsa-cloudsync$
    state: present
'''

RETURN = r'''
name:
  description: The sAMAccountName tested (with the trailing C($)).
  returned: always
  type: str
  sample: provAgentgMSA$
exists:
  description: Whether the account exists in AD; C(null) when AD could not be read.
  returned: always
  type: bool
  sample: true
usable:
  description: The result of C(Test-ADServiceAccount); C(null) when AD could not be read.
  returned: always
  type: bool
  sample: true
installed:
  description: Whether the account is installed on this host (C(NetIsServiceAccount)).
  returned: always
  type: bool
  sample: true
host_encryption_types:
  description: The host's C(SupportedEncryptionTypes) policy value, C(null) when not set.
  returned: always
  type: int
  sample: 2147483672
account_encryption_types:
  description: The account's C(msDS-SupportedEncryptionTypes), C(null) when not set or unreadable.
  returned: always
  type: int
  sample: 24
encryption_overlap:
  description: The encryption type bits both support (DES, RC4, AES128, AES256 bits only).
  returned: always
  type: int
  sample: 24
encryption_types_compatible:
  description: Whether the overlap is not empty.
  returned: always
  type: bool
  sample: true
can_retrieve_password:
  description: Whether this computer, or a group it belongs to, is allowed to retrieve the password.
  returned: always
  type: bool
  sample: true
principals_allowed_to_retrieve:
  description: The principals allowed to retrieve the password, as DOMAIN\name where they translate.
  returned: always
  type: list
  elements: str
  sample: [CONTOSO\SYNC01$]
'''

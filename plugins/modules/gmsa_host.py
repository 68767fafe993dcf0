#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
---
module: gmsa_host
short_description: Install or uninstall a group managed service account on this host
version_added: 0.1.0
description:
- With O(state=present) installs a group managed service account (gMSA) on this host (C(Install-ADServiceAccount))
  when it is not installed (an installed gMSA that is not usable is reported with a warning, not reinstalled); with O(state=absent) uninstalls it from this host
  (C(Uninstall-ADServiceAccount)). The AD object itself is not created or changed; use
  M(microsoft.ad.service_account) for that.
- Returns the same facts as M(hybrid_identity.entra_sync.gmsa_host_info), read before the change, with
  RV(installed) and RV(usable) as they are after it.
- Fails without changing anything when the account does not exist in AD, or when that could not be read
  (the message says the existence is unknown and why, never "not found").
options:
  name:
    description:
    - The gMSA's sAMAccountName. The trailing C($) is added when missing; a C(DOMAIN\) prefix is dropped.
    type: str
    required: true
  state:
    description:
    - V(present) installs the gMSA on this host when it is not installed.
    - V(absent) uninstalls it from this host.
    - V(query) only reads; it is deprecated and will be removed in 2.0.0, use
      M(hybrid_identity.entra_sync.gmsa_host_info) instead.
    - The default was V(query) before M(hybrid_identity.entra_sync.gmsa_host_info) existed.
    type: str
    choices: [present, absent, query]
    default: present
notes:
- A computer added to a group allowed to retrieve the password only gets the new membership in its Kerberos
  ticket after a reboot (or C(klist purge -li 0x3e7)); until then RV(can_retrieve_password) can be true while
  RV(usable) is false.
- The module returns the raw encryption type numbers; whether the host's and the account's types overlap is
  judged by the collection's controller-side rules (the OS default RC4, AES128, AES256 applies when the host has
  no C(SupportedEncryptionTypes) policy value).
- B(How this was checked.) The PowerShell runs under Pester on a simulated Windows (C(tests/windows_sim), with
  the ActiveDirectory cmdlets with the parameter sets of their Microsoft Learn reference pages, incl.
  C(ADIdentityNotFoundException) and C(ADServerDownException)), and is analysed with PSScriptAnalyzer against the
  Windows PowerShell 5.1 profiles of Server 2016 and 2019. Still to confirm on a real host, the become-as-SYSTEM
  behaviour of C(Test-ADServiceAccount), the exact texts of the AD errors, and C(NetIsServiceAccount) for a gMSA
  installed by another tool.
extends_documentation_fragment:
- hybrid_identity.entra_sync.domain_connection
- hybrid_identity.entra_sync.gmsa_host_identity
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
- module: hybrid_identity.entra_sync.gmsa_host_info
- module: microsoft.ad.service_account
- module: microsoft.ad.kds_root_key
author:
- hybrid_identity maintainers (@hybrid-identity)
'''

EXAMPLES = r'''
- name: Install a custom gMSA on this host, as the computer account
  hybrid_identity.entra_sync.gmsa_host:
    name: gmsa-cloudsync$
    state: present
  become: true
  become_method: runas
  become_user: SYSTEM
'''

RETURN = r'''
name:
  description: The sAMAccountName tested (with the trailing C($)).
  returned: always
  type: str
  sample: provAgentgMSA$
exists:
  description: Whether the account exists in AD; C(null) when AD could not be read (see RV(ad_error)).
  returned: always
  type: bool
  sample: true
usable:
  description:
  - The result of C(Test-ADServiceAccount) for the user the module runs as (SYSTEM, that is the computer).
  - C(false) when the account does not exist; C(null) when the test failed.
  returned: always
  type: bool
  sample: true
installed:
  description: Whether the account is installed on this host (C(NetIsServiceAccount)); C(null) when that failed.
  returned: always
  type: bool
  sample: true
host_encryption_types:
  description: The host's raw C(SupportedEncryptionTypes) policy value (unsigned), C(null) when not set.
  returned: always
  type: int
  sample: 2147483672
account_encryption_types:
  description: The account's raw C(msDS-SupportedEncryptionTypes), C(null) when not set or unreadable.
  returned: always
  type: int
  sample: 24
can_retrieve_password:
  description:
  - Whether this computer, or a group it belongs to (C(tokenGroups)), is allowed to retrieve the password.
  - C(null) when the computer's groups, or one of the allowed principals, could not be read.
  returned: always
  type: bool
  sample: true
principals_allowed_to_retrieve:
  description: The principals allowed to retrieve the password, as DOMAIN\name where they translate, else their DN.
  returned: always
  type: list
  elements: str
  sample: [CONTOSO\AGENT01$]
ad_module_available:
  description: Whether the ActiveDirectory PowerShell module could be loaded.
  returned: always
  type: bool
  sample: true
ad_error:
  description: The raw error of the AD read that failed (module load or C(Get-ADServiceAccount)), C(null) when none failed.
  returned: always
  type: dict
  sample: {types: [Microsoft.ActiveDirectory.Management.ADServerDownException], message: Unable to contact the server.}
  contains:
    types:
      description: The exception type names, outermost first.
      type: list
      elements: str
    message:
      description: The exception message.
      type: str
install_error:
  description: The raw error of C(Install-ADServiceAccount) when it failed.
  returned: when the install failed
  type: dict
  sample: {types: [Microsoft.ActiveDirectory.Management.ADException], message: "Cannot install service account. Error Message: 'Access Denied'."}
  contains:
    types:
      description: The exception type names, outermost first.
      type: list
      elements: str
    message:
      description: The exception message.
      type: str
'''

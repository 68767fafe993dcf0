#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
---
module: gmsa_host_info
short_description: Read what this host and AD show about a group managed service account
version_added: 0.1.0
description:
- Reads, for one group managed service account (gMSA), whether it exists in AD, whether it is installed on this
  host and usable here (C(Test-ADServiceAccount)), the raw Kerberos encryption types of the host and of the
  account, who may retrieve its password, and whether this computer is one of them (directly or through a group).
- Changes nothing. M(hybrid_identity.entra_sync.gmsa_host) installs the account.
- The facts explain the common failures of the agent's gMSA set-up, for example
  C(The provided context did not match the target) (no common encryption type) and C(Access Denied)
  (the computer may not retrieve the password).
options:
  name:
    description:
    - The gMSA's sAMAccountName. The trailing C($) is added when missing; a C(DOMAIN\) prefix is dropped.
    type: str
    required: true
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
    support: none
  platform:
    platforms:
    - windows
seealso:
- module: hybrid_identity.entra_sync.gmsa_host
- module: microsoft.ad.service_account
author:
- hybrid_identity maintainers (@hybrid-identity)
'''

EXAMPLES = r'''
- name: Read the agent's default gMSA as this computer sees it
  hybrid_identity.entra_sync.gmsa_host_info:
    name: provAgentgMSA
  become: true
  become_method: runas
  become_user: SYSTEM
  register: gmsa
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
'''

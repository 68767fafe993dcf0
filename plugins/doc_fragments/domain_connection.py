# -*- coding: utf-8 -*-

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:

    # How a module reaches Active Directory: the options microsoft.ad names the same way.
    # The spec is plugins/module_utils/_DomainConnection.psm1 (Get-EntraSyncDomainConnectionSpec).
    DOCUMENTATION = r'''
options:
  domain_server:
    description:
    - The domain controller (or domain) to read Active Directory from, as an FQDN or NetBIOS name.
    - When not set, the domain of the computer running the module is used.
    - Can be set once for the modules that take it with the C(group/hybrid_identity.entra_sync.domain)
      module defaults group.
    type: str
  domain_username:
    description:
    - The account used to read Active Directory.
    - When not set, the account the module runs as is used. Over a plain WinRM network logon (NTLM or Kerberos
      without delegation) that account cannot authenticate to a domain controller (the double hop); use
      C(become) or set this option.
    - Requires O(domain_password).
    type: str
  domain_password:
    description:
    - The password of O(domain_username).
    - It is turned into a credential with .NET method calls only, so PowerShell Module Logging (event 4103)
      does not record it as a command parameter.
    type: str
'''

# -*- coding: utf-8 -*-

# Copyright: (c) 2025, hybrid_identity.entra_sync contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:

    # What gmsa_host and gmsa_host_info need of the account they run as and of the host.
    DOCUMENTATION = r'''
options: {}
notes:
- B(Run it as SYSTEM.) C(Test-ADServiceAccount) and C(Install-ADServiceAccount) take no C(-Credential) and no
  C(-Server), so they act as the user the module runs as, and the principal that must retrieve the gMSA password is
  the computer account. Over a plain WinRM network logon they would also hit the double hop. Set the task
  keywords C(become) to C(true), C(become_method) to C(runas) and C(become_user) to C(SYSTEM), as the
  ansible.windows modules that need a full logon ask for it; the roles of this collection do (their
  C(entra_sync_become) variable). Run as any other user the module warns, since the answers are then that user's.
  The module does not declare C(#AnsibleRequires -Become), which would force a become wrapper that exists only on
  Windows, and would hide from the task which account it runs as. O(domain_username) and O(domain_password) only apply to the AD reads
  (C(Get-ADServiceAccount), C(Get-ADComputer), C(Get-ADObject)).
- Needs the ActiveDirectory PowerShell module (RSAT-AD-PowerShell). Without it, or when no domain controller
  answers, the AD facts are C(null) (unknown, never "not found") with a warning and the raw error in RV(ad_error).
'''

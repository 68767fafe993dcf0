# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the controller makes of the raw Windows values the modules return."""
from __future__ import annotations

import pytest

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _windows


@pytest.mark.parametrize('host, account, overlap', [
    (None, 0x18, 0x18),           # policy value absent: the Windows default RC4|AES128|AES256
    (0x04, 0x18, 0),              # RC4-only host, AES-only gMSA: no ticket possible
    (0x80000018, 0x18, 0x18),     # the high "future encryption types" bit is not an encryption type
    (0x1F, 0x04, 0x04),
])
def test_encryption_overlap_from_raw_bits(host, account, overlap):
    assert _windows.encryption_overlap(host, account) == overlap


def test_encryption_type_names():
    assert _windows.encryption_type_names(0x18) == 'AES128,AES256'
    assert _windows.encryption_type_names(0) == 'none'


@pytest.mark.parametrize('start_name, kind', [
    ('CONTOSO\\provAgentgMSA$', 'gmsa'), ('NT SERVICE\\AADConnectProvisioningAgent', 'virtual'),
    ('LocalSystem', 'builtin'), ('NT AUTHORITY\\NetworkService', 'builtin'), ('CONTOSO\\svc-adsync', 'user'),
    ('', 'unknown'), (None, 'unknown'),
])
def test_account_kind_from_the_start_name(start_name, kind):
    assert _windows.account_kind(start_name) == kind


def test_holders_match_by_sid_full_name_or_name_without_domain():
    holders = [{'sid': 'S-1-5-80-0', 'name': 'NT SERVICE\\ALL SERVICES'}, {'sid': 'S-1-5-21-1-2-3-1612', 'name': 'CONTOSO\\svc-adsync'}]
    assert _windows.has_all_services(holders)
    assert _windows.has_all_services(['*S-1-5-80-0'])          # secedit spelling
    assert not _windows.has_all_services(['BUILTIN\\Administrators'])
    assert _windows.holds(holders, 'svc-adsync') and _windows.holds(holders, 'contoso\\SVC-ADSYNC')
    assert _windows.holds(holders, 'CONTOSO\\renamed', ['S-1-5-21-1-2-3-1612'])
    assert not _windows.holds(holders, 'CONTOSO\\other')


def test_broad_groups_in_a_deny_right_are_named():
    assert _windows.broad_denied([{'sid': 'S-1-1-0', 'name': 'Everyone'}, {'sid': 'S-1-5-32-544'}]) == ['Everyone']
    assert _windows.broad_denied(['NT AUTHORITY\\Authenticated Users']) == ['NT AUTHORITY\\Authenticated Users']
    assert _windows.broad_denied([{'sid': 'S-1-5-21-1-2-3-500', 'name': 'CONTOSO\\Administrator'}]) == []


def test_deny_twin():
    assert _windows.deny_twin('SeBatchLogonRight') == 'SeDenyBatchLogonRight'

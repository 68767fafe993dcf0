# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hybrid_identity.entra_sync.plugins.filter.catalog import FilterModule


@pytest.fixture
def filters():
    return FilterModule().filters()


def test_cloud_endpoints_filter(filters):
    rows = filters['cloud_endpoints']('us_government', port=443)
    assert rows and all(r['port'] == 443 for r in rows)


def test_probe_targets_as_strings(filters):
    targets = filters['cloud_probe_targets']('public', as_strings=True)
    assert 'login.microsoftonline.com:443' in targets
    assert all(':' in t and '*' not in t for t in targets)


def test_cloud_info_has_installer_properties(filters):
    assert filters['cloud_info']('us_government')['installer_properties'] == {'ENVIRONMENTNAME': 'AzureUSGovernment'}


def test_unknown_cloud_raises_filter_error(filters):
    with pytest.raises(AnsibleFilterError, match='Unknown cloud'):
        filters['cloud_endpoints']('mars')

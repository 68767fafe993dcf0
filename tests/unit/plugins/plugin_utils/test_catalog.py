# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _catalog


def test_clouds_and_installer_environment_name():
    assert _catalog.cloud_names() == ['AzureCloud', 'AzureUSGovernment']
    assert _catalog.get_cloud('AzureCloud')['environment_name'] is None
    assert _catalog.installer_properties('AzureCloud') == {}
    assert _catalog.installer_properties('AzureUSGovernment') == {'ENVIRONMENTNAME': 'AzureUSGovernment'}


@pytest.mark.parametrize('old, new', [('public', 'AzureCloud'), ('us_government', 'AzureUSGovernment'),
                                      ('azureusgovernment', 'AzureUSGovernment')])
def test_deprecated_cloud_names_still_resolve(old, new):
    assert _catalog.get_cloud(old)['name'] == new


def test_sign_in_authority_per_cloud():
    assert _catalog.get_cloud('public')['authority'] == 'https://login.microsoftonline.com'
    assert _catalog.get_cloud('us_government')['authority'] == 'https://login.microsoftonline.us'


def test_unknown_cloud_is_a_clear_error():
    with pytest.raises(_catalog.UnknownCloudError, match='Unknown cloud'):
        _catalog.get_cloud('china')


@pytest.mark.parametrize('cloud', ['public', 'us_government'])
def test_every_wildcard_row_names_a_concrete_probe_host(cloud):
    rows = _catalog.endpoints(cloud)
    assert rows
    for row in rows:
        assert row['port'] in (80, 443)
        assert row['probe_host'] and '*' not in row['probe_host']
        if row['wildcard']:
            assert row['probe_host'].endswith(row['host'].lstrip('*'))


def test_both_disagreeing_microsoft_lists_are_kept_with_their_source():
    rows = _catalog.endpoints('public')
    sources = {r['source'] for r in rows}
    assert sources == {'prerequisites', 'troubleshoot'}
    prereq = {r['host'] for r in _catalog.endpoints('public', 'prerequisites')}
    trouble = {r['host'] for r in _catalog.endpoints('public', ['troubleshoot'])}
    assert '*.msappproxy.net' in prereq and '*.msappproxy.net' not in trouble
    assert '*.msauth.net' in trouble and '*.msauth.net' not in prereq
    assert all(r['source_url'].startswith('https://learn.microsoft.com/') for r in rows)


def test_us_government_endpoints_are_the_us_ones():
    hosts = {r['host'] for r in _catalog.endpoints('us_government', 'prerequisites')}
    assert {'*.msappproxy.us', '*.servicebus.usgovcloudapi.net', 'login.windows.us', '*.microsoftonline.us',
            'mscrl.microsoft.us', 'crl.microsoft.us', 'ocsp.msocsp.us', 'www.microsoft.us'} == hosts


def test_port_filter_and_probe_targets_are_unique():
    assert all(r['port'] == 80 for r in _catalog.endpoints('public', port=80))
    targets = _catalog.probe_targets('public')
    keys = [(t['host'], t['port']) for t in targets]
    assert len(keys) == len(set(keys))
    login = [t for t in targets if t['host'] == 'login.microsoftonline.com'][0]
    assert '*.microsoftonline.com' in login['stands_for']


def test_bad_source_rejected():
    with pytest.raises(ValueError):
        _catalog.endpoints('public', 'blog')

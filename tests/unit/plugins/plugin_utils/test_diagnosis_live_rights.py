"""Logon rights read again after a failure decide between a local and a GPO cause."""

from __future__ import annotations

import pytest

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils._diagnosis import diagnose

BURN_1603 = ("Error 0x80070643: Failed to install MSI package.\n"
             "Applied execute package: AADConnectProvisioningAgent, result: 0x80070643, restart: None\n")


def evidence(rights=None):
    result = {'events': [], 'managed_accounts': [],
              'files': [{'path': 'C:\\Windows\\Temp\\burn.log', 'kind': 'burn_log', 'size': len(BURN_1603),
                         'truncated': False, 'content': BURN_1603}]}
    if rights is not None:
        result['rights'] = rights
    return result


def service_right(holders, gpo_name=None):
    return {'SeServiceLogonRight': {
        'name': 'SeServiceLogonRight', 'display_name': 'Log on as a service', 'holders': holders,
        'gpo': {'defined': gpo_name is not None, 'name': gpo_name, 'id': '{6AC1786C-016F-11D2-945F-00C04FB984F9}'
                if gpo_name else None, 'precedence': 1 if gpo_name else None, 'account_list': []}}}


ADMINS = [{'sid': 'S-1-5-32-544', 'name': 'BUILTIN\\Administrators'}]
ALL_SERVICES = [{'sid': 'S-1-5-80-0', 'name': 'NT SERVICE\\ALL SERVICES'}]


@pytest.mark.parametrize('rights, expected', [
    (service_right(ADMINS, gpo_name='Tier0 Server Hardening'), 'service_logon_right_removed_by_gpo'),
    (service_right(ADMINS), 'service_logon_right_missing_all_services'),
])
def test_installer_failure_is_explained_by_the_rights_as_they_are_now(rights, expected):
    causes = diagnose(agent_evidence=evidence(rights))['root_causes']
    assert causes[0]['id'] == expected
    assert any('SeServiceLogonRight' in item['text'] for item in causes[0]['evidence'])


def test_the_gpo_is_named_in_the_evidence():
    causes = diagnose(agent_evidence=evidence(service_right(ADMINS, gpo_name='Tier0 Server Hardening')))['root_causes']
    assert any('Tier0 Server Hardening' in item['text'] for item in causes[0]['evidence'])


def test_rights_that_hold_all_services_do_not_invent_a_logon_right_cause():
    causes = diagnose(agent_evidence=evidence(service_right(ALL_SERVICES, gpo_name='Tier0 Server Hardening')))
    assert [c['id'] for c in causes['root_causes']] == ['installer_failed_unknown']


def test_malformed_rights_become_an_input_warning_not_a_crash():
    result = diagnose(agent_evidence=evidence({'SeServiceLogonRight': 'not a dict'}))
    record = [r for r in result['inputs'] if r['path'].endswith('logon_right_info')][0]
    assert record['warnings']

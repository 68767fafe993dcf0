# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sync_services action: what the connect_sync_services role gets back to act on."""
from __future__ import annotations

import copy

from ansible_collections.hybrid_identity.entra_sync.plugins.action.sync_services import ActionModule as SyncServices

from action_harness import fixture, make

ADSYNC_SID = 'S-1-5-21-3623811015-3361044348-30300820-1612'


def adsync_service(**account):
    result = copy.deepcopy(fixture('service_account_info', 'adsync_password_expired'))
    result['services'][0]['account'].update(password_expired=False, **account)
    return result


def run(service_info, rights, **args):
    action, calls = make(SyncServices, dict(args, service_info=service_info, logon_rights=rights), {})
    return action.run(task_vars={'inventory_hostname': 'aadc01'})


def test_gathers_the_service_and_the_six_rights():
    action, calls = make(SyncServices, {}, {'service_account_info': adsync_service(),
                                            'logon_right_info': fixture('logon_right_info', 'adsync_rights_missing')})
    action.run(task_vars={})
    assert calls[0] == ('hybrid_identity.entra_sync.service_account_info', {'name': ['ADSync']})
    assert sorted(calls[1][1]['rights']) == sorted([
        'SeServiceLogonRight', 'SeBatchLogonRight', 'SeInteractiveLogonRight',
        'SeDenyServiceLogonRight', 'SeDenyBatchLogonRight', 'SeDenyInteractiveLogonRight'])


def test_missing_local_rights_are_planned_as_grants_to_the_account_sid():
    res = run(adsync_service(), fixture('logon_right_info', 'adsync_rights_missing'))
    assert res['blockers'] == ['sync_service_account_rights_missing']
    assert [(r['right'], r['account']) for r in res['repairs']] == [
        ('SeBatchLogonRight', ADSYNC_SID), ('SeInteractiveLogonRight', ADSYNC_SID)]
    assert res['message'].startswith('ADSync on aadc01:')


def test_a_right_a_gpo_defines_is_named_with_its_gpo_and_never_granted_locally():
    rights = copy.deepcopy(fixture('logon_right_info', 'adsync_rights_missing'))
    rights['rights']['SeBatchLogonRight']['gpo'] = {
        'defined': True, 'name': 'Tier0 Baseline', 'id': '{GUID}', 'precedence': 1, 'account_list': ['BUILTIN\\Administrators']}
    res = run(adsync_service(), rights)
    assert res['blockers'] == ['sync_service_account_right_removed_by_gpo', 'sync_service_account_rights_missing']
    assert [r['right'] for r in res['repairs']] == ['SeInteractiveLogonRight']
    gpo = [f for f in res['findings'] if f['id'] == 'sync_service_account_right_removed_by_gpo'][0]
    assert "GPO 'Tier0 Baseline'" in gpo['evidence'][0]['text'] and 'Log on as a batch job' in gpo['evidence'][0]['text']


def test_account_status_and_a_missing_service():
    res = run(fixture('service_account_info', 'adsync_password_expired'), fixture('logon_right_info', 'healthy'),
              plan_repairs=False)
    status = [f for f in res['findings'] if f['id'] == 'service_account_disabled_or_expired']
    assert status and 'password expired' in status[0]['evidence'][0]['text'] and res['repairs'] == []
    res = run(fixture('service_account_info', 'service_missing'), {'rights': {}})
    assert res['blockers'] == ['sync_service_missing'] and res['healthy'] is False


def test_a_healthy_service_says_nothing():
    rights = copy.deepcopy(fixture('logon_right_info', 'adsync_rights_missing'))
    holder = {'sid': ADSYNC_SID, 'name': 'CONTOSO\\svc-adsync'}
    for name in ('SeBatchLogonRight', 'SeInteractiveLogonRight'):
        rights['rights'][name]['holders'].append(holder)
    rights['rights']['SeDenyInteractiveLogonRight']['holders'] = []
    res = run(adsync_service(), rights)
    assert res['healthy'] is True and res['findings'] == [] and res['repairs'] == [] and res['message'] == ''


def test_a_denied_account_is_a_blocker_without_a_grant():
    rights = copy.deepcopy(fixture('logon_right_info', 'adsync_rights_missing'))
    holder = {'sid': ADSYNC_SID, 'name': 'CONTOSO\\svc-adsync'}
    for name in ('SeBatchLogonRight', 'SeInteractiveLogonRight'):
        rights['rights'][name]['holders'].append(holder)
    rights['rights']['SeDenyServiceLogonRight']['holders'] = [holder]
    res = run(adsync_service(), rights)
    assert res['blockers'] == ['sync_service_account_rights_missing'] and res['repairs'] == []
    assert 'is denied' in res['findings'][0]['evidence'][-1]['text']

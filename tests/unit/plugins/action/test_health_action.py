# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The health action with a fake _execute_module: round trips, exit status, reports, since."""
from __future__ import annotations

import datetime
import json
import os

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.hybrid_identity.entra_sync.plugins.action.health import ActionModule as Health

from action_harness import fixture
from action_harness import make as make_action

NS = 'hybrid_identity.entra_sync.'


def healthy_modules():
    evidence = fixture('agent_evidence', 'healthy')
    evidence['events'] = []
    return {'agent_host_info': fixture('agent_host_info', 'healthy_installed_registered'),
            'logon_right_info': fixture('logon_right_info', 'healthy_registered'),
            'agent_evidence': evidence}


def make(args, modules):
    return make_action(Health, args, modules)


def test_healthy_agent_three_round_trips_nothing_reported(tmp_path):
    action, calls = make({'report_dir': str(tmp_path), 'min_version': '1.1.1586.0'}, healthy_modules())
    res = action.run(task_vars={'inventory_hostname': 'sync01'})
    assert [c[0] for c in calls] == [NS + 'agent_host_info', NS + 'logon_right_info', NS + 'agent_evidence']
    assert calls[1][1] == {'rights': ['SeServiceLogonRight', 'SeDenyServiceLogonRight']}
    ev_args = calls[2][1]
    assert ev_args['services'] == ['AADConnectProvisioningAgent'] and ev_args['trace_files'] == 0
    assert ev_args['include_installer_logs'] is False and ev_args['since'].endswith('Z')
    assert res['healthy'] is True and res['findings'] == [] and res['status'] == 'healthy'
    assert res.get('failed') is not True and res['changed'] is False and res['repairs'] == []
    assert res['since_from'] == 'last 24 hours'
    assert sorted(os.listdir(tmp_path)) == ['report.json', 'report.junit.xml']
    report = json.loads((tmp_path / 'report.json').read_text())
    assert report['summary']['healthy'] is True and report['hosts'] == ['sync01']


def test_blocker_fails_the_task_warning_does_not():
    mods = healthy_modules()
    next(s for s in mods['agent_host_info']['services'] if s['role'] == 'updater')['state'] = 'Stopped'
    action = make({}, mods)[0]
    res = action.run(task_vars={'inventory_hostname': 'sync01'})
    assert res.get('failed') is not True and res['status'] == 'warning'
    assert res['warnings_ids'] == ['agent_updater_not_running']
    assert res['repairs'] == [{'id': 'agent_updater_not_running', 'action': 'start_service',
                               'service': 'AzureADConnectAgentUpdater'}]

    next(s for s in mods['agent_host_info']['services'] if s['role'] == 'agent')['state'] = 'Stopped'
    action = make({}, mods)[0]
    res = action.run(task_vars={'inventory_hostname': 'sync01'})
    assert res['failed'] is True and 'agent_service_not_running' in res['msg']
    action = make({'fail_on_blocker': False}, mods)[0]
    res = action.run(task_vars={'inventory_hostname': 'sync01'})
    assert res.get('failed') is not True and res['healthy'] is False and res['blockers'] == ['agent_service_not_running']


def test_given_results_and_events_off_run_no_module():
    mods = healthy_modules()
    action, calls = make({'host_info': mods['agent_host_info'], 'logon_rights': mods['logon_right_info'],
                          'events': False}, {})
    res = action.run(task_vars={'inventory_hostname': 'sync01'})
    assert calls == [] and res['healthy'] is True
    assert next(r for r in res['rule_results'] if r['id'] == 'agent_service_control_events')['status'] == 'skipped'


def test_scm_events_since_the_previous_report_and_module_warnings_kept(tmp_path):
    mods = healthy_modules()
    now = datetime.datetime.now(datetime.timezone.utc)
    old = (now - datetime.timedelta(hours=3)).strftime('%Y-%m-%dT%H:%M:%S.0000000Z')
    new = (now - datetime.timedelta(minutes=5)).strftime('%Y-%m-%dT%H:%M:%S.0000000Z')
    mods['agent_evidence']['events'] = [
        {'log': 'System', 'provider': 'Service Control Manager', 'id': 7034, 'level': 'Error', 'time_created': t,
         'message': 'The Microsoft Entra Connect Provisioning Agent service terminated unexpectedly.', 'record_id': i}
        for i, t in ((1, old), (2, new))]
    # warnings are passed on as they are: the action never filters a module's text
    mods['agent_evidence']['warnings'] = ['The System log could not be read completely']
    action = make({'report_dir': str(tmp_path)}, mods)[0]
    first = action.run(task_vars={'inventory_hostname': 'sync01'})
    assert first['warnings_ids'] == ['agent_service_control_events'] and len(first['events']) == 2
    assert first['warnings'] == ['The System log could not be read completely']
    # the next run starts where this one ended: the 5-minute-old event is not new any more
    report = json.loads((tmp_path / 'report.json').read_text())
    report['generated_at'] = (now - datetime.timedelta(minutes=1)).strftime('%Y-%m-%dT%H:%M:%SZ')
    (tmp_path / 'report.json').write_text(json.dumps(report))
    action, calls = make({'report_dir': str(tmp_path)}, mods)
    second = action.run(task_vars={'inventory_hostname': 'sync01'})
    assert second['since_from'] == 'previous check' and second['findings'] == []
    assert calls[2][1]['since'] == report['generated_at']


def test_gpo_risk_reported_as_blocker_with_no_repair():
    mods = healthy_modules()
    mods['logon_right_info']['rights']['SeServiceLogonRight']['gpo'] = {
        'defined': True, 'name': 'Tier0 Server Hardening', 'id': '{6AC1786C-016F-11D2-945F-00C04FB984F9}',
        'precedence': 1, 'account_list': ['BUILTIN\\Administrators']}
    action = make({'fail_on_blocker': False}, mods)[0]
    res = action.run(task_vars={'inventory_hostname': 'sync01'})
    assert res['blockers'] == ['gmsa_logon_right_at_risk_from_gpo'] and res['repairs'] == []


@pytest.mark.parametrize('args,text', [({'minimum_version': 'latest'}, 'minimum_version'),
                                       ({'min_version': 'latest'}, 'minimum_version'), ({'since': 'yesterday'}, 'since'),
                                       ({'events_hours': 0}, 'events_hours')])
def test_bad_options_fail_before_touching_the_host(args, text):
    action, calls = make(args, healthy_modules())
    with pytest.raises(AnsibleActionFail, match=text):
        action.run(task_vars={'inventory_hostname': 'sync01'})
    assert calls == []


def test_a_failed_gather_fails_with_the_module_message():
    mods = healthy_modules()
    mods['logon_right_info'] = {'failed': True, 'msg': 'Access is denied'}
    action = make({}, mods)[0]
    with pytest.raises(AnsibleActionFail, match='logon_right_info: Access is denied'):
        action.run(task_vars={'inventory_hostname': 'sync01'})

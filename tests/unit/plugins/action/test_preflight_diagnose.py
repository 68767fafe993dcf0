# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugins with a fake _execute_module: what a playbook author sees."""
from __future__ import annotations

import json
import os

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.hybrid_identity.entra_sync.plugins.action.diagnose import ActionModule as Diagnose
from ansible_collections.hybrid_identity.entra_sync.plugins.action.preflight import ActionModule as Preflight

from action_harness import ROOT, fixture, make


def test_preflight_gathers_both_modules_and_judges():
    action, calls = make(Preflight, {'cloud': 'public', 'probe_endpoints': True, 'tier0_acknowledged': True},
                         {'agent_host_info': fixture('agent_host_info', 'tls12_disabled'),
                          'logon_right_info': fixture('logon_right_info', 'gpo_defines_right_without_all_services')})
    res = action.run(task_vars={'inventory_hostname': 'sync01'})
    assert [c[0] for c in calls] == ['hybrid_identity.entra_sync.agent_host_info',
                                     'hybrid_identity.entra_sync.logon_right_info']
    assert 'login.microsoftonline.com:443' in calls[0][1]['probe']
    assert res['ready'] is False
    assert res['blockers'] == ['service_logon_right_removed_by_gpo', 'tls12_disabled'] or \
        set(res['blockers']) == {'service_logon_right_removed_by_gpo', 'tls12_disabled'}
    assert all(f['host'] == 'sync01' for f in res['findings'])
    assert res['changed'] is False and res['cloud']['environment_name'] is None


def test_preflight_uses_given_results_without_running_modules(tmp_path):
    action, calls = make(Preflight, {'host_info': fixture('agent_host_info', 'healthy'),
                                     'logon_rights': fixture('logon_right_info', 'healthy'),
                                     'tier0_acknowledged': True, 'report_dir': str(tmp_path)}, {})
    res = action.run(task_vars={'inventory_hostname': 'sync01'})
    assert calls == []
    assert res['ready'] is True and res['findings'] == []
    assert os.path.exists(res['report_paths']['junit'])


def test_preflight_module_failure_is_named():
    action, calls = make(Preflight, {}, {'agent_host_info': {'failed': True, 'msg': 'WinRM broke'}})
    with pytest.raises(AnsibleActionFail, match='Failed to gather agent_host_info: WinRM broke'):
        action.run(task_vars={})


def test_preflight_rejects_unknown_cloud():
    action, calls = make(Preflight, {'cloud': 'mars', 'host_info': {}, 'logon_rights': {}}, {})
    with pytest.raises(AnsibleActionFail, match='value of cloud must be one of'):
        action.run(task_vars={})


def test_diagnose_runs_on_the_controller_and_writes_reports(tmp_path):
    assert Diagnose._requires_connection is False
    action, calls = make(Diagnose, {'evidence': fixture('agent_evidence', 'logon_right_7041'), 'host': 'sync01',
                                    'evidence_path': [os.path.join(ROOT, 'tests', 'fixtures', 'evidence', 'gpo_right')],
                                    'report_dir': str(tmp_path)}, {})
    res = action.run(task_vars={})
    assert calls == []
    ids = [rc['id'] for rc in res['root_causes']]
    assert ids[:2] == ['gmsa_logon_right_missing', 'service_logon_right_removed_by_gpo'] or \
        set(ids) == {'gmsa_logon_right_missing', 'service_logon_right_removed_by_gpo'}
    assert set(res['report_paths']) == {'json', 'markdown', 'html', 'junit'}
    assert json.load(open(res['report_paths']['json']))['hosts'] == ['sync01']
    assert res['summary']['healthy'] is False and 'failed' not in res


def test_diagnose_fail_on_blocker():
    action, calls = make(Diagnose, {'evidence': fixture('agent_evidence', 'kds_missing'), 'fail_on_blocker': True}, {})
    res = action.run(task_vars={})
    assert res['failed'] is True and 'kds_root_key_missing' in res['msg']


def test_diagnose_healthy_evidence_does_not_fail():
    action, calls = make(Diagnose, {'evidence': fixture('agent_evidence', 'healthy'), 'fail_on_blocker': True}, {})
    res = action.run(task_vars={})
    assert not res.get('failed') and res['root_causes'] == []


def test_diagnose_needs_some_evidence():
    action, calls = make(Diagnose, {}, {})
    with pytest.raises(AnsibleActionFail, match='give evidence'):
        action.run(task_vars={})


def test_diagnose_bad_inputs_become_input_warnings(tmp_path):
    (tmp_path / 'junk.log').write_bytes(os.urandom(4096))
    (tmp_path / 'empty.log').write_bytes(b'')
    action, calls = make(Diagnose, {'evidence_path': [str(tmp_path)]}, {})
    res = action.run(task_vars={})
    assert res['root_causes'] == [] and len(res['input_warnings']) == 2
    assert res['summary']['status'] == 'inconclusive' and not res.get('failed')


def test_diagnose_missing_path_fails_with_its_name(tmp_path):
    action, calls = make(Diagnose, {'evidence_path': [str(tmp_path / 'missing.zip')]}, {})
    with pytest.raises(AnsibleActionFail, match='missing.zip'):
        action.run(task_vars={})

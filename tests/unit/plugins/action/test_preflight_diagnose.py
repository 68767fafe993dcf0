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


ALL_ALLOWED = {'service_logon_right': True, 'tls': True, 'credential_manager': True, 'execution_policy': True,
               'stale_install': True, 'kds_root_key': True, 'gmsa_encryption_types': True}


def test_preflight_plans_the_allowed_fixes_and_says_why_it_stops():
    action = make(Preflight, {'host_info': fixture('agent_host_info', 'tls12_disabled'),
                              'logon_rights': fixture('logon_right_info', 'all_services_missing'),
                              'tier0_acknowledged': True, 'repairs_allowed': {'tls': True}}, {})[0]
    res = action.run(task_vars={'inventory_hostname': 'sync01'})
    assert {r['action'] for r in res['repairs']} == {'set_registry'}   # the right's switch is off
    assert len(res['repairs']) == 8 and res['proceed'] is False
    assert 'Prerequisites not met on sync01' in res['message'] and '[tls12_disabled]' in res['message']
    assert '[service_logon_right_missing_all_services]' in res['message']


def test_check_mode_goes_on_when_a_planned_fix_clears_every_blocker():
    args = {'host_info': fixture('agent_host_info', 'tls12_disabled'), 'logon_rights': fixture('logon_right_info', 'healthy'),
            'tier0_acknowledged': True, 'repairs_allowed': ALL_ALLOWED}
    action = make(Preflight, args, {})[0]
    assert action.run(task_vars={})['proceed'] is False           # a real run applies the fix, then judges again
    action._play_context.check_mode = True
    res = action.run(task_vars={})
    assert res['proceed'] is True and res['message'] == '' and res['blockers'] == ['tls12_disabled']


def test_no_local_grant_is_planned_when_a_gpo_defines_the_right():
    action = make(Preflight, {'host_info': fixture('agent_host_info', 'healthy'),
                              'logon_rights': fixture('logon_right_info', 'gpo_defines_right_without_all_services'),
                              'repairs_allowed': ALL_ALLOWED, 'tier0_acknowledged': True}, {})[0]
    res = action.run(task_vars={})
    assert res['blockers'] == ['service_logon_right_removed_by_gpo'] and res['repairs'] == []


def test_execution_policy_set_by_a_user_policy_gpo_is_not_planned():
    host = fixture('agent_host_info', 'execution_policy_unrestricted')
    host['execution_policy'] = {'machine_policy': 'Undefined', 'user_policy': 'Unrestricted',
                                'local_machine': 'Undefined', 'current_user': 'Undefined'}
    action = make(Preflight, {'host_info': host, 'logon_rights': {}, 'repairs_allowed': ALL_ALLOWED}, {})[0]
    res = action.run(task_vars={})
    assert 'execution_policy_blocks_registration' in res['blockers']
    assert [r for r in res['repairs'] if r['action'] == 'set_execution_policy'] == []


def test_skipped_domain_tasks_are_ignored_and_real_ones_judged():
    host, rights = fixture('agent_host_info', 'healthy'), fixture('logon_right_info', 'healthy')
    skipped = {'changed': False, 'skipped': True, 'skip_reason': 'Conditional result was False'}
    res = make(Preflight, {'host_info': host, 'logon_rights': rights, 'kds_root_key_info': skipped, 'gmsa': skipped,
                           'tier0_acknowledged': True}, {})[0].run(task_vars={})
    assert res['ready'] is True
    gmsa = fixture('gmsa_host_info', 'kerberos_mismatch')
    res = make(Preflight, {'host_info': host, 'logon_rights': rights, 'kds_root_key_info': {'kds_root_keys': []},
                           'gmsa': gmsa, 'tier0_acknowledged': True}, {})[0].run(task_vars={})
    assert {'kds_root_key_missing', 'kerberos_encryption_mismatch'} <= set(res['blockers'])


def test_missing_registration_credentials_stop_the_agent_before_any_change():
    host = fixture('agent_host_info', 'healthy')
    res = make(Preflight, {'host_info': host, 'logon_rights': {}, 'registration_credentials_given': False,
                           'tier0_acknowledged': True}, {})[0].run(task_vars={'inventory_hostname': 'sync01'})
    assert res['blockers'] == ['registration_credentials_missing']
    assert res['agent']['register'] is True and 'entra_sync_tenant_username' in res['agent']['message']
    registered = fixture('agent_host_info', 'healthy_installed_registered')
    res = make(Preflight, {'host_info': registered, 'logon_rights': {}, 'registration_credentials_given': False,
                           'tier0_acknowledged': True}, {})[0].run(task_vars={})
    assert res['agent']['register'] is False and res['agent']['message'] == ''
    assert 'registration_credentials_missing' not in res['blockers']


def test_agent_plan_installs_another_version_and_registers_the_host_domain():
    registered = fixture('agent_host_info', 'healthy_installed_registered')
    plan = make(Preflight, {'host_info': registered, 'logon_rights': {}, 'agent_version': '9.9.9.9'}, {})[0] \
        .run(task_vars={})['agent']
    assert plan['install'] is True and plan['register'] is False and plan['service']['role'] == 'agent'
    fresh = make(Preflight, {'host_info': fixture('agent_host_info', 'healthy'), 'logon_rights': {}}, {})[0] \
        .run(task_vars={})['agent']
    assert fresh['install'] is True and fresh['default_domains'] == [{'name': 'contoso.com'}]


def test_old_cloud_name_works_with_a_deprecation():
    action = make(Preflight, {'cloud': 'us_government', 'host_info': {}, 'logon_rights': {}}, {})[0]
    res = action.run(task_vars={'entra_sync_cloud': 'us_government', 'entra_sync_reboot_timeout': 600})
    assert res['cloud']['name'] == 'AzureUSGovernment'
    assert [d['msg'] for d in res['deprecations']] == [
        'The variable entra_sync_reboot_timeout is renamed entra_sync_reboot_timeout_seconds; set the new name.',
        'entra_sync_cloud=us_government is deprecated; use AzureUSGovernment.']


def test_unknown_repair_switch_is_refused():
    res = make(Preflight, {'host_info': {}, 'logon_rights': {}, 'repairs_allowed': {'tls12': True}}, {})[0].run(task_vars={})
    assert res['failed'] is True and 'unknown repairs_allowed tls12' in res['msg']


def test_the_custom_gmsa_is_granted_the_right_only_when_it_exists_and_no_gpo_defines_it():
    gpo_rights = fixture('logon_right_info', 'gmsa_logon_right_missing')
    args = {'host_info': fixture('agent_host_info', 'healthy'), 'logon_rights': gpo_rights, 'gmsa_name': 'CONTOSO\\svcSync$',
            'repairs_allowed': ALL_ALLOWED, 'tier0_acknowledged': True}
    res = make(Preflight, args, {})[0].run(task_vars={})
    assert 'gmsa_logon_right_missing' in res['blockers'] and res['repairs'] == []     # the GPO would undo a grant
    local_rights = fixture('logon_right_info', 'gmsa_logon_right_missing')
    local_rights['rights']['SeServiceLogonRight']['gpo'] = {'defined': False}
    args['logon_rights'] = local_rights
    res = make(Preflight, args, {})[0].run(task_vars={})
    grants = [r for r in res['repairs'] if r['id'] == 'gmsa_logon_right_missing']
    assert grants == [{'id': 'gmsa_logon_right_missing', 'action': 'grant_right', 'right': 'SeServiceLogonRight',
                       'account': 'CONTOSO\\svcSync$'}]
    missing = dict(args, gmsa=fixture('gmsa_host_info', 'not_found'), custom_gmsa=True)
    res = make(Preflight, missing, {})[0].run(task_vars={})
    assert [r for r in res['repairs'] if r['id'] == 'gmsa_logon_right_missing'] == []


def test_sync_service_account_option_still_works_with_a_deprecation():
    res = make(Preflight, {'host_info': {}, 'logon_rights': fixture('logon_right_info', 'adsync_rights_missing'),
                           'sync_service_account': 'CONTOSO\\svc-adsync'}, {})[0].run(task_vars={})
    assert 'sync_service_account_rights_missing' in res['blockers']
    assert 'sync_services action' in res['deprecations'][0]['msg']


def test_diagnose_takes_the_failed_task_result_and_returns_the_message_to_fail_with(tmp_path):
    failed = {'failed': True, 'msg': 'Connect-AADCloudSyncAzureAD failed: AADSTS50076: Due to a configuration change '
                                     'made by your administrator, you must use multi-factor authentication.'}
    skipped = {'skipped': True, 'changed': False}
    action, calls = make(Diagnose, {'failed_result': failed, 'failed_task': 'Register the agent',
                                    'evidence': skipped, 'logon_rights': skipped, 'host': 'sync01',
                                    'report_dir': str(tmp_path / 'r')}, {})
    res = action.run(task_vars={})
    assert [rc['id'] for rc in res['root_causes']][0] == 'mfa_required_headless'
    assert res['message'].startswith("Installing or registering the agent failed on sync01 at 'Register the agent': "
                                     "Connect-AADCloudSyncAzureAD failed: AADSTS50076")
    assert '[mfa_required_headless]' in res['message'] and 'Report: ' in res['message']


def test_preflight_says_unknown_when_ad_could_not_be_read_for_the_gmsa():
    res = make(Preflight, {'host_info': fixture('agent_host_info', 'healthy'), 'logon_rights': {},
                           'gmsa': fixture('gmsa_host_info', 'ad_unreachable'), 'custom_gmsa': True,
                           'tier0_acknowledged': True}, {})[0].run(task_vars={})
    assert 'gmsa_unreadable' in res['warnings_ids']
    assert 'gmsa_missing' not in res['blockers'] + res['warnings_ids']


def test_deprecated_sync_service_account_is_judged_by_one_rule():
    res = make(Preflight, {'host_info': {}, 'logon_rights': fixture('logon_right_info', 'adsync_rights_missing'),
                           'sync_service_account': 'CONTOSO\\svc-adsync'}, {})[0].run(task_vars={})
    assert [r['id'] for r in res['rule_results']].count('sync_service_account_rights_missing') == 1

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Day-2 health rules: each rule fires on its drift and stays quiet on a healthy agent."""
from __future__ import annotations

import copy
import datetime
import json

import pytest

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _findings, _health

from entra_fixtures import load

NOW = datetime.datetime(2025, 6, 12, 12, 0, tzinfo=datetime.timezone.utc)
GMSA = {'sid': 'S-1-5-21-3623811015-3361044348-30300820-1609', 'name': 'CONTOSO\\provAgentgMSA$'}
GPO = {'defined': True, 'name': 'Tier0 Server Hardening', 'id': '{6AC1786C-016F-11D2-945F-00C04FB984F9}',
       'precedence': 1, 'account_list': ['BUILTIN\\Administrators', 'NT SERVICE\\ALL SERVICES']}


def healthy():
    return (load('agent_host_info', 'healthy_installed_registered'), load('logon_right_info', 'healthy_registered'))


def svc(info, role):
    return next(s for s in info['services'] if s['role'] == role)


def run(info=None, rights=None, **options):
    base_info, base_rights = healthy()
    opts = {'scm_events': [], 'since': NOW - datetime.timedelta(hours=24), 'now': NOW}
    opts.update(options)
    return _health.evaluate(info or base_info, rights or base_rights, opts)


def ids(verdict):
    return sorted(f['id'] for f in verdict['findings'])


def status(verdict, rule_id):
    return next(r['status'] for r in verdict['results'] if r['id'] == rule_id)


def finding(verdict, rule_id):
    return next(f for f in verdict['findings'] if f['id'] == rule_id)


def test_every_health_id_is_in_the_catalog_and_the_healthy_agent_reports_nothing():
    assert {r['id'] for r in _health.RULES} <= set(_findings.CATALOG)
    v = run(min_version='1.1.1586.0', gmsa_name='CONTOSO\\provAgentgMSA$')
    assert v['findings'] == [] and v['healthy'] is True
    assert {r['status'] for r in v['results']} == {'passed'}


def test_agent_not_installed_and_the_agent_rules_skip():
    v = run(info=load('agent_host_info', 'healthy'))
    assert ids(v) == ['agent_not_installed'] and v['healthy'] is False
    assert status(v, 'agent_service_not_running') == 'skipped'


def test_tenant_id_gone():
    info = healthy()[0]
    info['agent'].update(tenant_id=None, registered=False)
    assert ids(run(info)) == ['agent_tenant_id_missing']


@pytest.mark.parametrize('state,start_mode,automatic', [('Stopped', 'Auto', True), ('StartPending', 'Auto', True),
                                                        ('Stopped', 'Disabled', False)])
def test_agent_service_not_running(state, start_mode, automatic):
    info = healthy()[0]
    svc(info, 'agent').update(state=state, start_mode=start_mode)
    v = run(info)
    assert ids(v) == ['agent_service_not_running'] and v['blockers'] == ['agent_service_not_running']
    assert finding(v, 'agent_service_not_running')['remediation']['automatic'] is automatic
    plan = _health.plan_repairs(info, healthy()[1], v['findings'])
    assert plan == ([{'id': 'agent_service_not_running', 'action': 'start_service',
                      'service': 'AADConnectProvisioningAgent'}] if automatic else [])


def test_agent_service_missing_is_not_repaired():
    info = healthy()[0]
    svc(info, 'agent').update(exists=False, state=None)
    v = run(info)
    assert 'agent_service_not_running' in ids(v)
    assert finding(v, 'agent_service_not_running')['remediation']['automatic'] is False


@pytest.mark.parametrize('start_name,gmsa_name,fires', [
    ('CONTOSO\\svc-sync', None, True),
    ('NT SERVICE\\AADConnectProvisioningAgent', None, True),
    ('CONTOSO\\otherGmsa$', 'CONTOSO\\provAgentgMSA$', True),
    ('CONTOSO\\provAgentgMSA$', 'provAgentgMSA', False),
    ('CONTOSO\\provAgentgMSA$', 'provagentgmsa$@contoso.com', False),
    ('CONTOSO\\anyGmsa$', None, False),
])
def test_service_account_changed(start_name, gmsa_name, fires):
    info, rights = healthy()
    svc(info, 'agent').update(start_name=start_name)
    rights['rights']['SeServiceLogonRight']['holders'].append({'sid': 'S-1-5-21-1-2-3-4', 'name': start_name})
    v = run(info, rights, **({'gmsa_name': gmsa_name} if gmsa_name else {}))
    assert ('agent_service_account_changed' in ids(v)) is fires


def test_managed_account_flag_false_reuses_the_prerequisite_id_and_plans_flag_then_restart():
    info, rights = healthy()
    svc(info, 'agent')['managed_account'] = False
    v = run(info)
    assert ids(v) == ['service_not_managed_account']
    assert 'health role' in finding(v, 'service_not_managed_account')['remediation']['how']
    assert _health.plan_repairs(info, rights, v['findings']) == [
        {'id': 'service_not_managed_account', 'action': 'set_managed_account', 'service': 'AADConnectProvisioningAgent'},
        {'id': 'service_not_managed_account', 'action': 'restart_service', 'service': 'AADConnectProvisioningAgent'}]


def test_managed_flag_false_on_a_stopped_service_starts_it_instead_of_restarting():
    info, rights = healthy()
    svc(info, 'agent').update(managed_account=False, state='Stopped')
    plan = _health.plan_repairs(info, rights, run(info)['findings'])
    assert [p['action'] for p in plan] == ['set_managed_account', 'start_service']


def test_updater_not_a_gmsa_is_not_a_managed_account_finding():
    info = healthy()[0]
    assert svc(info, 'updater')['managed_account'] is False      # LocalSystem: no flag needed
    assert ids(run(info)) == []


def test_gmsa_right_removed_locally_is_regranted_locally():
    info, rights = healthy()
    right = rights['rights']['SeServiceLogonRight']
    right['holders'] = [h for h in right['holders'] if h['sid'] != GMSA['sid']]
    v = run(info, rights)
    assert ids(v) == ['gmsa_logon_right_missing']
    f = finding(v, 'gmsa_logon_right_missing')
    assert f['remediation']['automatic'] is True
    assert _health.plan_repairs(info, rights, v['findings']) == [
        {'id': 'gmsa_logon_right_missing', 'action': 'grant_right', 'right': 'SeServiceLogonRight',
         'account': 'CONTOSO\\provAgentgMSA$'}]


def test_gmsa_right_removed_by_a_gpo_refresh_names_the_gpo_and_plans_nothing():
    info, rights = healthy()
    right = rights['rights']['SeServiceLogonRight']
    right['holders'] = [h for h in right['holders'] if h['sid'] != GMSA['sid']]
    right['gpo'] = copy.deepcopy(GPO)
    v = run(info, rights)
    assert ids(v) == ['gmsa_logon_right_missing']       # lost already: not "at risk"
    f = finding(v, 'gmsa_logon_right_missing')
    assert f['remediation']['automatic'] is False
    assert "GPO 'Tier0 Server Hardening'" in f['remediation']['how'] and "'CONTOSO\\provAgentgMSA$'" in f['remediation']['how']
    assert _health.plan_repairs(info, rights, v['findings']) == []


def test_gmsa_right_at_risk_from_gpo_names_the_gpo_and_the_exact_entry():
    info, rights = healthy()
    rights['rights']['SeServiceLogonRight']['gpo'] = copy.deepcopy(GPO)
    v = run(info, rights)
    assert ids(v) == ['gmsa_logon_right_at_risk_from_gpo'] and v['healthy'] is False
    f = finding(v, 'gmsa_logon_right_at_risk_from_gpo')
    how = f['remediation']['how']
    assert "In GPO 'Tier0 Server Hardening' {6AC1786C-016F-11D2-945F-00C04FB984F9}" in how
    assert "add the entry 'CONTOSO\\provAgentgMSA$'" in how and 'Log on as a service' in how
    assert 'keep the existing BUILTIN\\Administrators, NT SERVICE\\ALL SERVICES' in how
    assert f['remediation']['automatic'] is False
    assert _health.plan_repairs(info, rights, v['findings']) == []


@pytest.mark.parametrize('account_list', [
    ['BUILTIN\\Administrators', 'CONTOSO\\provAgentgMSA$'],
    ['*S-1-5-21-3623811015-3361044348-30300820-1609'],          # secedit style SID entry
    ['provAgentgMSA$'],
])
def test_gpo_that_lists_the_gmsa_is_no_risk(account_list):
    info, rights = healthy()
    rights['rights']['SeServiceLogonRight']['gpo'] = dict(GPO, account_list=account_list)
    assert ids(run(info, rights)) == []


def test_gmsa_rules_skip_without_a_gmsa_name():
    info, rights = healthy()
    svc(info, 'agent')['start_name'] = 'LocalSystem'
    v = run(info, rights)
    assert status(v, 'gmsa_logon_right_missing') == 'skipped'
    assert ids(v) == ['agent_service_account_changed']


def test_deny_logon_as_service_reused():
    info, rights = healthy()
    rights['rights']['SeDenyServiceLogonRight']['holders'] = [GMSA]
    assert ids(run(info, rights)) == ['deny_logon_as_service']


@pytest.mark.parametrize('change,automatic', [({'state': 'Stopped'}, True), ({'exists': False, 'state': None}, False),
                                              ({'state': 'Stopped', 'start_mode': 'Disabled'}, False)])
def test_updater_missing_or_stopped_is_a_warning(change, automatic):
    info, rights = healthy()
    svc(info, 'updater').update(change)
    v = run(info, rights)
    assert ids(v) == ['agent_updater_not_running'] and v['healthy'] is True
    assert v['warnings_ids'] == ['agent_updater_not_running']
    plan = _health.plan_repairs(info, rights, v['findings'])
    assert plan == ([{'id': 'agent_updater_not_running', 'action': 'start_service',
                      'service': 'AzureADConnectAgentUpdater'}] if automatic else [])


@pytest.mark.parametrize('minimum,fires', [('1.1.2000.0', True), ('1.2', True), ('1.1.1586.0', False), ('1.1.1586', False),
                                           ('1.1.977.0', False)])
def test_version_below_minimum(minimum, fires):
    v = run(min_version=minimum)
    assert ids(v) == (['agent_version_below_minimum'] if fires else [])
    assert v['healthy'] is True


def test_version_rule_skips_without_a_minimum_or_with_an_unreadable_version():
    assert status(run(), 'agent_version_below_minimum') == 'skipped'
    info = healthy()[0]
    info['agent']['version'] = 'unknown'
    assert status(run(info, min_version='1.0'), 'agent_version_below_minimum') == 'skipped'
    with pytest.raises(ValueError):
        _health.parse_version('1.x')


def test_tls_explicitly_disabled_is_the_blocker_and_removed_values_the_warning():
    info = healthy()[0]
    info['tls']['tls12_client']['enabled'] = 0
    assert ids(run(info)) == ['tls12_disabled']
    info = healthy()[0]
    info['tls']['dotnet'].update(schusestrongcrypto_64=None, systemdefaulttlsversions_32=None)
    v = run(info)
    assert ids(v) == ['tls12_keys_not_set'] and v['healthy'] is True
    assert len(finding(v, 'tls12_keys_not_set')['evidence']) == 2


def event(eid, minutes_ago, message='The Microsoft Entra Connect Provisioning Agent service terminated unexpectedly.'):
    t = NOW - datetime.timedelta(minutes=minutes_ago)
    return {'log': 'System', 'provider': 'Service Control Manager', 'id': eid, 'level': 'Error',
            'time_created': t.strftime('%Y-%m-%dT%H:%M:%S.0000000Z'), 'message': message, 'record_id': 100 + eid}


def test_scm_events_since_the_last_run_only_for_the_agent():
    events = [event(7034, 30), event(7041, 20), event(7000, 10, 'The Microsoft Entra Connect Agent Updater service failed'),
              event(7009, 5), event(7038, 60 * 30), dict(event(7000, 1), provider='NETLOGON')]
    v = run(scm_events=events, since=NOW - datetime.timedelta(hours=24))
    assert ids(v) == ['agent_service_control_events'] and v['healthy'] is True
    f = finding(v, 'agent_service_control_events')
    assert [e['line'] for e in f['evidence']] == ['System/7034/7134', 'System/7041/7141']
    assert '1 x 7034' in f['detail'] and '7041' in f['detail']


def test_no_new_scm_events_passes_and_events_not_gathered_skip():
    assert status(run(scm_events=[event(7034, 30)], since=NOW - datetime.timedelta(minutes=10)),
                  'agent_service_control_events') == 'passed'
    base_info, base_rights = healthy()
    v = _health.evaluate(base_info, base_rights, {'now': NOW})
    assert status(v, 'agent_service_control_events') == 'skipped'


def test_malformed_facts_skip_instead_of_crashing():
    info, rights = healthy()
    info['services'] = 'garbage'
    rights['rights']['SeServiceLogonRight'] = ['not', 'a', 'dict']
    v = run(info, rights)
    assert v['healthy'] is True or v['blockers']     # no exception
    assert status(v, 'gmsa_logon_right_missing') == 'skipped'


def test_since_given_previous_report_or_hours(tmp_path):
    t, how = _health.resolve_since('2025-06-12T08:00:00Z', str(tmp_path), 24, NOW)
    assert how == 'given' and t.hour == 8
    t, how = _health.resolve_since(None, str(tmp_path), 6, NOW)
    assert how == 'last 6 hours' and t == NOW - datetime.timedelta(hours=6)
    report = _health.build_report(run(), 'sync01', now=NOW - datetime.timedelta(hours=2))
    (tmp_path / 'report.json').write_text(json.dumps(report))
    t, how = _health.resolve_since(None, str(tmp_path), 24, NOW)
    assert how == 'previous check' and t == NOW - datetime.timedelta(hours=2)
    with pytest.raises(ValueError):
        _health.resolve_since('yesterday', None, 24, NOW)


def test_a_preflight_report_is_not_a_previous_health_check(tmp_path):
    (tmp_path / 'report.json').write_text(json.dumps({'generated_at': '2025-06-12T11:00:00Z',
                                                      'rules': [{'id': 'x', 'kind': 'preflight', 'status': 'passed'}]}))
    assert _health.last_check(str(tmp_path)) is None
    (tmp_path / 'report.json').write_text('{not json')
    assert _health.last_check(str(tmp_path)) is None


def test_report_and_summary_shapes():
    info = healthy()[0]
    svc(info, 'updater')['state'] = 'Stopped'
    svc(info, 'agent')['state'] = 'Stopped'
    v = run(info)
    report = _health.build_report(v, 'sync01', now=NOW)
    assert {r['kind'] for r in report['rules']} == {'health'}
    assert report['summary']['blockers'] == 1 and report['summary']['warnings'] == 1
    assert all(f['host'] == 'sync01' for f in report['findings'])
    s = _health.summary(v, 'sync01', '2025-06-12T12:00:00Z', '2025-06-11T12:00:00Z')
    assert s['status'] == 'blocker' and s['blockers'] == ['agent_service_not_running']
    assert s['warnings'] == ['agent_updater_not_running']
    assert _health.summary(run(), 'x')['status'] == 'healthy'


def test_health_report_follows_the_report_schema():
    import jsonschema
    from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _reports
    with open(_reports.schema_path()) as fh:
        schema = json.load(fh)
    info, rights = healthy()
    rights['rights']['SeServiceLogonRight']['gpo'] = copy.deepcopy(GPO)
    report = _health.build_report(run(info, rights, scm_events=[event(7034, 5)]), 'sync01', now=NOW)
    jsonschema.validate(json.loads(json.dumps(report)), schema)

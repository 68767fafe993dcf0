# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every prerequisite rule: a host state that triggers it and one that does not."""
from __future__ import annotations

import copy
import datetime

import pytest

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _findings, _rules, _sync_services

from entra_fixtures import load

ACK = {'tier0_acknowledged': True}


def run(host='healthy', rights='healthy', domain=None, options=None):
    host_info = load('agent_host_info', host) if isinstance(host, str) else host
    logon = load('logon_right_info', rights) if isinstance(rights, str) else rights
    return _rules.evaluate(host_info, logon, domain, dict(ACK, **(options or {})))


def ids(result):
    return [f['id'] for f in result['findings']]


def test_every_rule_id_is_in_the_catalog():
    for rule in _rules.RULES:
        assert rule['id'] in _findings.CATALOG
        assert rule['source']


def test_healthy_host_is_ready_with_no_finding():
    res = run()
    assert res['ready'] is True
    assert res['findings'] == []
    assert {r['status'] for r in res['results']} <= {'passed', 'skipped'}


@pytest.mark.parametrize('host, rule_id, severity', [
    ('unsupported_os_client', 'unsupported_os', 'blocker'),
    ('unsupported_os_2012r2', 'unsupported_os', 'blocker'),
    ('server_core', 'unsupported_os', 'blocker'),
    ('workgroup_host', 'not_domain_joined', 'blocker'),
    ('low_memory', 'insufficient_memory', 'warning'),
    ('dotnet_old', 'dotnet_too_old', 'blocker'),
    ('execution_policy_unrestricted', 'execution_policy_blocks_registration', 'blocker'),
    ('tls12_disabled', 'tls12_disabled', 'blocker'),
    ('vault_disabled', 'credential_manager_disabled', 'blocker'),
    ('stale_partial_install', 'stale_agent_installation', 'blocker'),
    ('ntlm_enabled', 'ntlm_enabled', 'warning'),
    ('pending_reboot', 'pending_reboot', 'warning'),
    ('server_2025_no_update', 'server_2025_update_missing', 'warning'),
    ('outbound_blocked', 'outbound_connectivity_blocked', 'blocker'),
    ('outbound_blocked', 'endpoint_unreachable', 'warning'),
    ('service_not_managed', 'service_not_managed_account', 'blocker'),
    ('kerberos_mismatch', 'kerberos_encryption_mismatch', 'warning'),
])
def test_host_rule_triggers(host, rule_id, severity):
    res = run(host)
    found = [f for f in res['findings'] if f['id'] == rule_id]
    assert found, ids(res)
    f = found[0]
    assert f['severity'] == severity
    assert f['evidence'] and all({'source', 'line', 'text'} <= set(e) for e in f['evidence'])
    assert isinstance(f['remediation']['automatic'], bool) and f['remediation']['how']
    assert f['source'] and f['reference'].startswith('https://')
    assert res['ready'] is (severity != 'blocker' and not res['blockers'])


@pytest.mark.parametrize('host, rights', [('healthy', 'healthy'), ('healthy_installed_registered', 'healthy_registered'),
                                          ('usgov_installed', 'healthy_registered'),
                                          ('proxy_configured', 'healthy_registered'), ('domain_controller', 'healthy')])
def test_healthy_variants_have_no_blocker(host, rights):
    assert run(host, rights)['blockers'] == []


@pytest.mark.parametrize('rights, rule_id, options', [
    ('all_services_missing', 'service_logon_right_missing_all_services', {}),
    ('gpo_defines_right_without_all_services', 'service_logon_right_removed_by_gpo', {}),
    ('gmsa_logon_right_missing', 'gmsa_logon_right_missing', {'gmsa_name': 'CONTOSO\\provAgentgMSA$'}),
    ('deny_service_logon', 'deny_logon_as_service', {}),
])
def test_rights_rule_triggers(rights, rule_id, options):
    res = run(rights=rights, options=options)
    assert rule_id in ids(res)
    assert res['ready'] is False


@pytest.mark.parametrize('rule_id, options', [
    ('gmsa_logon_right_missing', {'gmsa_name': 'CONTOSO\\provAgentgMSA$'}),
    ('sync_service_account_rights_missing', {'sync_service_account': 'CONTOSO\\svc-adsync'}),
])
def test_rights_rules_pass_when_holder_present(rule_id, options):
    rights = load('logon_right_info', 'healthy')
    acct = list(options.values())[0]
    for name in ('SeServiceLogonRight', 'SeBatchLogonRight', 'SeInteractiveLogonRight'):
        rights['rights'][name]['holders'].append({'sid': 'S-1-5-21-1-2-3-1105', 'name': acct})
    assert rule_id not in ids(run(rights=rights, options=options))


def test_gpo_rule_wins_over_local_rule_and_names_the_gpo():
    res = run(rights='gpo_defines_right_without_all_services')
    assert 'service_logon_right_missing_all_services' not in ids(res)
    f = [f for f in res['findings'] if f['id'] == 'service_logon_right_removed_by_gpo'][0]
    assert f['remediation']['automatic'] is False
    assert 'GPO' in f['evidence'][0]['text']


def test_deny_rule_points_at_the_gpo_that_sets_it():
    f = [f for f in run(rights='deny_service_logon')['findings'] if f['id'] == 'deny_logon_as_service'][0]
    assert 'provagentgmsa$' in f['evidence'][0]['text'].lower()
    assert 'Deny Service Logon - Tier Model' in f['remediation']['how']


def test_gmsa_right_in_gpo_is_not_automatic():
    f = [f for f in run(rights='gmsa_logon_right_missing', options={'gmsa_name': 'CONTOSO\\provAgentgMSA$'})['findings']
         if f['id'] == 'gmsa_logon_right_missing'][0]
    assert f['remediation']['automatic'] is False
    assert 'Member Servers Baseline' in f['remediation']['how']


def test_gmsa_name_defaults_to_the_agent_service_account():
    host = load('agent_host_info', 'healthy_installed_registered')
    gmsa_services = [s for s in host['services'] if s['role'] == 'agent' and str(s['start_name']).endswith('$')]
    assert gmsa_services, 'fixture runs the agent as a gMSA'
    assert 'gmsa_logon_right_missing' in ids(run(host, rights='gmsa_logon_right_missing'))


# domain-level rules --------------------------------------------------------
NOW = datetime.datetime(2025, 6, 12, 12, 0, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize('domain, rule_id, expected', [
    ({'kds_root_keys': []}, 'kds_root_key_missing', True),
    ({'kds_root_keys': [{'effective_time': '2025-06-13T00:00:00Z'}]}, 'kds_root_key_missing', True),
    ({'kds_root_keys': [{'effective_time': '2024-01-01T00:00:00Z'}]}, 'kds_root_key_missing', False),
    ({'gmsa': load('gmsa_host_info', 'kerberos_mismatch')}, 'kerberos_encryption_mismatch', True),
    ({'gmsa': load('gmsa_host_info', 'healthy')}, 'kerberos_encryption_mismatch', False),
    ({'gmsa': load('gmsa_host_info', 'host_default_encryption')}, 'kerberos_encryption_mismatch', False),
    ({'gmsa': load('gmsa_host_info', 'password_retrieval_denied')}, 'gmsa_password_retrieval_denied', True),
    ({'gmsa': load('gmsa_host', 'install_access_denied')}, 'gmsa_password_retrieval_denied', True),
    ({'gmsa': load('gmsa_host_info', 'healthy')}, 'gmsa_password_retrieval_denied', False),
    ({'gmsa': load('gmsa_host_info', 'not_found')}, 'gmsa_missing', True),
    ({'gmsa': load('gmsa_host_info', 'healthy')}, 'gmsa_missing', False),
    ({'gmsa': load('gmsa_host', 'check_mode_would_install')}, 'gmsa_not_usable', True),
    ({'gmsa': load('gmsa_host', 'installed_now')}, 'gmsa_not_usable', False),
    ({'msa_container_exists': False}, 'msa_container_missing', True),
    ({'msa_container_exists': True}, 'msa_container_missing', False),
    ({'domain_functional_level': 'Windows2012Domain'}, 'ad_level_too_low', True),
    ({'dc_os_builds': [9600]}, 'ad_level_too_low', True),
    ({'schema_version': 69}, 'ad_level_too_low', True),
    ({'schema_version': 88, 'domain_functional_level': 'Windows2016Domain', 'forest_functional_level': 7,
      'dc_os_builds': [20348, 9600]}, 'ad_level_too_low', False),
])
def test_domain_rules(domain, rule_id, expected):
    res = run(domain=domain, options={'now': NOW})
    assert (rule_id in ids(res)) is expected, ids(res)


def _kds(keys, now=NOW):
    res = run(domain={'kds_root_keys': keys}, options={'now': now})
    status = [r for r in res['results'] if r['id'] == 'kds_root_key_missing'][0]['status']
    found = [f for f in res['findings'] if f['id'] == 'kds_root_key_missing']
    return status, (found[0] if found else None)


def _ago(hours):
    return (NOW - datetime.timedelta(hours=hours)).isoformat()


def test_kds_key_effective_2_hours_ago_is_not_usable_yet():
    # domain controllers use a key 10 hours after its EffectiveTime (-EffectiveImmediately = now)
    status, f = _kds([{'key_id': 'k1', 'effective_time': _ago(2)}])
    assert status == 'failed' and f['severity'] == 'blocker'
    assert 'not usable yet' in f['detail']
    assert '2025-06-12T20:00:00+00:00' in f['detail'] and 'in 8h00m' in f['detail']
    assert f['remediation']['automatic'] is False
    assert '2025-06-12T20:00:00+00:00' in f['remediation']['how']
    assert f['evidence'][0]['line'] == 'kds_root_keys[k1].effective_time'
    assert 'usable by domain controllers from 2025-06-12T20:00:00+00:00' in f['evidence'][0]['text']


def test_kds_key_effective_11_hours_ago_is_usable():
    assert _kds([{'effective_time': _ago(11)}]) == ('passed', None)
    # exactly 10 hours is usable; one usable key is enough beside a new one
    assert _kds([{'effective_time': _ago(10)}]) == ('passed', None)
    assert _kds([{'effective_time': _ago(1)}, {'effective_time': _ago(11)}]) == ('passed', None)


def test_kds_key_as_kds_root_key_info_returns_it():
    # 7 fractional digits and Z, as microsoft.ad.kds_root_key_info returns effective_time
    assert _kds([{'effective_time': '2025-06-12T01:59:59.4151133Z'}]) == ('passed', None)
    status, f = _kds([{'effective_time': '2025-06-12T02:00:00.4151133Z'}])
    assert status == 'failed' and 'in 0h00m' in f['detail']


def test_kds_no_key_is_a_finding():
    status, f = _kds([])
    assert status == 'failed' and f['severity'] == 'blocker'
    assert f['evidence'][0]['text'] == 'Get-KdsRootKey returned no key'


def test_kds_unknown_times_skip_the_rule():
    assert _kds([{'effective_time': None}]) == ('skipped', None)
    assert _kds([{'key_id': 'k1'}]) == ('skipped', None)
    assert _kds([{'effective_time': 'soon'}]) == ('skipped', None)
    assert _kds(['not a dict']) == ('skipped', None)
    # a not-yet-usable key beside one of unknown time: cannot tell, skip
    assert _kds([{'effective_time': _ago(2)}, {'effective_time': None}]) == ('skipped', None)
    # a usable key beside one of unknown time: passes
    assert _kds([{'effective_time': _ago(11)}, {'effective_time': None}]) == ('passed', None)
    # the key list itself unknown (null): skip, not "no key"
    assert _kds(None) == ('skipped', None)


def test_kds_now_may_be_given_as_text():
    status, f = _kds([{'effective_time': _ago(2)}], now=NOW.isoformat())
    assert status == 'failed' and 'in 8h00m' in f['detail']


def test_ad_level_uses_the_strictest_source_and_says_so():
    res = run(domain={'schema_version': 69, 'domain_functional_level': 'Windows2012R2Domain'})
    f = [f for f in res['findings'] if f['id'] == 'ad_level_too_low'][0]
    assert 'strictest' in f['detail']
    assert 'msDS-ExternalDirectoryObjectId' in f['evidence'][0]['text'] or \
        any('msDS-ExternalDirectoryObjectId' in e['text'] for e in f['evidence'])
    assert 'strictest of' in f['source']


def test_custom_gmsa_missing_is_a_blocker():
    res = run(domain={'gmsa': load('gmsa_host_info', 'not_found')}, options={'custom_gmsa': True})
    assert 'gmsa_missing' in res['blockers']


def test_tier0_warning_until_acknowledged():
    assert 'tier0_host' in [f['id'] for f in _rules.evaluate(load('agent_host_info', 'healthy'),
                                                             load('logon_right_info', 'healthy'))['findings']]
    assert 'tier0_host' not in ids(run())


def test_server_2025_update_verified_with_min_ubr():
    assert 'server_2025_update_missing' not in ids(run('server_2025_no_update', options={'server_2025_min_ubr': 1}))


def test_unknown_facts_skip_rules_and_never_block():
    res = _rules.evaluate({}, {}, None, ACK)
    assert res['ready'] is True
    assert {r['status'] for r in res['results'] if r['id'] != 'tier0_host'} == {'skipped'}


def test_malformed_fact_is_skipped_not_raised():
    host = load('agent_host_info', 'healthy')
    host['os'] = {'build': 'not-a-number', 'installation_type': ['odd']}
    host['services'] = 'garbage'
    res = _rules.evaluate(host, load('logon_right_info', 'healthy'), None, ACK)
    assert res['ready'] is True
    assert any(r['status'] == 'skipped' and 'could not evaluate' in r['message'] for r in res['results'])


def test_execution_policy_set_by_gpo_is_not_automatic():
    host = load('agent_host_info', 'healthy')
    host['execution_policy']['machine_policy'] = 'Unrestricted'
    f = [f for f in run(host)['findings'] if f['id'] == 'execution_policy_blocks_registration'][0]
    assert f['severity'] == 'blocker' and f['remediation']['automatic'] is False


def test_tls_values_merely_absent_are_a_warning_not_a_blocker():
    host = load('agent_host_info', 'healthy')
    host['tls']['dotnet'] = {k: None for k in host['tls']['dotnet']}
    f = [f for f in run(host)['findings'] if f['id'] == 'tls12_disabled'][0]
    assert f['severity'] == 'warning'


# ----------------------------------------------------------------- unknown is never a pass
def test_domain_membership_not_read_is_unknown_not_a_workgroup_and_not_a_pass():
    host = copy.deepcopy(load('agent_host_info', 'healthy'))
    host['domain']['joined'] = None      # the module's value when the CIM query failed
    res = run(host=host)
    assert 'domain_membership_unreadable' in ids(res)
    assert 'not_domain_joined' not in ids(res)
    assert {r['id']: r['status'] for r in res['results']}['not_domain_joined'] == 'skipped'
    assert 'domain_membership_unreadable' not in ids(run())


def test_agent_proxy_config_not_read_is_reported():
    host = copy.deepcopy(load('agent_host_info', 'healthy'))
    host['proxy']['configured'] = None   # the agent's config file could not be read
    assert 'agent_proxy_config_unreadable' in ids(run(host=host))
    assert 'agent_proxy_config_unreadable' not in ids(run())


def test_gmsa_not_read_from_ad_is_unknown_with_the_ad_error():
    res = run(domain={'gmsa': load('gmsa_host_info', 'ad_unreachable')}, options={'custom_gmsa': True})
    found = {f['id']: f for f in res['findings']}
    assert 'gmsa_unreadable' in found and 'gmsa_missing' not in found
    assert 'ADServerDownException' in ' '.join(e['text'] for e in found['gmsa_unreadable']['evidence'])
    assert 'gmsa_unreadable' not in ids(run(domain={'gmsa': load('gmsa_host_info', 'healthy')}))


def _with_sync_account(rights):
    return _rules.evaluate(load('agent_host_info', 'healthy'), load('logon_right_info', rights), None,
                           dict(ACK, sync_service_account='CONTOSO\\svc-adsync'),
                           rules=_rules.RULES + _sync_services.ACCOUNT_RIGHTS_RULES)


def test_deprecated_sync_service_account_option_uses_the_sync_services_rows_once():
    assert 'sync_service_account_rights_missing' not in [r['id'] for r in _rules.RULES]
    assert ids(_with_sync_account('adsync_rights_missing')).count('sync_service_account_rights_missing') == 1
    without_option = _rules.evaluate(load('agent_host_info', 'healthy'), load('logon_right_info', 'adsync_rights_missing'),
                                     None, ACK, rules=_rules.RULES + _sync_services.ACCOUNT_RIGHTS_RULES)
    assert 'sync_service_account_rights_missing' not in ids(without_option)


def test_sync_service_account_status_not_read_is_not_healthy_and_names_the_unknown():
    verdict = _sync_services.evaluate(load('service_account_info', 'domain_unreachable'),
                                      load('logon_right_info', 'adsync_rights_missing'))
    assert 'service_account_status_unreadable' in ids(verdict)
    assert 'service_account_disabled_or_expired' not in ids(verdict)
    assert verdict['inconclusive'] == ['service_account_status_unreadable'] and not verdict['healthy']
    assert '[service_account_status_unreadable]' in _sync_services.message(verdict, 'sync01', 'ADSync', None)
    assert 'service_account_status_unreadable' not in ids(_sync_services.evaluate(
        load('service_account_info', 'healthy'), load('logon_right_info', 'healthy')))


def test_sync_service_not_read_is_unknown_not_missing():
    info = copy.deepcopy(load('service_account_info', 'healthy'))
    for svc in info['services']:
        svc['exists'] = None
    verdict = _sync_services.evaluate(info, load('logon_right_info', 'healthy'))
    assert 'sync_service_unreadable' in ids(verdict) and 'sync_service_missing' not in ids(verdict)
    assert not verdict['healthy']
    missing = _sync_services.evaluate(load('service_account_info', 'service_missing'), load('logon_right_info', 'healthy'))
    assert 'sync_service_missing' in ids(missing) and 'sync_service_unreadable' not in ids(missing)


# ----------------------------------------------------------------- the route a probe took
def _finding(res, finding_id):
    return next(f for f in res['findings'] if f['id'] == finding_id)


def test_outbound_blocked_names_the_route_tested():
    blocked = _finding(run(host='outbound_blocked'), 'outbound_connectivity_blocked')
    assert 'via direct' in blocked['evidence'][0]['text']


def test_outbound_blocked_by_a_proxy_asking_for_credentials_names_the_proxy_not_the_firewall():
    # no module-produced fixture has a 407 yet: the proxied probes of proxy_configured, answered 407
    host = copy.deepcopy(load('agent_host_info', 'proxy_configured'))
    for row in host['reachability']:
        assert row['route'] == 'agent_proxy' and row['proxy'] == 'proxy.contoso.com:8080'
        row.update(reachable=False, error='the proxy refused the CONNECT',
                   proxy_status='HTTP/1.1 407 Proxy Authentication Required')
    blocked = _finding(run(host=host), 'outbound_connectivity_blocked')
    assert 'via agent_proxy proxy.contoso.com:8080' in blocked['evidence'][0]['text']
    assert 'proxy.contoso.com:8080 answered 407' in blocked['detail'] and 'firewall did not' in blocked['detail']
    assert 'proxy.contoso.com:8080' in blocked['remediation']['how']
    some = _finding(run(host=host), 'endpoint_unreachable')
    assert '407 Proxy Authentication Required' in some['evidence'][0]['text']


def test_outbound_blocked_through_a_proxy_that_did_not_answer_407_keeps_the_firewall_advice():
    host = copy.deepcopy(load('agent_host_info', 'proxy_configured'))
    for row in host['reachability']:
        row.update(reachable=False, error='timed out', proxy_status=None)
    blocked = _finding(run(host=host), 'outbound_connectivity_blocked')
    assert 'detail' not in blocked and 'Firewall' in blocked['remediation']['how']


# ----------------------------------------------------------------- stale-install removal plan
def _stale_plan(host):
    return [r for r in _rules.plan_repairs(run(host=host)['findings'], {'stale_install': True}, {}, host)
            if r['action'] == 'remove_agent']


def test_stale_removal_lists_the_services_found_by_name():
    host = load('agent_host_info', 'stale_partial_install')
    assert _stale_plan(host) == [{'id': 'stale_agent_installation', 'action': 'remove_agent',
                                  'services': ['AADConnectProvisioningAgent', 'AzureADConnectAgentUpdater'],
                                  'keep_updater': False, 'other_entra_agents': []}]


def test_stale_removal_never_plans_a_service_found_by_display_name():
    host = copy.deepcopy(load('agent_host_info', 'stale_partial_install'))
    host['services'][1]['identified_by'] = 'display_name'
    assert _stale_plan(host)[0]['services'] == ['AADConnectProvisioningAgent']


def test_stale_removal_keeps_the_updater_while_another_entra_agent_is_installed():
    host = copy.deepcopy(load('agent_host_info', 'stale_partial_install'))
    host['other_entra_agents'] = ['Azure AD Connect Authentication Agent']
    step = _stale_plan(host)[0]
    assert 'AzureADConnectAgentUpdater' not in step['services'] and step['keep_updater'] is True


def test_stale_removal_is_not_planned_when_only_an_updater_shared_with_another_agent_is_left():
    host = copy.deepcopy(load('agent_host_info', 'stale_partial_install'))
    host['other_entra_agents'] = ['Azure AD Connect Authentication Agent']
    host['services'] = [svc for svc in host['services'] if svc['role'] == 'updater']
    host['leftovers'] = {'orphan_services': ['AzureADConnectAgentUpdater']}
    host['agent']['uninstall_entries'] = []
    assert 'stale_agent_installation' in ids(run(host=host))
    assert _stale_plan(host) == []


def test_gmsa_rules_do_not_pass_on_a_gmsa_that_was_not_read():
    res = run(domain={'gmsa': load('gmsa_host_info', 'ad_unreachable')})
    status = {r['id']: r['status'] for r in res['results']}
    assert [status[i] for i in ('gmsa_missing', 'kerberos_encryption_mismatch', 'gmsa_not_usable')] == ['skipped'] * 3
    read = {r['id']: r['status'] for r in run(domain={'gmsa': load('gmsa_host_info', 'healthy')})['results']}
    assert [read[i] for i in ('gmsa_missing', 'kerberos_encryption_mismatch', 'gmsa_not_usable')] == ['passed'] * 3


# --- rights that could not be read (found by the lab running the real module on a host whose LSA fails)

LSA_FAILED = {'rights': {}, 'read_error': 'Failed to gather logon_right_info: Failed to read the holders of '
                                          'SeServiceLogonRight: LsaEnumerateAccountsWithUserRight(SeServiceLogonRight) failed'}


def test_unread_rights_are_unknown_never_missing_and_stop_the_install():
    res = run(rights=LSA_FAILED)
    assert 'logon_rights_unreadable' in ids(res)
    assert not [i for i in ids(res) if i.startswith('service_logon_right') or i == 'deny_logon_as_service']
    finding = [f for f in res['findings'] if f['id'] == 'logon_rights_unreadable'][0]
    assert 'LsaEnumerateAccountsWithUserRight' in finding['evidence'][0]['text']
    agent = _rules.plan_agent(load('agent_host_info', 'healthy'), None, res['findings'], 'agent01')
    assert agent['message'].startswith('Cannot install the agent on agent01:')
    assert 'logon_rights_unreadable' not in ids(run())


def test_rsop_not_read_keeps_the_right_unknown_to_gpo_and_plans_no_local_grant():
    rights = copy.deepcopy(load('logon_right_info', 'healthy'))
    rights['rights']['SeServiceLogonRight']['holders'] = [
        h for h in rights['rights']['SeServiceLogonRight']['holders'] if h['sid'] != 'S-1-5-80-0']
    allowed = {'service_logon_right': True}
    granted = _rules.plan_repairs(run(rights=rights)['findings'], allowed)
    assert [r['action'] for r in granted] == ['grant_right']
    rights['rsop_available'] = False
    res = run(rights=rights)
    assert {'logon_right_gpo_unreadable', 'service_logon_right_missing_all_services'} <= set(ids(res))
    assert _rules.plan_repairs(res['findings'], allowed) == []


def test_sync_service_check_with_unread_rights_is_inconclusive_and_repairs_nothing():
    service_info = {'services': [{'name': 'ADSync', 'exists': True,
                                  'account': {'name': 'CONTOSO\\svc-adsync', 'sid': 'S-1-5-21-1-2-3-1105',
                                              'kind': 'domain_user', 'enabled': True}}]}
    verdict = _sync_services.evaluate(service_info, LSA_FAILED)
    assert verdict['healthy'] is False
    assert 'logon_rights_unreadable' in verdict['inconclusive']
    rights = {'rsop_available': False, 'rights': {'SeServiceLogonRight': {'holders': [], 'gpo': {'defined': False}}}}
    assert _sync_services.plan_repairs(service_info, rights) == []
    rights['rsop_available'] = True
    assert [r['right'] for r in _sync_services.plan_repairs(service_info, rights)] == ['SeServiceLogonRight']


def test_leftover_folders_alone_are_not_a_stale_install_but_go_with_one_as_evidence():
    # the removal deletes entries and services, never folders: counting folders alone would block every re-check
    host = copy.deepcopy(load('agent_host_info', 'stale_partial_install'))
    assert 'stale_agent_installation' in ids(run(host))
    stale = [f for f in run(host)['findings'] if f['id'] == 'stale_agent_installation'][0]
    assert any('package_cache_dirs' in str(e['line']) for e in stale['evidence'])
    host['agent']['uninstall_entries'] = []
    host['leftovers']['orphan_services'] = []
    host['services'] = [dict(s, exists=False) for s in host.get('services') or []]
    assert host['leftovers']['install_dir_exists'] and host['leftovers']['package_cache_dirs']
    assert 'stale_agent_installation' not in ids(run(host))

# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""preflight: gather host facts (agent_host_info, logon_right_info) and judge them
on the controller with the prerequisite rules. Thin: gather, call plugin_utils, shape.

Returns what a role needs to act without judging anything itself: the findings, the
repair plan (``repairs``), whether the role may go on (``proceed``), the text to fail
with (``message``) and what the provisioning_agent role has to do (``agent``)."""

from __future__ import annotations

from typing import Any

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils._gathering import GatheringAction, deprecations
from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _catalog, _findings, _reports, _rules, _sync_services

REPAIR_SWITCHES = sorted({switch for dummy_id, switch, dummy_action in _rules.REPAIRS})


def _read(result: Any, key: str) -> Any:
    """``key`` of a registered module result, None when the task was skipped or did not return it."""
    if not isinstance(result, dict) or result.get('skipped') or result.get('failed'):
        return None
    return result.get(key)


class ActionModule(GatheringAction):

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset((
        'host_info', 'logon_rights', 'cloud', 'probe_endpoints', 'endpoint_sources', 'domain_facts', 'kds_root_key_info',
        'gmsa', 'gmsa_name', 'custom_gmsa', 'sync_service_account', 'tier0_acknowledged', 'server_2025_min_ubr',
        'report_dir', 'agent_service_name', 'repairs_allowed', 'agent_version', 'registration_credentials_given'))

    ARGSPEC = dict(
        host_info=dict(type='dict'),
        logon_rights=dict(type='dict'),
        cloud=dict(type='str', default='AzureCloud', choices=_catalog.cloud_choices()),
        probe_endpoints=dict(type='bool', default=False),
        endpoint_sources=dict(type='list', elements='str', choices=sorted(_catalog.SOURCES)),
        domain_facts=dict(type='dict'),
        kds_root_key_info=dict(type='dict'),
        gmsa=dict(type='dict'),
        gmsa_name=dict(type='str'),
        custom_gmsa=dict(type='bool', default=False),
        sync_service_account=dict(type='str'),
        tier0_acknowledged=dict(type='bool', default=False),
        server_2025_min_ubr=dict(type='int'),
        report_dir=dict(type='path'),
        agent_service_name=dict(type='str', default='AADConnectProvisioningAgent'),
        repairs_allowed=dict(type='dict', default={}),
        agent_version=dict(type='str'),
        registration_credentials_given=dict(type='bool'),
    )

    def run(self, tmp: Any = None, task_vars: dict | None = None) -> dict:
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        dummy_validation, args = self.validate_argument_spec(argument_spec=self.ARGSPEC)
        unknown = sorted(set(args['repairs_allowed']) - set(REPAIR_SWITCHES))
        if unknown:
            return dict(result, failed=True, msg='Failed to run preflight: unknown repairs_allowed %s; known: %s' % (
                ', '.join(unknown), ', '.join(REPAIR_SWITCHES)))
        warnings: list[str] = []

        host_info = args['host_info']
        if host_info is None:
            probe = []
            if args['probe_endpoints']:
                probe = ['%s:%s' % (t['host'], t['port'])
                         for t in _catalog.probe_targets(args['cloud'], args['endpoint_sources'])]
            host_info = self._gather('agent_host_info', {'probe': probe,
                                                         'agent_service_name': args['agent_service_name']}, task_vars)
        logon_rights = args['logon_rights']
        if logon_rights is None:
            logon_rights = self._gather_rights({}, task_vars)
        for src in (host_info, logon_rights):
            warnings.extend(src.get('warnings') or [])

        domain_facts = dict(args['domain_facts'] or {})
        if _read(args['kds_root_key_info'], 'kds_root_keys') is not None:
            domain_facts['kds_root_keys'] = _read(args['kds_root_key_info'], 'kds_root_keys')
        # a gMSA read that ran but could not reach AD (exists: null) is kept: gmsa_unreadable reports it
        if isinstance(args['gmsa'], dict) and 'exists' in args['gmsa'] and _read(args['gmsa'], 'name') is not None:
            domain_facts['gmsa'] = args['gmsa']

        options = {k: args[k] for k in ('gmsa_name', 'custom_gmsa', 'sync_service_account', 'tier0_acknowledged',
                                        'server_2025_min_ubr', 'registration_credentials_given') if args[k] is not None}
        rules = _rules.RULES + (_sync_services.ACCOUNT_RIGHTS_RULES if args['sync_service_account'] else [])
        verdict = _rules.evaluate(host_info, logon_rights, domain_facts or None, options, rules=rules)
        host = (task_vars or {}).get('inventory_hostname')
        for f in verdict['findings']:
            f['host'] = host

        if args['report_dir']:
            for r in verdict['results']:
                r['host'] = host
            report = _reports.build_report(findings=verdict['findings'], rule_results=verdict['results'],
                                           hosts=[host] if host else [])
            try:
                result['report_paths'] = _reports.write_reports(report, args['report_dir'])
            except OSError as e:
                warnings.append('Failed to write the preflight report to %s: %s' % (args['report_dir'], to_native(e)))

        repairs = _rules.plan_repairs(verdict['findings'], args['repairs_allowed'], options, host_info)
        check_mode = bool(self._play_context.check_mode)
        proceed = _rules.may_proceed(verdict['blockers'], repairs, check_mode)
        message = '' if proceed else _findings.failure_message(
            'Prerequisites not met on %s:' % host, verdict['findings'], args['report_dir'])
        result.update(changed=False, findings=verdict['findings'], blockers=verdict['blockers'],
                      warnings_ids=verdict['warnings_ids'], ready=verdict['ready'], rule_results=verdict['results'],
                      repairs=repairs, proceed=proceed, message=message,
                      agent=_rules.plan_agent(host_info, args['agent_version'], verdict['findings'], host),
                      host_info=host_info, logon_rights=logon_rights, cloud=_catalog.get_cloud(args['cloud']))
        if warnings:
            result['warnings'] = warnings
        notices = deprecations(task_vars)
        if args['sync_service_account'] is not None:
            notices.append({'msg': 'The preflight option sync_service_account is deprecated; the sync_services action '
                                   'judges the Connect Sync service account, its status and the GPO behind each right.',
                            'version': '2.0.0', 'collection_name': 'hybrid_identity.entra_sync'})
        if notices:
            result['deprecations'] = notices
        return result

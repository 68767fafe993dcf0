# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""health: gather the state of an installed agent (agent_host_info, logon_right_info and, for the
Service Control Manager events, agent_evidence) and judge it on the controller with the health rules.
Thin: gather, call plugin_utils, shape. Read-only on the target."""

from __future__ import annotations

import datetime
from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils._gathering import GatheringAction, deprecations
from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _findings, _health, _reports

RIGHTS = ['SeServiceLogonRight', 'SeDenyServiceLogonRight']


class ActionModule(GatheringAction):

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset((
        'host_info', 'logon_rights', 'evidence', 'agent_service_name', 'updater_service_names', 'gmsa_name',
        'minimum_version', 'min_version', 'events', 'since', 'events_hours', 'report_dir', 'formats', 'fail_on_blocker'))

    ARGSPEC = dict(
        host_info=dict(type='dict'),
        logon_rights=dict(type='dict'),
        evidence=dict(type='dict'),
        agent_service_name=dict(type='str', default='AADConnectProvisioningAgent'),
        updater_service_names=dict(type='list', elements='str'),
        gmsa_name=dict(type='str'),
        minimum_version=dict(type='str', aliases=['min_version'],
                             deprecated_aliases=[dict(name='min_version', version='2.0.0',
                                                      collection_name='hybrid_identity.entra_sync')]),
        events=dict(type='bool', default=True),
        since=dict(type='str'),
        events_hours=dict(type='int', default=24),
        report_dir=dict(type='path'),
        formats=dict(type='list', elements='str', default=['json', 'junit'],
                     choices=['json', 'markdown', 'html', 'junit']),
        fail_on_blocker=dict(type='bool', default=True),
    )

    def run(self, tmp: Any = None, task_vars: dict | None = None) -> dict:
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        validation, args = self.validate_argument_spec(argument_spec=self.ARGSPEC)
        del validation
        if args['minimum_version']:
            try:
                _health.parse_version(args['minimum_version'])
            except ValueError as e:
                raise AnsibleActionFail('Failed to check health: minimum_version %s' % to_native(e))
        if args['events_hours'] < 1:
            raise AnsibleActionFail('Failed to check health: events_hours must be at least 1.')
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        try:
            since, since_from = _health.resolve_since(args['since'], args['report_dir'], args['events_hours'], now)
        except ValueError as e:
            raise AnsibleActionFail('Failed to check health: %s' % to_native(e))
        since_text = since.strftime('%Y-%m-%dT%H:%M:%SZ')
        warnings = []

        host_info = args['host_info']
        if host_info is None:
            info_args = {'agent_service_name': args['agent_service_name']}
            if args['updater_service_names']:
                info_args['updater_service_names'] = args['updater_service_names']
            host_info = self._gather('agent_host_info', info_args, task_vars)
        logon_rights = args['logon_rights']
        if logon_rights is None:
            logon_rights = self._gather('logon_right_info', {'rights': RIGHTS}, task_vars)
        evidence = args['evidence']
        if evidence is None and args['events']:
            evidence = self._gather('agent_evidence', {
                'since': since_text, 'services': [args['agent_service_name']], 'include_installer_logs': False,
                'trace_files': 0, 'kds_log_names': [], 'max_events': 50}, task_vars)
        for src in (host_info, logon_rights, evidence or {}):
            warnings.extend(src.get('warnings') or [])

        options = {'since': since, 'now': now}
        if evidence is not None:
            options['scm_events'] = evidence.get('events') or []
        if args['gmsa_name']:
            options['gmsa_name'] = args['gmsa_name']
        if args['minimum_version']:
            options['min_version'] = args['minimum_version']
        verdict = _health.evaluate(host_info, logon_rights, options)
        host = (task_vars or {}).get('inventory_hostname')
        for f in verdict['findings']:
            f['host'] = host
        checked_at = now.strftime('%Y-%m-%dT%H:%M:%SZ')
        summary = _health.summary(verdict, host, checked_at, since_text)

        if args['report_dir']:
            report = _health.build_report(verdict, host, now)
            try:
                result['report_paths'] = _reports.write_reports(report, args['report_dir'], args['formats'])
            except OSError as e:
                warnings.append('Failed to write the health report to %s: %s' % (args['report_dir'], to_native(e)))

        result.update(
            changed=False, healthy=verdict['healthy'], status=summary['status'], summary=summary,
            findings=verdict['findings'], blockers=verdict['blockers'], warnings_ids=verdict['warnings_ids'],
            rule_results=verdict['results'], repairs=_health.plan_repairs(host_info, logon_rights,
                                                                          verdict['findings'], options),
            since=since_text, since_from=since_from, checked_at=checked_at,
            message='' if verdict['healthy'] else _findings.failure_message(
                'Agent health on %s:' % host, verdict['findings'], args['report_dir']),
            events=_health.agent_events(options.get('scm_events'), since), host_info=host_info,
            logon_rights=logon_rights)
        if warnings:
            result['warnings'] = warnings
        if deprecations(task_vars):
            result['deprecations'] = deprecations(task_vars)
        if args['fail_on_blocker'] and verdict['blockers']:
            result['failed'] = True
            result['msg'] = result['message']
        return result

# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sync_services: gather the Entra Connect Sync (ADSync) service's account and logon rights
(service_account_info, logon_right_info) and judge them on the controller with the sync-service
rules. Thin: gather, call plugin_utils, shape. Read-only on the target."""

from __future__ import annotations

from typing import Any

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils._gathering import GatheringAction, deprecations
from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _reports, _sync_services, _windows


class ActionModule(GatheringAction):

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('service_name', 'service_info', 'logon_rights', 'plan_repairs', 'report_dir'))

    ARGSPEC = dict(
        service_name=dict(type='str', default=_windows.ADSYNC_SERVICE),
        service_info=dict(type='dict'),
        logon_rights=dict(type='dict'),
        plan_repairs=dict(type='bool', default=True),
        report_dir=dict(type='path'),
    )

    def run(self, tmp: Any = None, task_vars: dict | None = None) -> dict:
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        dummy_validation, args = self.validate_argument_spec(argument_spec=self.ARGSPEC)
        name = args['service_name']
        service_info = args['service_info']
        if service_info is None:
            service_info = self._gather('service_account_info', {'name': [name]}, task_vars)
        logon_rights = args['logon_rights']
        if logon_rights is None:
            rights = list(_windows.ADSYNC_RIGHTS) + [_windows.deny_twin(r) for r in _windows.ADSYNC_RIGHTS]
            logon_rights = self._gather_rights({'rights': rights}, task_vars)
        warnings = [w for src in (service_info, logon_rights) for w in src.get('warnings') or []]

        verdict = _sync_services.evaluate(service_info, logon_rights, name)
        host = (task_vars or {}).get('inventory_hostname')
        for f in verdict['findings']:
            f['host'] = host
        if args['report_dir']:
            report = _reports.build_report(findings=verdict['findings'],
                                           rule_results=[dict(r, host=host) for r in verdict['results']],
                                           hosts=[host] if host else [])
            try:
                result['report_paths'] = _reports.write_reports(report, args['report_dir'])
            except OSError as e:
                warnings.append('Failed to write the sync service report to %s: %s' % (args['report_dir'], to_native(e)))

        repairs = _sync_services.plan_repairs(service_info, logon_rights, name) if args['plan_repairs'] else []
        result.update(changed=False, healthy=verdict['healthy'], findings=verdict['findings'],
                      blockers=verdict['blockers'], warnings_ids=verdict['warnings_ids'], rule_results=verdict['results'],
                      repairs=repairs, message=_sync_services.message(verdict, host, name, args['report_dir']),
                      service_info=service_info, logon_rights=logon_rights)
        if warnings:
            result['warnings'] = warnings
        if deprecations(task_vars):
            result['deprecations'] = deprecations(task_vars)
        return result

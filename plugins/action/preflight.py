# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""preflight: gather host facts (agent_host_info, logon_right_info) and judge them
on the controller with the prerequisite rules. Thin: gather, call plugin_utils, shape."""

from __future__ import annotations

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils._gathering import GatheringAction
from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _catalog, _reports, _rules


class ActionModule(GatheringAction):

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset((
        'host_info', 'logon_rights', 'cloud', 'probe_endpoints', 'endpoint_sources', 'domain_facts', 'gmsa_name',
        'custom_gmsa', 'sync_service_account', 'tier0_acknowledged', 'server_2025_min_ubr', 'report_dir',
        'agent_service_name'))

    ARGSPEC = dict(
        host_info=dict(type='dict'),
        logon_rights=dict(type='dict'),
        cloud=dict(type='str', default='public', choices=_catalog.cloud_names()),
        probe_endpoints=dict(type='bool', default=False),
        endpoint_sources=dict(type='list', elements='str', choices=sorted(_catalog.SOURCES)),
        domain_facts=dict(type='dict'),
        gmsa_name=dict(type='str'),
        custom_gmsa=dict(type='bool', default=False),
        sync_service_account=dict(type='str'),
        tier0_acknowledged=dict(type='bool', default=False),
        server_2025_min_ubr=dict(type='int'),
        report_dir=dict(type='path'),
        agent_service_name=dict(type='str', default='AADConnectProvisioningAgent'),
    )

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        validation_result, args = self.validate_argument_spec(argument_spec=self.ARGSPEC)
        warnings = []

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
            logon_rights = self._gather('logon_right_info', {}, task_vars)
        for src in (host_info, logon_rights):
            warnings.extend(src.get('warnings') or [])

        options = {k: args[k] for k in ('gmsa_name', 'custom_gmsa', 'sync_service_account', 'tier0_acknowledged',
                                        'server_2025_min_ubr') if args[k] is not None}
        verdict = _rules.evaluate(host_info, logon_rights, args['domain_facts'], options)
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

        result.update(changed=False, findings=verdict['findings'], blockers=verdict['blockers'],
                      warnings_ids=verdict['warnings_ids'], ready=verdict['ready'], rule_results=verdict['results'],
                      host_info=host_info, logon_rights=logon_rights, cloud=_catalog.get_cloud(args['cloud']))
        if warnings:
            result['warnings'] = warnings
        return result

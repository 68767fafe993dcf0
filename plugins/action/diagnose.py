# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""diagnose: run the diagnosis engine on the controller over an agent_evidence
result and/or files on the controller, write the reports. Never touches the target."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _diagnosis, _reports


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False   # controller only: works with the implicit localhost and no inventory
    _VALID_ARGS = frozenset(('evidence', 'evidence_path', 'findings', 'host', 'report_dir', 'formats', 'max_line_bytes',
                             'fail_on_blocker'))

    ARGSPEC = dict(
        evidence=dict(type='raw'),
        evidence_path=dict(type='list', elements='path'),
        findings=dict(type='list', elements='dict', default=[]),
        host=dict(type='str'),
        report_dir=dict(type='path'),
        formats=dict(type='list', elements='str', default=['json', 'markdown', 'html', 'junit'],
                     choices=['json', 'markdown', 'html', 'junit']),
        max_line_bytes=dict(type='int', default=65536),
        fail_on_blocker=dict(type='bool', default=False),
    )

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        validation_result, args = self.validate_argument_spec(argument_spec=self.ARGSPEC)
        if not args['evidence'] and not args['evidence_path']:
            raise AnsibleActionFail('Failed to diagnose: give evidence (an agent_evidence result) or evidence_path.')
        evidence = args['evidence']
        if evidence is not None and not isinstance(evidence, (dict, list)):
            raise AnsibleActionFail('Failed to diagnose: evidence must be an agent_evidence result (a dict) or a list of them.')
        if args['max_line_bytes'] < 1024:
            raise AnsibleActionFail('Failed to diagnose: max_line_bytes must be at least 1024.')

        d = _diagnosis.diagnose(paths=args['evidence_path'] or [], agent_evidence=evidence,
                                findings=args['findings'], limits={'max_line': args['max_line_bytes']})
        host = args['host']
        for rc in d['root_causes']:
            rc['host'] = host
        report = _reports.build_report(root_causes=d['root_causes'], findings=d['findings'], inputs=d['inputs'],
                                       cause_ids=[c['id'] for c in _diagnosis.CAUSES],
                                       hosts=[host] if host else [], signals=d['signals'],
                                       unexplained_errors=d['unexplained_errors'])
        if args['report_dir']:
            try:
                result['report_paths'] = _reports.write_reports(report, args['report_dir'], args['formats'])
            except OSError as e:
                raise AnsibleActionFail('Failed to write reports to %s: %s' % (args['report_dir'], to_native(e)))
        result.update(changed=False, root_causes=d['root_causes'], summary=report['summary'], inputs=d['inputs'],
                      blockers=[rc['id'] for rc in d['root_causes'] if rc['severity'] == 'blocker'])
        input_warnings = ['%s: %s' % (i['path'], w) for i in d['inputs'] for w in i['warnings']]
        if input_warnings:
            result['input_warnings'] = input_warnings
        if args['fail_on_blocker'] and not report['summary']['healthy']:
            result['failed'] = True
            ids = [x['id'] for x in d['root_causes'] + list(args['findings']) if x.get('severity') == 'blocker']
            result['msg'] = 'Diagnosis found blockers: %s' % ', '.join(ids)
        return result

# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""diagnose: run the diagnosis engine on the controller over an agent_evidence
result and/or files on the controller, write the reports. Never touches the target."""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _diagnosis, _evidence, _findings, _reports


def failed_task_evidence(failed_result, failed_task):
    """A failed task's own words as evidence: its message and installer log excerpt, as one file."""
    lines = [str(failed_result.get('msg') or '')] + [str(x) for x in failed_result.get('log_excerpt') or []]
    source = (failed_result.get('log_paths') or ['task %s' % (failed_task or 'that failed')])[0]
    kind = 'installer_log' if failed_result.get('log_excerpt') is not None else 'agent_config'
    return {'events': [], 'managed_accounts': [], 'rights': {},
            'files': [{'path': source, 'kind': kind, 'size': 0, 'truncated': False, 'content': '\n'.join(lines)}]}


def usable(result):
    """A registered result that holds something: not skipped, not failed, not absent."""
    return isinstance(result, dict) and bool(result) and not result.get('skipped') and not result.get('failed')


def missing_path_message(path):
    """Why ``path`` is missing, naming it; says so when -e key=value cut it at a space."""
    parent, base = os.path.split(os.path.abspath(path))
    try:
        longer = sorted(n for n in os.listdir(parent) if n.startswith(base + ' '))
    except OSError:
        longer = []
    msg = "evidence_path '%s' does not exist." % path
    if longer:
        whole = os.path.join(parent, longer[0])
        msg += (" '%s' does: -e key=value cuts a value at its first space. Pass the path as JSON: "
                "-e '{\"evidence_path\": \"%s\"}'" % (whole, whole))
    return msg


def report_dir_conflict(report_dir, paths):
    """The evidence folder ``report_dir`` is, or lies in (the next run would read its reports back)."""
    target = os.path.realpath(report_dir)
    for p in paths:
        folder = os.path.realpath(p)
        if os.path.isdir(folder) and (target == folder or target.startswith(folder.rstrip(os.sep) + os.sep)):
            return p
    return None


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False   # controller only: works with the implicit localhost and no inventory
    _VALID_ARGS = frozenset(('evidence', 'evidence_path', 'findings', 'host', 'report_dir', 'formats', 'max_line_bytes',
                             'fail_on_blocker', 'fail_on_inconclusive', 'allow_symlinked_report_dir',
                             'failed_result', 'failed_task', 'logon_rights'))

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
        fail_on_inconclusive=dict(type='bool', default=False),
        allow_symlinked_report_dir=dict(type='bool', default=False),
        failed_result=dict(type='dict'),
        failed_task=dict(type='str'),
        logon_rights=dict(type='dict'),
    )

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        validation_result, args = self.validate_argument_spec(argument_spec=self.ARGSPEC)
        if not args['evidence'] and not args['evidence_path'] and not args['failed_result']:
            raise AnsibleActionFail('Failed to diagnose: give evidence (an agent_evidence result), evidence_path '
                                    'or failed_result.')
        evidence = args['evidence']
        if evidence is not None and not isinstance(evidence, (dict, list)):
            raise AnsibleActionFail('Failed to diagnose: evidence must be an agent_evidence result (a dict) or a list of them.')
        # A registered agent_evidence that failed or was skipped holds nothing to read; the failed task's
        # own result and logon rights read again after the failure are evidence too.
        evidence = [e for e in (evidence if isinstance(evidence, list) else [evidence] if evidence else []) if usable(e)]
        if usable(args['logon_rights']) and args['logon_rights'].get('rights'):
            evidence.append({'events': [], 'managed_accounts': [], 'files': [], 'rights': args['logon_rights']['rights']})
        if args['failed_result']:
            evidence.append(failed_task_evidence(args['failed_result'], args['failed_task']))
        evidence = evidence or None
        max_line = int(args['max_line_bytes'])
        if not 1024 <= max_line <= _evidence.MAX_LINE_CAP:
            raise AnsibleActionFail('Failed to diagnose: max_line_bytes must be between 1024 and %d.' % _evidence.MAX_LINE_CAP)
        paths = [str(p) for p in args['evidence_path'] or []]
        missing = [missing_path_message(p) for p in paths if not os.path.lexists(p)]
        if missing:
            raise AnsibleActionFail('Failed to diagnose: %s' % ' '.join(missing))
        report_dir = os.path.abspath(args['report_dir']) if args['report_dir'] else None
        if report_dir and report_dir_conflict(report_dir, paths):
            raise AnsibleActionFail('Failed to diagnose: report_dir %s is inside the evidence folder %s; the next run '
                                    'would read its reports as evidence. Choose another report_dir.'
                                    % (report_dir, report_dir_conflict(report_dir, paths)))

        d = _diagnosis.diagnose(paths=paths, agent_evidence=evidence,
                                findings=args['findings'], limits={'max_line': max_line})
        host = args['host']
        for rc in d['root_causes']:
            rc['host'] = host
        reasons = _reports.inconclusive_reasons(d['inputs'])
        report = _reports.build_report(root_causes=d['root_causes'], findings=d['findings'], inputs=d['inputs'],
                                       cause_ids=[c['id'] for c in _diagnosis.CAUSES],
                                       hosts=[host] if host else [], signals=d['signals'], inconclusive=reasons,
                                       unexplained_errors=d['unexplained_errors'])
        if report_dir:
            try:
                result['report_paths'] = _reports.write_reports(report, report_dir, args['formats'],
                                                                allow_symlink=args['allow_symlinked_report_dir'])
            except (OSError, ValueError) as e:
                raise AnsibleActionFail('Failed to write reports to %s: %s' % (report_dir, to_native(e)))
        result.update(changed=False, root_causes=d['root_causes'], summary=report['summary'], inputs=d['inputs'],
                      blockers=[rc['id'] for rc in d['root_causes'] if rc['severity'] == 'blocker'])
        input_warnings = ['%s: %s' % (i['path'], w) for i in d['inputs'] for w in i['warnings']]
        if input_warnings:
            result['input_warnings'] = input_warnings
        if args['failed_result'] is not None:
            # The text a role fails with: what failed, then each root cause with its evidence and fix.
            where = " on %s" % host if host else ''
            task = " at '%s'" % args['failed_task'] if args['failed_task'] else ''
            heading = 'Installing or registering the agent failed%s%s: %s' % (where, task, args['failed_result'].get('msg') or '')
            paths = ', '.join((result.get('report_paths') or {}).values()) or None
            result['message'] = _findings.failure_message(heading, d['root_causes'], paths)
        if args['fail_on_blocker'] and report['summary']['blockers']:
            result['failed'] = True
            ids = [x['id'] for x in d['root_causes'] + list(args['findings']) if x.get('severity') == 'blocker']
            result['msg'] = 'Diagnosis found blockers: %s' % ', '.join(ids)
        elif args['fail_on_inconclusive'] and report['summary']['status'] == 'inconclusive':
            result['failed'] = True
            result['msg'] = 'Diagnosis inconclusive, not all evidence was read: %s' % '; '.join(reasons)
        return result

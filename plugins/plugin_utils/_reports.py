# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reports people and CI read: report.json (schema: docs/report.schema.json),
report.md, a self-contained report.html (no external assets) and
report.junit.xml (one test case per rule / cause, so CI and AWX show pass/fail).
"""

from __future__ import annotations

import datetime
import html
import json
import os
import re
import tempfile
from xml.sax.saxutils import escape as xml_escape, quoteattr

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils._findings import SEVERITY_RANK, sort_findings

SCHEMA_VERSION = 1
FILES = {'json': 'report.json', 'markdown': 'report.md', 'html': 'report.html', 'junit': 'report.junit.xml'}
# Written in every format near the top: how a report folder read back as evidence is recognised.
_OWN_MARKERS = (b'hybrid_identity.entra_sync', b'Entra cloud sync agent diagnosis')
_OWN_TEMP = re.compile(r'^\.report\.[\w.]+\.tmp$')   # mkstemp names below, left by a killed run
VERDICTS = {'healthy': 'Healthy', 'not_healthy': 'Not healthy', 'inconclusive': 'Inconclusive'}


def is_own_report(name, head):
    """True for a report file this collection wrote (a report folder given as evidence)."""
    return (name in FILES.values() or bool(_OWN_TEMP.match(name))) and any(m in head[:8192] for m in _OWN_MARKERS)


def inconclusive_reasons(inputs):
    """Why a diagnosis cannot say "healthy": no input read, or an input skipped or refused."""
    inputs = list(inputs or [])
    reasons = [] if any(i['status'] in ('read', 'partial') for i in inputs) else ['no input was read']
    reasons += ['%s: %s' % (i['path'], (i.get('warnings') or [i['status']])[0])
                for i in inputs if i['status'] in ('skipped', 'refused')]
    return reasons


def build_report(root_causes=(), findings=(), inputs=(), rule_results=(), cause_ids=(), hosts=None,
                 signals=None, now=None, unexplained_errors=None, inconclusive=None):
    """Assemble the report dict.

    ``inconclusive``: reasons the evidence was not all read (see
    :func:`inconclusive_reasons`), or None when the report rests on no evidence files
    (preflight, health). Any reason makes the status ``inconclusive`` unless a
    blocker was found; each becomes an errored test case.

    ``rule_results``: preflight results [{id, status, message, source, host?}];
    ``cause_ids``: every diagnosis cause id (each becomes a test case, failed
    when it is among ``root_causes``). Findings and root causes may carry ``host``.
    ``unexplained_errors``: error codes and exception types the diagnosis recognised but no
    root cause explains (so evidence that held errors never reads as "nothing found").
    """
    root_causes = sort_findings(list(root_causes or []))
    findings = sort_findings(list(findings or []))
    inputs = list(inputs or [])
    rules = []
    for r in rule_results or []:
        rules.append({'id': r['id'], 'host': r.get('host'), 'kind': 'preflight', 'status': r['status'],
                      'severity': r.get('severity'), 'message': r.get('message', ''), 'source': r.get('source')})
    found = {}
    for rc in root_causes:
        found.setdefault((rc['id'], rc.get('host')), rc)
    rc_hosts = sorted(set(str(rc['host']) for rc in root_causes if rc.get('host')))
    cause_hosts = (list(hosts) if hosts else rc_hosts or [None]) if cause_ids else []
    nothing_read = bool(inconclusive) and inconclusive[0] == 'no input was read'
    for host in cause_hosts:
        for cid in cause_ids:
            rc = found.get((cid, host))
            rules.append({'id': cid, 'host': host, 'kind': 'diagnosis',
                          'status': 'failed' if rc else 'skipped' if nothing_read else 'passed',
                          'severity': rc['severity'] if rc else None,
                          'message': ('%s (confidence %.2f)' % (rc['title'], rc['confidence'])) if rc else
                          'not checked: no input was read' if nothing_read else 'not indicated by the evidence',
                          'source': 'diagnosis'})
    for reason in inconclusive or []:
        rules.append({'id': 'evidence_read', 'host': None, 'kind': 'input', 'status': 'errored', 'severity': None,
                      'message': reason, 'source': 'inputs'})
    for r in rules:
        if r['severity'] is None:
            del r['severity']
    all_items = root_causes + findings
    if hosts is None:
        hosts = sorted(set(str(x.get('host')) for x in all_items if x.get('host')))
    summary = {
        'blockers': sum(1 for x in all_items if x['severity'] == 'blocker'),
        'warnings': sum(1 for x in all_items if x['severity'] == 'warning'),
        'infos': sum(1 for x in all_items if x['severity'] == 'info'),
        'input_warnings': sum(len(i.get('warnings') or []) for i in inputs),
        'top_root_cause': root_causes[0]['id'] if root_causes else None,
    }
    # Errors that no known cause explains are not health: the report says it cannot judge them.
    doubts = list(inconclusive or [])
    if unexplained_errors and not root_causes:
        doubts.append('%d error(s) in the evidence match no known cause (see unexplained errors)' % len(unexplained_errors))
    summary['inconclusive'] = doubts
    summary['status'] = 'not_healthy' if summary['blockers'] else 'inconclusive' if doubts else 'healthy'
    summary['healthy'] = summary['status'] == 'healthy'
    now = now or datetime.datetime.now(datetime.timezone.utc)
    report = {'schema_version': SCHEMA_VERSION, 'generated_at': now.strftime('%Y-%m-%dT%H:%M:%SZ'),
              'generator': 'hybrid_identity.entra_sync', 'hosts': list(hosts), 'summary': summary,
              'root_causes': root_causes, 'findings': findings, 'inputs': inputs, 'rules': rules}
    if signals is not None:
        report['signals'] = dict(signals)
    report['unexplained_errors'] = list(unexplained_errors or [])
    return report


def _groups(report):
    """[(host label, root causes, findings)] with blockers first inside each."""
    hosts = []
    for x in report['root_causes'] + report['findings']:
        h = x.get('host')
        if h not in hosts:
            hosts.append(h)
    if not hosts:
        hosts = [None]
    out = []
    for h in hosts:
        out.append((h or 'evidence', [r for r in report['root_causes'] if r.get('host') == h],
                    [f for f in report['findings'] if f.get('host') == h]))
    return out


def render_markdown(report):
    s = report['summary']
    lines = ['# Entra cloud sync agent diagnosis', '',
             'Generated %s. **%s**: %d blocker(s), %d warning(s), %d input warning(s).' % (
                 report['generated_at'], _verdict(s), s['blockers'],
                 s['warnings'], s['input_warnings']), '']
    if s.get('inconclusive'):
        lines += ['Not all evidence was read, so no problem found does not mean healthy:', '']
        lines += ['- %s' % _md(reason) for reason in s['inconclusive']] + ['']
    for host, causes, findings in _groups(report):
        lines += ['## %s' % host, '']
        for title, items in (('Root causes', causes), ('Preflight findings', findings)):
            if not items:
                continue
            lines += ['### %s' % title, '', '| severity | id | title | confidence | automatic fix |',
                      '|---|---|---|---|---|']
            for x in items:
                lines.append('| %s | `%s` | %s | %s | %s |' % (
                    x['severity'], x['id'], _md(x['title']),
                    '%.2f' % x['confidence'] if 'confidence' in x else '-',
                    'yes' if x['remediation']['automatic'] else 'no'))
            lines.append('')
            for x in items:
                lines += ['#### `%s`: %s' % (x['id'], _md(x['title'])), '']
                if x.get('detail'):
                    lines += [_md(x['detail']), '']
                lines += ['- **Fix:** %s' % _md(x['remediation']['summary']),
                          '- **How:** %s' % _md(x['remediation']['how']),
                          '- **Reference:** %s' % x['reference']]
                if x.get('source'):
                    lines.append('- **Rests on:** %s' % _md(str(x['source'])))
                if x['evidence']:
                    lines += ['- **Evidence:**', '']
                    for e in x['evidence']:
                        lines.append('  - `%s`%s: %s' % (_md(e['source']), '' if e['line'] is None else ':%s' % e['line'],
                                                         _md(e['text'])))
                lines.append('')
        if not causes and not findings:
            lines += ['No root cause found in the evidence.' if report.get('unexplained_errors')
                      else 'No problem found in the evidence.', '']
    if report.get('unexplained_errors'):
        lines += ['## Errors recognised but not explained', '', '| error | meaning | seen | first seen in | reference |',
                  '|---|---|---|---|---|']
        for u in report['unexplained_errors']:
            ev = u['evidence']
            lines.append('| `%s` | %s | %d | `%s`%s | %s |' % (
                _md(u['notation']), _md(u['meaning']), u['count'], _md(ev['source']),
                '' if ev['line'] is None else ':%s' % ev['line'], u['reference']))
        lines.append('')
    lines += ['## Inputs', '', '| input | kind | status | warnings |', '|---|---|---|---|']
    for i in report['inputs']:
        lines.append('| `%s` | %s | %s | %s |' % (_md(i['path']), i['kind'], i['status'],
                                                  _md('; '.join(i['warnings'])) or '-'))
    return '\n'.join(lines) + '\n'


def _verdict(summary):
    return VERDICTS[summary.get('status') or ('healthy' if summary['healthy'] else 'not_healthy')]


def _md(text):
    return str(text).replace('|', '\\|').replace('\r', ' ').replace('\n', ' ')


_CSS = """
body{font-family:Segoe UI,Helvetica,Arial,sans-serif;margin:2em;color:#1b1b1b;max-width:1200px}
h1{font-size:1.5em}h2{border-bottom:2px solid #ccc;padding-bottom:.2em;margin-top:1.5em}
table{border-collapse:collapse;width:100%;margin:.5em 0 1em}th,td{border:1px solid #ccc;padding:.35em .5em;
text-align:left;vertical-align:top}th{background:#f2f2f2}.sev{font-weight:bold;text-transform:uppercase;font-size:.8em}
.blocker .sev{color:#fff;background:#b00020}.warning .sev{background:#ffd54f}.info .sev{background:#e0e0e0}
.summary{padding:.7em 1em;border-radius:4px}.ok{background:#e6f4ea}.bad{background:#fde7e9}.unknown{background:#fff4ce}
pre{white-space:pre-wrap;word-break:break-all;margin:0;font-size:.85em;background:#fafafa;padding:.3em}
code{font-size:.9em;word-break:break-all}.ev td{font-size:.85em}
td.evidence{width:45%}details summary{cursor:pointer}
"""


def render_html(report):
    e = html.escape
    s = report['summary']
    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<title>Entra cloud sync agent diagnosis</title><style>%s</style></head><body>' % _CSS,
           '<h1>Entra cloud sync agent diagnosis</h1>',
           '<p class="summary %s"><strong>%s</strong>: %d blocker(s), %d warning(s), %d input warning(s). Generated %s.</p>'
           % ({'healthy': 'ok', 'inconclusive': 'unknown'}.get(s.get('status'), 'bad' if not s['healthy'] else 'ok'),
              _verdict(s), s['blockers'], s['warnings'], s['input_warnings'], e(report['generated_at']))]
    if s.get('inconclusive'):
        out.append('<p class="summary unknown">Not all evidence was read, so no problem found does not mean healthy:'
                   '</p><ul>%s</ul>' % ''.join('<li><code>%s</code></li>' % e(r) for r in s['inconclusive']))
    for host, causes, findings in _groups(report):
        out.append('<h2>%s</h2>' % e(host))
        items = sorted([('root cause', x) for x in causes] + [('preflight', x) for x in findings],
                       key=lambda t: (SEVERITY_RANK.get(t[1]['severity'], 9), -t[1].get('confidence', 0)))
        if not items:
            out.append('<p>%s</p>' % ('No root cause found in the evidence.' if report.get('unexplained_errors')
                                      else 'No problem found in the evidence.'))
            continue
        out.append('<table><thead><tr><th>severity</th><th>kind</th><th>id / title</th><th>confidence</th>'
                   '<th>remediation</th><th>evidence</th></tr></thead><tbody>')
        for kind, x in items:
            # Source above its text in one cell: a long path must not push the text out of view.
            ev_rows = ''.join('<tr><td><code>%s%s</code><pre>%s</pre></td></tr>' % (
                e(str(v['source'])), '' if v['line'] is None else ':' + e(str(v['line'])), e(v['text']))
                for v in x['evidence'])
            out.append(
                '<tr class="%s"><td><span class="sev">%s</span></td><td>%s</td><td><code>%s</code><br>%s%s'
                '<br><a href="%s">reference</a></td><td>%s</td><td>%s<br><small>%s</small><br>automatic: %s</td>'
                '<td class="evidence"><table class="ev">%s</table></td></tr>' % (
                    e(x['severity']), e(x['severity']), e(kind), e(x['id']), e(x['title']),
                    ('<br><em>%s</em>' % e(x['detail'])) if x.get('detail') else '', e(x['reference'], quote=True),
                    '%.2f' % x['confidence'] if 'confidence' in x else '-', e(x['remediation']['summary']),
                    e(x['remediation']['how']), 'yes' if x['remediation']['automatic'] else 'no', ev_rows or
                    '<tr><td>-</td></tr>'))
        out.append('</tbody></table>')
    if report.get('unexplained_errors'):
        out.append('<h2>Errors recognised but not explained</h2><table><thead><tr><th>error</th><th>meaning</th>'
                   '<th>seen</th><th>first seen in</th></tr></thead><tbody>')
        for u in report['unexplained_errors']:
            ev = u['evidence']
            out.append('<tr><td><code>%s</code></td><td>%s<br><a href="%s">reference</a></td><td>%d</td>'
                       '<td><code>%s%s</code><pre>%s</pre></td></tr>' % (
                           e(u['notation']), e(u['meaning']), e(u['reference'], quote=True), u['count'],
                           e(str(ev['source'])), '' if ev['line'] is None else ':' + e(str(ev['line'])), e(ev['text'])))
        out.append('</tbody></table>')
    out.append('<h2>Inputs</h2><table><thead><tr><th>input</th><th>kind</th><th>status</th><th>warnings</th></tr>'
               '</thead><tbody>')
    for i in report['inputs']:
        out.append('<tr><td><code>%s</code></td><td>%s</td><td>%s</td><td>%s</td></tr>' % (
            e(i['path']), e(i['kind']), e(i['status']), '<br>'.join(e(w) for w in i['warnings']) or '-'))
    out.append('</tbody></table>')
    failed = [r for r in report['rules'] if r['status'] == 'failed']
    out.append('<details><summary>%d checks, %d failed</summary><table><tbody>%s</tbody></table></details>' % (
        len(report['rules']), len(failed), ''.join('<tr><td>%s</td><td><code>%s</code></td><td>%s</td><td>%s</td></tr>' % (
            e(r['kind']), e(r['id']), e(r['status']), e(r.get('message') or '')) for r in report['rules'])))
    out.append('</body></html>')
    return '\n'.join(out)


def render_junit(report):
    suites = {}
    for r in report['rules']:
        suites.setdefault((r.get('host') or 'evidence', r['kind']), []).append(r)
    body = []
    total = fail = skip = err = 0
    for (host, kind), rules in sorted(suites.items()):
        f = sum(1 for r in rules if r['status'] == 'failed')
        sk = sum(1 for r in rules if r['status'] == 'skipped')
        er = sum(1 for r in rules if r['status'] == 'errored')
        total, fail, skip, err = total + len(rules), fail + f, skip + sk, err + er
        body.append('  <testsuite name=%s tests="%d" failures="%d" errors="%d" skipped="%d">' % (
            quoteattr('%s.%s' % (kind, host)), len(rules), f, er, sk))
        for r in rules:
            body.append('    <testcase classname=%s name=%s>' % (quoteattr('entra_sync.%s.%s' % (kind, host)),
                                                                 quoteattr(r['id'])))
            if r['status'] == 'failed':
                body.append('      <failure type=%s message=%s>%s</failure>' % (
                    quoteattr(r.get('severity') or 'blocker'), quoteattr(r.get('message') or ''),
                    xml_escape('source: %s' % (r.get('source') or ''))))
            elif r['status'] == 'skipped':
                body.append('      <skipped message=%s/>' % quoteattr(r.get('message') or ''))
            elif r['status'] == 'errored':
                body.append('      <error type="inconclusive" message=%s/>' % quoteattr(r.get('message') or ''))
            body.append('    </testcase>')
        body.append('  </testsuite>')
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="hybrid_identity.entra_sync" tests="%d" ' \
           'failures="%d" errors="%d" skipped="%d">' % (total, fail, err, skip)
    return '\n'.join([head] + body + ['</testsuites>']) + '\n'


def write_reports(report, report_dir, formats=('json', 'markdown', 'html', 'junit'), allow_symlink=False):
    """Write the report files; returns {format: path}.

    Each file is written to a new temporary file in ``report_dir`` (``mkstemp``:
    created exclusively, never through an existing link) and renamed over the
    report, so a link planted at a report or temp name is replaced, not followed.
    A ``report_dir`` that is itself a link is refused unless ``allow_symlink``
    (the user named it). Raises OSError or ValueError.
    """
    report_dir = os.path.abspath(report_dir)
    if os.path.islink(report_dir) and not allow_symlink:
        raise ValueError('%s is a symbolic link (to %s); give it explicitly as report_dir to write there'
                         % (report_dir, os.path.realpath(report_dir)))
    os.makedirs(report_dir, exist_ok=True)
    renderers = {'json': lambda r: json.dumps(r, indent=2, sort_keys=False, default=str) + '\n',
                 'markdown': render_markdown, 'html': render_html, 'junit': render_junit}
    umask = os.umask(0)
    os.umask(umask)
    paths = {}
    for fmt in formats:
        path = os.path.join(report_dir, FILES[fmt])
        fd, tmp = tempfile.mkstemp(prefix='.%s.' % FILES[fmt], suffix='.tmp', dir=report_dir)
        try:
            with os.fdopen(fd, 'w', encoding='utf-8') as fh:
                fh.write(renderers[fmt](report))
            os.chmod(tmp, 0o666 & ~umask)   # as open() would have made it; mkstemp makes 0600
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        paths[fmt] = path
    return paths


def schema_path():
    """docs/report.schema.json of this collection (None when not shipped)."""
    here = os.path.dirname(os.path.abspath(__file__))
    p = os.path.join(here, '..', '..', 'docs', 'report.schema.json')
    return os.path.normpath(p) if os.path.exists(p) else None

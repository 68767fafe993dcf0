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
from xml.sax.saxutils import escape as xml_escape, quoteattr

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils._findings import SEVERITY_RANK, sort_findings

SCHEMA_VERSION = 1
FILES = {'json': 'report.json', 'markdown': 'report.md', 'html': 'report.html', 'junit': 'report.junit.xml'}


def build_report(root_causes=(), findings=(), inputs=(), rule_results=(), cause_ids=(), hosts=None,
                 signals=None, now=None, unexplained_errors=None):
    """Assemble the report dict.

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
    for host in cause_hosts:
        for cid in cause_ids:
            rc = found.get((cid, host))
            rules.append({'id': cid, 'host': host, 'kind': 'diagnosis',
                          'status': 'failed' if rc else 'passed',
                          'severity': rc['severity'] if rc else None,
                          'message': ('%s (confidence %.2f)' % (rc['title'], rc['confidence'])) if rc else 'not indicated by the evidence',
                          'source': 'diagnosis'})
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
    summary['healthy'] = summary['blockers'] == 0
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
                 report['generated_at'], 'Healthy' if s['healthy'] else 'Not healthy', s['blockers'],
                 s['warnings'], s['input_warnings']), '']
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


def _md(text):
    return str(text).replace('|', '\\|').replace('\r', ' ').replace('\n', ' ')


_CSS = """
body{font-family:Segoe UI,Helvetica,Arial,sans-serif;margin:2em;color:#1b1b1b;max-width:1200px}
h1{font-size:1.5em}h2{border-bottom:2px solid #ccc;padding-bottom:.2em;margin-top:1.5em}
table{border-collapse:collapse;width:100%;margin:.5em 0 1em}th,td{border:1px solid #ccc;padding:.35em .5em;
text-align:left;vertical-align:top}th{background:#f2f2f2}.sev{font-weight:bold;text-transform:uppercase;font-size:.8em}
.blocker .sev{color:#fff;background:#b00020}.warning .sev{background:#ffd54f}.info .sev{background:#e0e0e0}
.summary{padding:.7em 1em;border-radius:4px}.ok{background:#e6f4ea}.bad{background:#fde7e9}
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
           % ('ok' if s['healthy'] else 'bad', 'Healthy' if s['healthy'] else 'Not healthy', s['blockers'],
              s['warnings'], s['input_warnings'], e(report['generated_at']))]
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
    total = fail = skip = 0
    for (host, kind), rules in sorted(suites.items()):
        f = sum(1 for r in rules if r['status'] == 'failed')
        sk = sum(1 for r in rules if r['status'] == 'skipped')
        total, fail, skip = total + len(rules), fail + f, skip + sk
        body.append('  <testsuite name=%s tests="%d" failures="%d" skipped="%d">' % (
            quoteattr('%s.%s' % (kind, host)), len(rules), f, sk))
        for r in rules:
            body.append('    <testcase classname=%s name=%s>' % (quoteattr('entra_sync.%s.%s' % (kind, host)),
                                                                 quoteattr(r['id'])))
            if r['status'] == 'failed':
                body.append('      <failure type=%s message=%s>%s</failure>' % (
                    quoteattr(r.get('severity') or 'blocker'), quoteattr(r.get('message') or ''),
                    xml_escape('source: %s' % (r.get('source') or ''))))
            elif r['status'] == 'skipped':
                body.append('      <skipped message=%s/>' % quoteattr(r.get('message') or ''))
            body.append('    </testcase>')
        body.append('  </testsuite>')
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="hybrid_identity.entra_sync" tests="%d" ' \
           'failures="%d" skipped="%d">' % (total, fail, skip)
    return '\n'.join([head] + body + ['</testsuites>']) + '\n'


def write_reports(report, report_dir, formats=('json', 'markdown', 'html', 'junit')):
    """Write the report files; returns {format: path}."""
    os.makedirs(report_dir, exist_ok=True)
    renderers = {'json': lambda r: json.dumps(r, indent=2, sort_keys=False, default=str) + '\n',
                 'markdown': render_markdown, 'html': render_html, 'junit': render_junit}
    paths = {}
    for fmt in formats:
        path = os.path.join(report_dir, FILES[fmt])
        tmp = path + '.tmp'
        with open(tmp, 'w', encoding='utf-8') as fh:
            fh.write(renderers[fmt](report))
        os.replace(tmp, path)
        paths[fmt] = path
    return paths


def schema_path():
    """docs/report.schema.json of this collection (None when not shipped)."""
    here = os.path.dirname(os.path.abspath(__file__))
    p = os.path.join(here, '..', '..', 'docs', 'report.schema.json')
    return os.path.normpath(p) if os.path.exists(p) else None

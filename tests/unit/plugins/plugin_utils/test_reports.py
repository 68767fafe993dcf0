# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""report.json follows docs/report.schema.json; HTML is self-contained; JUnit has one case per rule."""
from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _diagnosis, _reports, _rules
from entra_fixtures import EVIDENCE, ROOT, load

SCHEMA = json.load(open(os.path.join(ROOT, 'docs', 'report.schema.json')))


def full_report(tmp_path):
    pre = _rules.evaluate(load('agent_host_info', 'tls12_disabled'), load('logon_right_info', 'all_services_missing'))
    for f in pre['findings']:
        f['host'] = 'sync01'
    for r in pre['results']:
        r['host'] = 'sync01'
    bad = tmp_path / 'junk.bin'
    bad.write_bytes(os.urandom(3000))
    d = _diagnosis.diagnose([os.path.join(EVIDENCE, 'gpo_right'), str(bad)],
                            agent_evidence=load('agent_evidence', 'logon_right_7041'))
    for rc in d['root_causes']:
        rc['host'] = 'sync01'
    return _reports.build_report(d['root_causes'], pre['findings'], d['inputs'], pre['results'],
                                 [c['id'] for c in _diagnosis.CAUSES], signals=d['signals'])


def test_schema_is_valid_and_shipped_where_the_code_finds_it():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert _reports.schema_path() and os.path.samefile(_reports.schema_path(),
                                                       os.path.join(ROOT, 'docs', 'report.schema.json'))


def test_written_report_json_validates(tmp_path):
    paths = _reports.write_reports(full_report(tmp_path), str(tmp_path / 'out'))
    data = json.load(open(paths['json']))
    jsonschema.validate(data, SCHEMA)
    assert data['summary']['healthy'] is False
    assert data['root_causes'][0]['severity'] == 'blocker'
    assert any(i['status'] == 'skipped' and i['warnings'] for i in data['inputs'])


def test_schema_rejects_a_root_cause_without_confidence(tmp_path):
    data = full_report(tmp_path)
    del data['root_causes'][0]['confidence']
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)


def test_empty_healthy_report_validates():
    report = _reports.build_report(cause_ids=[c['id'] for c in _diagnosis.CAUSES])
    jsonschema.validate(json.loads(json.dumps(report)), SCHEMA)
    assert report['summary']['healthy'] is True
    assert 'No problem found' in _reports.render_markdown(report)


def test_html_is_self_contained_and_escaped(tmp_path):
    report = full_report(tmp_path)
    report['root_causes'][0]['evidence'].append({'source': 'x', 'line': 1, 'text': '<script>alert(1)</script>'})
    page = _reports.render_html(report)
    assert '<script>' not in page
    assert not re.search(r'<(link|img|script|iframe)\b', page, re.I)
    assert not re.search(r'(src|href)=["\']?(https?:)?//(?!learn\.microsoft\.com)', page)
    assert 'url(' not in page
    # blockers first inside the host table
    sev = re.findall(r'<tr class="(blocker|warning|info)">', page)
    assert sev == sorted(sev, key=['blocker', 'warning', 'info'].index)


def test_junit_one_testcase_per_rule(tmp_path):
    report = full_report(tmp_path)
    root = ET.fromstring(_reports.render_junit(report))
    cases = root.findall('.//testcase')
    pre = [c for c in cases if c.get('classname').startswith('entra_sync.preflight')]
    diag = [c for c in cases if c.get('classname').startswith('entra_sync.diagnosis')]
    assert len(pre) == len(_rules.RULES)
    assert {c.get('name') for c in diag} >= {r['id'] for r in report['root_causes']}
    failed = {c.get('name') for c in cases if c.find('failure') is not None}
    assert {'tls12_disabled', 'service_logon_right_missing_all_services', 'gmsa_logon_right_missing'} <= failed
    assert int(root.get('failures')) == len([c for c in cases if c.find('failure') is not None])


def test_markdown_lists_evidence_and_inputs(tmp_path):
    md = _reports.render_markdown(full_report(tmp_path))
    assert '## sync01' in md and '## Inputs' in md
    assert 'Member Servers Baseline' in md
    assert md.index('blocker') < md.index('warning') if 'warning' in md else True


def test_unexplained_errors_and_consequences_reach_json_markdown_and_html(tmp_path):
    log = tmp_path / 'agent.log'
    log.write_text('Unable to create gMSA because KDS may not be running on domain controller.\n'
                   'The AADConnectProvisioningAgent service was unable to log on as CONTOSO\\provAgentgMSA$ with the '
                   'currently configured password due to the following error: Logon failure: the user has not been '
                   'granted the requested logon type at this computer.\n'
                   'Connect failed: AADSTS50126: Error validating credentials due to invalid username or password.\n')
    d = _diagnosis.diagnose([str(log)])
    report = _reports.build_report(d['root_causes'], inputs=d['inputs'], unexplained_errors=d['unexplained_errors'])
    paths = _reports.write_reports(report, str(tmp_path / 'out'), ('json', 'markdown', 'html'))
    data = json.load(open(paths['json']))
    jsonschema.validate(data, SCHEMA)
    assert [u['notation'] for u in data['unexplained_errors']] == ['AADSTS50126']
    top = data['root_causes'][0]
    assert top['id'] == 'gmsa_logon_right_missing'
    assert top['consequences'][0]['message'].startswith('Unable to create gMSA because KDS')
    assert 'hybrid-sync-agent-installation-issues' in top['consequences'][0]['reference']
    md, page = open(paths['markdown']).read(), open(paths['html']).read()
    for text in (md, page):
        assert 'Errors recognised but not explained' in text and 'AADSTS50126' in text
        assert 'Judged a consequence, not the cause' in text


def test_schema_rejects_an_unexplained_error_without_meaning(tmp_path):
    log = tmp_path / 'x.log'
    log.write_text('Install failed with exit code 1618\nStartService FAILED 1326:\n')
    d = _diagnosis.diagnose([str(log)])
    report = json.loads(json.dumps(_reports.build_report(unexplained_errors=d['unexplained_errors'])))
    assert report['unexplained_errors'], 'an error number must never give an empty report'
    jsonschema.validate(report, SCHEMA)
    del report['unexplained_errors'][0]['meaning']
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, SCHEMA)


def test_errors_that_no_cause_explains_make_the_report_inconclusive_not_healthy():
    unexplained = [{'code': '0x80070005', 'meaning': 'Access is denied.', 'count': 1}]
    report = _reports.build_report(unexplained_errors=unexplained, inputs=[{'path': 'a.log', 'warnings': []}])
    assert report['summary']['status'] == 'inconclusive'
    assert report['summary']['healthy'] is False
    assert 'match no known cause' in report['summary']['inconclusive'][0]
    assert _reports.build_report(inputs=[{'path': 'a.log', 'warnings': []}])['summary']['status'] == 'healthy'

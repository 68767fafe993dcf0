# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Evidence and report folders prepared by a hostile (or careless) user (issue 13):
nothing is read or written outside its folder, nothing hangs, one bad input spoils
only itself, and a run that could not read its evidence never says healthy."""
from __future__ import annotations

import json
import os
import threading
from xml.etree import ElementTree

import pytest

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _diagnosis, _evidence, _reports

MSI_1603 = 'Error 0x80070643: Failed to install MSI package.\n'


def diag(*paths, **limits):
    return _diagnosis.diagnose([str(p) for p in paths], limits=limits or None)


def causes(res):
    return [c['id'] for c in res['root_causes']]


def record(res, suffix):
    return [i for i in res['inputs'] if i['path'].endswith(suffix)][0]


# ------------------------------------------------------------------ item 3: links leaving the folder
def test_link_to_a_file_outside_the_evidence_folder_is_not_followed(tmp_path):
    outside = tmp_path / 'outside' / 'shadow'
    outside.parent.mkdir()
    outside.write_text('root:$6$salt$hash:19000:0:99999:7:::\n' + MSI_1603)
    evidence = tmp_path / 'evidence'
    evidence.mkdir()
    (evidence / 'setup.log').write_text('nothing to see\n')
    os.symlink(outside, evidence / 'shadow.log')
    res = diag(evidence)
    assert causes(res) == []            # the outside file's 1603 line was not read
    rec = record(res, 'shadow.log')
    assert rec['status'] == 'skipped' and 'outside the evidence folder' in rec['warnings'][0]
    assert str(outside) in rec['warnings'][0]


def test_link_to_a_folder_outside_is_named_and_a_link_inside_is_read(tmp_path):
    outside = tmp_path / 'outside'
    outside.mkdir()
    (outside / 'x.log').write_text(MSI_1603)
    evidence = tmp_path / 'evidence'
    (evidence / 'logs').mkdir(parents=True)
    (evidence / 'logs' / 'trace.log').write_text('There is no such object on the server.\n')
    os.symlink(outside, evidence / 'elsewhere')
    os.symlink(evidence / 'logs' / 'trace.log', evidence / 'latest.log')
    res = diag(evidence)
    assert causes(res) == ['msa_container_missing']
    assert record(res, 'elsewhere')['status'] == 'skipped'
    assert record(res, 'latest.log')['status'] == 'read'


# ------------------------------------------------------------------ item 4: FIFOs and devices
def test_fifo_in_the_evidence_folder_is_skipped_without_hanging(tmp_path):
    (tmp_path / 'setup.log').write_text(MSI_1603)
    fifo = tmp_path / 'pipe.log'
    os.mkfifo(fifo)
    done = {}
    worker = threading.Thread(target=lambda: done.setdefault('res', diag(tmp_path)), daemon=True)
    worker.start()
    worker.join(20)
    if worker.is_alive():        # release the blocked open() so the thread ends, then fail
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        worker.join(5)
        pytest.fail('reading a folder with a FIFO did not finish')
    res = done['res']
    assert causes(res) == ['installer_failed_unknown']
    rec = record(res, 'pipe.log')
    assert rec['status'] == 'skipped' and 'FIFO' in rec['warnings'][0]


def test_character_device_named_as_evidence_is_not_read():
    res = diag('/dev/zero')
    rec = record(res, '/dev/zero')
    assert rec['status'] == 'skipped' and 'character device' in rec['warnings'][0]


# ------------------------------------------------------------------ item 5: gpresult HTML
GPRESULT_HEAD = ('<html><head><title>Group Policy Results</title></head><body>'
                 '<div>User Rights Assignment</div><table>')


def test_gpresult_html_rows_with_unclosed_cells_are_read(tmp_path):
    # gpresult /h leaves cells open; a browser (and html.parser) closes them at the next one.
    (tmp_path / 'gp.html').write_text(
        GPRESULT_HEAD + '<tr><th>Policy<th>Setting<th>Winning GPO'
        '<tr><td>Log on as a service<td>BUILTIN\\Administrators<td>Tier0 Server Hardening'
        '<tr><td>Log on as a batch job<td>BUILTIN\\Administrators</table></body></html>')
    res = diag(tmp_path / 'gp.html')
    facts = record(res, 'gp.html')
    assert facts['kind'] == 'gpresult_html' and facts['items'] == 2
    assert causes(res) == ['service_logon_right_removed_by_gpo']
    assert 'Tier0 Server Hardening' in res['root_causes'][0]['evidence'][0]['text']


def test_gpresult_html_entities_and_nested_markup_in_cells(tmp_path):
    (tmp_path / 'gp.html').write_text(
        GPRESULT_HEAD + '<tr><td><span>Log on as a service</span></td><td>BUILTIN\\Administrators<br>'
        'CONTOSO\\svc&#36;</td><td>A &amp; B Policy</td></tr></table></body></html>')
    res = diag(tmp_path / 'gp.html')
    ev = res['root_causes'][0]['evidence'][0]['text']
    assert 'A & B Policy' in ev and 'CONTOSO\\svc$' in ev


# ------------------------------------------------------------------ item 6: one input, one error
def test_an_error_in_one_reader_ends_that_input_only(tmp_path, monkeypatch):
    (tmp_path / 'a.csv').write_text('Level,Date and Time,Source,Event ID,Task Category,Message\nError,x,y,1,z,w\n')
    (tmp_path / 'b.log').write_text(MSI_1603)

    def broken(chunks, *args, **kwargs):
        for dummy in chunks:          # a generator, like the real reader, failing once it reads
            raise TypeError('limit must be an integer')
        yield None
    monkeypatch.setattr(_evidence, 'read_event_csv', broken)
    res = diag(tmp_path)
    assert causes(res) == ['installer_failed_unknown']
    rec = record(res, 'a.csv')
    assert rec['status'] == 'skipped' and 'limit must be an integer' in rec['warnings'][0]


def test_tagged_ints_from_ansible_reach_csv_as_plain_ints(tmp_path):
    class TaggedInt(int):    # what Ansible's templating hands over: an int subclass
        pass
    (tmp_path / 'a.csv').write_text('Level,Date and Time,Source,Event ID,Task Category,Message\n'
                                    'Error,1/1/2025,MsiInstaller,11708,None,"Installation failed."\n')
    (tmp_path / 'b.log').write_text(MSI_1603)
    res = diag(tmp_path, max_line=TaggedInt(65536))
    assert record(res, 'a.csv')['status'] == 'read' and record(res, 'a.csv')['items'] == 1
    assert causes(res) == ['installer_failed_unknown']


# ------------------------------------------------------------------ item 7: a few NULs
def test_a_log_with_a_few_nul_bytes_is_still_read(tmp_path):
    line = b'[0F3C:1A2B][2025-01-01T10:00:00]i000: Setting string variable WixBundleLog to C:\\x.log\r\n'
    body = line * (257 * 1024 // len(line))
    data = body[:3000] + b'\x00\x00' + body[3000:] + MSI_1603.encode()
    (tmp_path / 'setup.log').write_bytes(data)
    res = diag(tmp_path / 'setup.log')
    assert record(res, 'setup.log')['status'] == 'read'
    assert causes(res) == ['installer_failed_unknown']


@pytest.mark.parametrize('head', [b'MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00' * 64,
                                  bytes(range(256)) * 32])
def test_executables_and_random_bytes_are_still_binary(head):
    assert _evidence.looks_binary(head, 'utf-8')


# ------------------------------------------------------------------ item 9: max_line cap
def test_max_line_is_capped_whatever_the_caller_asks(tmp_path):
    reader = _evidence.Reader(limits={'max_line': 10 ** 12})
    assert reader.limits['max_line'] == _evidence.MAX_LINE_CAP
    pad = b'x' * (2 * _evidence.MAX_LINE_CAP)
    (tmp_path / 'long.log').write_bytes(pad + MSI_1603.encode().strip() + pad + b'\n')
    res = diag(tmp_path / 'long.log', max_line=10 ** 12)
    assert any('longer than %d' % _evidence.MAX_LINE_CAP in w for w in record(res, 'long.log')['warnings'])


# ------------------------------------------------------------------ item 10: own reports
def test_reports_this_tool_wrote_are_not_read_back_as_evidence(tmp_path):
    evidence = tmp_path / 'evidence'
    evidence.mkdir()
    (evidence / 'setup.log').write_text(MSI_1603)
    first = diag(evidence)
    report = _reports.build_report(root_causes=first['root_causes'], inputs=first['inputs'],
                                   inconclusive=_reports.inconclusive_reasons(first['inputs']))
    _reports.write_reports(report, str(evidence))
    (evidence / 'setup.log').unlink()
    (evidence / 'other.log').write_text('nothing\n')
    second = diag(evidence)
    assert causes(second) == []        # the old report's 1603 evidence was not read as a log
    for name in _reports.FILES.values():
        assert record(second, name)['status'] == 'ignored'
    assert _reports.inconclusive_reasons(second['inputs']) == []


def test_a_user_file_named_like_a_report_is_read(tmp_path):
    (tmp_path / 'report.md').write_text(MSI_1603)
    assert causes(diag(tmp_path)) == ['installer_failed_unknown']


# ------------------------------------------------------------------ item 2: report writes
def _report():
    return _reports.build_report(inputs=[{'path': 'a.log', 'kind': 'text_log', 'status': 'read', 'warnings': []}],
                                 inconclusive=[])


def test_links_planted_in_the_report_folder_are_replaced_not_followed(tmp_path):
    victim = tmp_path / 'victim.txt'
    victim.write_text('keep me')
    reports = tmp_path / 'reports'
    reports.mkdir()
    for name in _reports.FILES.values():
        os.symlink(victim, reports / (name + '.tmp'))
    os.symlink(victim, reports / 'report.json')
    paths = _reports.write_reports(_report(), str(reports))
    assert victim.read_text() == 'keep me'
    assert not os.path.islink(paths['json']) and json.load(open(paths['json']))['generator'] == 'hybrid_identity.entra_sync'
    assert sorted(p.name for p in reports.iterdir() if not p.name.endswith('.tmp')) == sorted(_reports.FILES.values())


def test_a_symlinked_report_folder_is_refused_unless_allowed(tmp_path):
    target = tmp_path / 'elsewhere'
    target.mkdir()
    os.symlink(target, tmp_path / 'reports')
    with pytest.raises(ValueError, match='symbolic link'):
        _reports.write_reports(_report(), str(tmp_path / 'reports'))
    assert list(target.iterdir()) == []
    _reports.write_reports(_report(), str(tmp_path / 'reports'), allow_symlink=True)
    assert (target / 'report.json').exists()


# ------------------------------------------------------------------ item 12: inconclusive
@pytest.mark.parametrize('setup', ['empty_folder', 'refused_zip_only', 'unreadable_evtx', 'evtx_without_reader'])
def test_nothing_read_is_inconclusive_in_every_format(tmp_path, monkeypatch, setup):
    if setup == 'evtx_without_reader':
        monkeypatch.setattr(_evidence, '_evtx', None)
        (tmp_path / 'System.evtx').write_bytes(_evidence.EVTX_MAGIC + b'\0' * (4096 + 65536 - 8))
    if setup == 'refused_zip_only':
        import zipfile
        with zipfile.ZipFile(tmp_path / 'slip.zip', 'w') as z:
            z.writestr('../../evil.log', MSI_1603)
    elif setup == 'unreadable_evtx':
        (tmp_path / 'System.evtx').write_bytes(b'not an evtx file at all')
    res = diag(tmp_path)
    reasons = _reports.inconclusive_reasons(res['inputs'])
    assert reasons and reasons[0] == 'no input was read'
    report = _reports.build_report(root_causes=res['root_causes'], inputs=res['inputs'],
                                   cause_ids=[c['id'] for c in _diagnosis.CAUSES], inconclusive=reasons)
    s = report['summary']
    assert s['status'] == 'inconclusive' and s['healthy'] is False
    assert '**Inconclusive**' in _reports.render_markdown(report)
    assert '<strong>Inconclusive</strong>' in _reports.render_html(report)
    junit = ElementTree.fromstring(_reports.render_junit(report))
    assert int(junit.get('errors')) == len(reasons) >= 1 and junit.get('failures') == '0'
    assert int(junit.get('skipped')) == len(_diagnosis.CAUSES)     # not "passed" on nothing


def test_one_skipped_input_beside_read_ones_is_inconclusive(tmp_path):
    (tmp_path / 'setup.log').write_text('nothing wrong here\n')
    (tmp_path / 'System.evtx').write_bytes(b'not an evtx file at all')
    res = diag(tmp_path)
    reasons = _reports.inconclusive_reasons(res['inputs'])
    assert len(reasons) == 1 and 'System.evtx' in reasons[0]
    report = _reports.build_report(inputs=res['inputs'], inconclusive=reasons,
                                   cause_ids=[c['id'] for c in _diagnosis.CAUSES])
    assert report['summary']['status'] == 'inconclusive'
    junit = ElementTree.fromstring(_reports.render_junit(report))
    assert junit.get('errors') == '1' and junit.get('skipped') == '0'


def test_a_blocker_outranks_inconclusive(tmp_path):
    (tmp_path / 'setup.log').write_text(MSI_1603)
    (tmp_path / 'System.evtx').write_bytes(b'not an evtx file at all')
    res = diag(tmp_path)
    report = _reports.build_report(root_causes=res['root_causes'], inputs=res['inputs'],
                                   inconclusive=_reports.inconclusive_reasons(res['inputs']))
    assert report['summary']['status'] == 'not_healthy' and report['summary']['inconclusive']


# ------------------------------------------------------------------ already handled; kept that way (README table)
def test_xml_entity_expansion_is_refused_not_expanded(tmp_path):
    lol = '<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">' + ''.join(
        '<!ENTITY %s "%s">' % (chr(98 + i), ('&%s;' % chr(97 + i)) * 10) for i in range(9)) + ']>'
    (tmp_path / 'events.xml').write_text('<?xml version="1.0"?>' + lol + '<Events><Event><System><EventID>7041'
                                         '</EventID></System><EventData><Data>&j;</Data></EventData></Event></Events>')
    res = diag(tmp_path / 'events.xml')
    rec = record(res, 'events.xml')
    assert rec['warnings'] and rec['items'] == 0 and causes(res) == []


def test_zips_nested_deeper_than_the_limit_are_refused(tmp_path):
    import io
    import zipfile
    data = MSI_1603.encode()
    for depth in range(5):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, 'w') as z:
            z.writestr('inner%d.zip' % depth if depth else 'setup.log', data)
        data = buf.getvalue()
    (tmp_path / 'deep.zip').write_bytes(data)
    res = diag(tmp_path / 'deep.zip')
    assert causes(res) == [] and any(i['status'] == 'refused' and 'nested deeper' in ' '.join(i['warnings'])
                                     for i in res['inputs'])


def test_shell_metacharacters_in_names_are_only_names(tmp_path):
    name = "a;$(touch pwned)`id`|&'\".log"
    (tmp_path / name).write_text(MSI_1603)
    res = diag(tmp_path)
    assert causes(res) == ['installer_failed_unknown'] and record(res, name)['status'] == 'read'
    assert not os.path.exists('pwned') and not (tmp_path / 'pwned').exists()


def test_an_error_in_one_zip_member_ends_that_member_only(tmp_path, monkeypatch):
    import zipfile
    with zipfile.ZipFile(tmp_path / 'logs.zip', 'w') as z:
        z.writestr('a.csv', 'Level,Date and Time,Source,Event ID,Task Category,Message\nError,x,y,1,z,w\n')
        z.writestr('b.log', MSI_1603)

    def broken(chunks, *args, **kwargs):
        for dummy in chunks:
            raise TypeError('limit must be an integer')
        yield None
    monkeypatch.setattr(_evidence, 'read_event_csv', broken)
    res = diag(tmp_path / 'logs.zip')
    assert causes(res) == ['installer_failed_unknown']
    assert 'limit must be an integer' in record(res, 'logs.zip!a.csv')['warnings'][0]


def test_reports_zipped_with_the_evidence_are_not_read_either(tmp_path):
    import zipfile
    report = _reports.build_report(root_causes=diag_1603(tmp_path)['root_causes'], inconclusive=[])
    with zipfile.ZipFile(tmp_path / 'handover.zip', 'w') as z:
        z.writestr('report.md', _reports.render_markdown(report))
        z.writestr('old/report.json', json.dumps(report))
        z.writestr('trace.log', 'nothing\n')
    res = diag(tmp_path / 'handover.zip')
    assert causes(res) == [] and record(res, 'zip!report.md')['status'] == 'ignored'


def diag_1603(tmp_path):
    (tmp_path / 'ev').mkdir()
    (tmp_path / 'ev' / 'setup.log').write_text(MSI_1603)
    return diag(tmp_path / 'ev')


def test_inconclusive_report_follows_the_schema(tmp_path):
    import jsonschema
    res = diag(tmp_path)
    report = _reports.build_report(inputs=res['inputs'], inconclusive=_reports.inconclusive_reasons(res['inputs']),
                                   cause_ids=[c['id'] for c in _diagnosis.CAUSES])
    with open(_reports.schema_path()) as fh:
        jsonschema.validate(json.loads(json.dumps(report)), json.load(fh))

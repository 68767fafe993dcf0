# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input never crashes the engine: it ends as an input warning, never a false blocker."""
from __future__ import annotations

import io
import os
import zipfile

import pytest

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _diagnosis, _evidence
from entra_fixtures import EVIDENCE

KDS_7041_DIR = os.path.join(EVIDENCE, 'kds_with_7041')


def diag(path, **limits):
    return _diagnosis.diagnose([str(path)], limits=limits or None)


def causes(res):
    return [c['id'] for c in res['root_causes']]


def record(res, suffix):
    return [i for i in res['inputs'] if i['path'].endswith(suffix)][0]


def test_missing_path_is_a_warning(tmp_path):
    res = diag(tmp_path / 'nope.log')
    assert res['root_causes'] == []
    assert record(res, 'nope.log')['status'] == 'skipped'


@pytest.mark.skipif(os.geteuid() == 0, reason='root can read any file')
def test_unreadable_file_is_a_warning(tmp_path):
    p = tmp_path / 'secret.log'
    p.write_text('Error 0x80070643')
    p.chmod(0)
    res = diag(p)
    assert record(res, 'secret.log')['status'] == 'skipped'


def test_unreadable_file_via_open_error(tmp_path, monkeypatch):
    p = tmp_path / 'locked.log'
    p.write_text('Error 0x80070643: Failed to install MSI package.')
    real_open = os.open

    def fake_open(path, *a, **kw):
        if str(path).endswith('locked.log'):
            raise PermissionError(13, 'Permission denied')
        return real_open(path, *a, **kw)
    monkeypatch.setattr(os, 'open', fake_open)
    res = diag(p)
    assert causes(res) == []
    assert 'Permission denied' in record(res, 'locked.log')['warnings'][0]


def test_binary_junk_is_skipped_without_false_blocker(tmp_path):
    p = tmp_path / 'junk.log'
    p.write_bytes(os.urandom(200000) + b'Error 0x80070643: Failed to install MSI package.')
    res = diag(p)
    assert causes(res) == []
    assert record(res, 'junk.log')['status'] == 'skipped'


def test_empty_file(tmp_path):
    (tmp_path / 'empty.log').write_bytes(b'')
    assert record(diag(tmp_path / 'empty.log'), 'empty.log')['status'] == 'skipped'


@pytest.mark.parametrize('encoding', ['utf-16', 'utf-16-le', 'utf-16-be', 'utf-8-sig'])
def test_utf16_and_bom_logs_are_read(tmp_path, encoding):
    p = tmp_path / 'msi.log'
    p.write_bytes('=== Verbose logging started\r\nError 0x80070643: Failed to install MSI package.\r\n'.encode(encoding))
    res = diag(p)
    assert causes(res) == ['installer_failed_unknown']
    ev = res['root_causes'][0]['evidence'][0]
    assert ev['line'] == 2 and '0x80070643' in ev['text']


def test_utf16_across_chunk_boundaries(tmp_path):
    p = tmp_path / 'big16.log'
    body = ''.join('noise line %d\r\n' % i for i in range(3000)) + 'There is no such object on the server.\r\n'
    p.write_bytes(body.encode('utf-16'))
    res = diag(p, chunk_size=1001)      # odd size splits UTF-16 code units
    assert causes(res) == ['msa_container_missing']
    assert res['root_causes'][0]['evidence'][0]['line'] == 3001


def test_long_single_line_is_bounded_and_warned(tmp_path):
    p = tmp_path / 'oneline.log'
    # a "1 GB single line" simulated at 3 MB with a 4 KiB line bound and 64 KiB chunks
    p.write_bytes(b'x' * (3 * 1024 * 1024) + b' Error 0x80070643 ' + b'y' * 1000 + b'\nThe operation has timed out\n')
    res = diag(p, max_line=4096, chunk_size=65536)
    rec = record(res, 'oneline.log')
    assert any('longer than 4096' in w for w in rec['warnings'])
    assert 'outbound_connectivity_blocked' in causes(res)      # the next line is still read, numbered 2
    rc = [c for c in res['root_causes'] if c['id'] == 'outbound_connectivity_blocked'][0]
    assert rc['evidence'][0]['line'] == 2


def test_scan_lines_memory_is_bounded_by_max_line():
    chunks = (b'a' * 65536 for chunk_index in range(64))       # 4 MiB without a newline
    seen = []
    hits = list(_evidence.scan_lines(chunks, [b'zzz'], max_line=1024, on_long_line=seen.append))
    assert hits == [] and seen == [1]


def test_scan_lines_numbers_lines_across_chunks():
    data = b''.join(b'line %d\n' % i for i in range(1, 1001)) + b'target here\n'
    chunks = [data[i:i + 97] for i in range(0, len(data), 97)]
    assert list(_evidence.scan_lines(iter(chunks), [b'target'])) == [(1001, b'target here')]


def _naive_lines(data, needles):
    return [i + 1 for i, line in enumerate(data.split(b'\n')) if any(n in line.lower() for n in needles)]


def test_finder_finds_every_anchor_wherever_it_sits():
    needles = _diagnosis._compiled(_diagnosis.SIGNATURES).needles
    finder = _evidence.build_finder(needles)
    assert len(finder.regexes) < len(needles)
    assert sorted(n for lead, members in finder.groups for n in members) == sorted(set(needles))
    for n in needles:
        for line in (n, b'x' + n, n + b'x', b'noise ' + n.upper() + b' tail', n + n):
            assert finder.positions(line.lower()), line
        # a hit is a position inside the needle
        pos = finder.positions(b'abc ' + n + b' def')
        assert pos and 4 <= pos[0] < 4 + len(n)


def test_finder_ignores_almost_anchors():
    finder = _evidence.build_finder([b'kds', b'locked out', b'0x80070643', b'timed out'])
    for near in (b'kd s', b'locked  out', b'lockedout', b'0x8007064', b'0x80070644', b'time out', b'med ou'):
        assert finder.positions(near) == [], near


def test_finder_blank_and_duplicate_needles():
    finder = _evidence.build_finder([b'a b', b'a b', b' ', b''])
    assert finder.positions(b'xa by') and finder.positions(b'x y') == [1]


def test_scan_lines_matches_a_naive_search():
    import random
    rng = random.Random(3)
    needles = _diagnosis._compiled(_diagnosis.SIGNATURES).needles
    words = [b'alpha', b'Beta', b'0x8007', b'objects', b'version', b'certificate', b'password', b'timeout', b'kd', b'1603x']
    lines = []
    for i in range(3000):
        parts = [rng.choice(words) for w in range(rng.randrange(1, 8))]
        if rng.random() < 0.05:
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(needles).upper() if rng.random() < 0.5 else rng.choice(needles))
        lines.append(b' '.join(parts))
    data = b'\n'.join(lines) + b'\n'
    chunks = [data[i:i + 4093] for i in range(0, len(data), 4093)]
    got = [n for n, raw in _evidence.scan_lines(iter(chunks), needles)]
    assert got == _naive_lines(data, needles) and got


def test_routine_log_lines_are_not_candidates():
    # the prefilter must not send everyday trace lines to the signature regexes (speed)
    noise = [
        'ProvisioningAgent Verbose: 0 : [2025-06-12 10:01:02Z] Heartbeat sent. CorrelationId: 0a1b2c3d-0000-1111-2222-333344445555',
        'ProvisioningAgent Information: 0 : [2025-06-12 10:01:02Z] Processing job 42 for domain contoso.com, 17 objects exported.',
        'ProvisioningAgent Verbose: 0 : [2025-06-12 10:01:02Z] LDAP search base=OU=Users,DC=contoso,DC=com filter=(objectClass=user) returned 5 entries',
        'ProvisioningAgent Information: 0 : [2025-06-12 10:01:02Z] Certificate thumbprint 0A1B loaded for service bus connection; expires in 30 days.',
        'ProvisioningAgent Verbose: 0 : [2025-06-12 10:01:02Z] Password hash sync batch 3 completed for 9 users (no errors).',
        'ProvisioningAgent Verbose: 0 : [2025-06-12 10:01:02Z] Connection to servicebus established in 35 ms, keep-alive timeout 60000 ms.',
        'ProvisioningAgent Information: 0 : [2025-06-12 10:01:02Z] User CN=User1,OU=Staff,DC=contoso,DC=com account disabled flag unchanged, skipping.',
        'ProvisioningAgent Verbose: 0 : [2025-06-12 10:01:02Z] Token cache hit for tenant 0a1b; access token expires at 2025-06-12 11:00:00Z.',
        'MSI (s) (4C:7C) [10:17:55:123]: Executing op: RegAddValue(Name=Version,Value=42,)',
        "[0A18:1F44][2025-06-12T10:16:38]i000: Setting string variable 'WixBundleLog' to value 'C:\\Windows\\Temp\\Bundle_1.log'",
    ]
    data = ('\r\n'.join(noise) + '\r\n').encode()
    compiled = _diagnosis._compiled(_diagnosis.SIGNATURES)
    assert list(_evidence.scan_lines(iter([data]), compiled.needles, finder=compiled.finder)) == []


def test_truncated_evtx_is_a_warning(tmp_path):
    src = os.path.join(EVIDENCE, 'evtx', 'Application_no_crc32.evtx')
    p = tmp_path / 'cut.evtx'
    p.write_bytes(open(src, 'rb').read()[:30000])
    res = diag(p)
    assert causes(res) == []
    assert record(res, 'cut.evtx')['warnings']


def test_fake_evtx_is_a_warning(tmp_path):
    p = tmp_path / 'fake.evtx'
    p.write_bytes(b'not an evtx at all' * 100)
    res = diag(p)
    assert record(res, 'fake.evtx')['status'] == 'skipped'


def test_real_evtx_is_parsed_with_the_evtx_package():
    res = diag(os.path.join(EVIDENCE, 'evtx', 'Application_no_crc32.evtx'))
    rec = record(res, 'Application_no_crc32.evtx')
    assert rec['kind'] == 'evtx' and rec['items'] == 17 and rec['status'] == 'read'


def test_evtx_json_normalisation():
    rec = {'Event': {'System': {'Provider': {'#attributes': {'Name': 'Service Control Manager'}},
                                'EventID': {'#attributes': {'Qualifiers': 49152}, '#text': 7041}, 'Channel': 'System',
                                'EventRecordID': 5, 'TimeCreated': {'#attributes': {'SystemTime': '2025-06-12T10:00:00Z'}}},
                     'EventData': {'param1': 'AADConnectProvisioningAgent', 'param2': 'CONTOSO\\provAgentgMSA$'}}}
    ev = _evidence.normalise_evtx_json(rec)
    assert ev['id'] == 7041 and ev['provider'] == 'Service Control Manager'
    d = _diagnosis.Diagnosis()
    d.feed_event('System.evtx', 'record 5', ev)
    d.feed_text_line('trace.log', 1, 'Unable to create gMSA because KDS may not be running on domain controller.')
    assert [c['id'] for c in d.result()] == ['gmsa_logon_right_missing']


def _zip(path, members, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, 'w', compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_export_aadcloudsynctools_zip_is_read(tmp_path):
    members = {}
    for name in os.listdir(KDS_7041_DIR):
        members['AADCloudSyncToolsLogs/' + name] = open(os.path.join(KDS_7041_DIR, name), 'rb').read()
    members['AADCloudSyncToolsLogs/Evtx/Application.evtx'] = open(
        os.path.join(EVIDENCE, 'evtx', 'Application_no_crc32.evtx'), 'rb').read()
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, 'w') as zf:
        zf.writestr('nested/trace2.log', 'Failed changing Windows service credentials to gMSA')
    members['AADCloudSyncToolsLogs/more.zip'] = inner.getvalue()
    p = _zip(tmp_path / 'AADCloudSyncToolsLogs-20250612.zip', members)
    res = diag(p)
    assert causes(res) == ['gmsa_logon_right_missing']
    assert any(i['path'].endswith('Application.evtx') and i['items'] == 17 for i in res['inputs'])
    assert any('more.zip!nested/trace2.log' in i['path'] for i in res['inputs'])
    assert all(i['status'] == 'read' for i in res['inputs'])


@pytest.mark.parametrize('name', ['../../evil.log', '/etc/evil.log', 'C:/Windows/evil.log', 'a/../../b.log',
                                  '..\\..\\evil.log'])
def test_zip_slip_is_refused(tmp_path, name):
    p = _zip(tmp_path / 'slip.zip', {'ok.log': 'Error 0x80070643', name: 'Error 0x80070643'})
    res = diag(p)
    assert causes(res) == []
    rec = record(res, 'slip.zip')
    assert rec['status'] == 'refused' and 'zip slip' in rec['warnings'][0]
    assert not os.path.exists(tmp_path.parent / 'evil.log')


def test_zip_bomb_member_is_refused_and_the_rest_of_the_archive_read(tmp_path):
    p = _zip(tmp_path / 'bomb.zip', {'zeros.log': b'\0' * (20 * 1024 * 1024),
                                     'setup.log': 'Error 0x80070643: Failed to install MSI package.'})
    res = diag(p)
    member = record(res, 'bomb.zip!zeros.log')
    assert member['status'] == 'refused' and 'zip bomb' in member['warnings'][0]
    assert 'zip bomb' in record(res, 'bomb.zip')['warnings'][0]
    assert causes(res) == ['installer_failed_unknown']


def test_real_log_compressed_260_to_1_is_read(tmp_path):
    # A 4 MB log of near-identical lines, like the one the issue names.
    line = b'[0F3C:1A2B][2025-01-01T10:00:00]i000: Setting string variable WixBundleLog to value C:\\x.log\n'
    data = line * (4 * 1024 * 1024 // len(line)) + b'Error 0x80070643: Failed to install MSI package.\n'
    p = _zip(tmp_path / 'logs.zip', {'setup.log': data})
    info = zipfile.ZipFile(p).infolist()[0]
    assert info.file_size / info.compress_size > 200      # over the old limit
    res = diag(p)
    assert causes(res) == ['installer_failed_unknown']
    assert all(i['status'] == 'read' for i in res['inputs'])


def test_zip_total_size_limit(tmp_path):
    p = _zip(tmp_path / 'big.zip', {'a.log': os.urandom(100000), 'b.log': os.urandom(100000)})
    rec = record(diag(p, max_zip_total=150000), 'big.zip')
    assert rec['status'] == 'refused'


def test_zip_lying_about_its_size_is_stopped(tmp_path):
    data = b'Error 0x80070643 ' * 10000
    p = _zip(tmp_path / 'liar.zip', {'x.log': data}, zipfile.ZIP_STORED)
    raw = bytearray(open(p, 'rb').read())
    # shrink the declared size in the central directory: the reader must not trust it
    cd = raw.rfind(b'PK\x01\x02')
    raw[cd + 24:cd + 28] = (100).to_bytes(4, 'little')
    p.write_bytes(bytes(raw))
    res = diag(p)       # zipfile itself or the limited reader stops it; either way a warning
    assert all(i['status'] in ('read', 'partial', 'skipped', 'refused') for i in res['inputs'])


def test_truncated_zip_is_a_warning(tmp_path):
    p = _zip(tmp_path / 'full.zip', {'a.log': os.urandom(50000), 'b.log': 'Error 0x80070643'})
    cut = tmp_path / 'cut.zip'
    cut.write_bytes(open(p, 'rb').read()[:30000])
    res = diag(cut)
    assert causes(res) == []
    assert record(res, 'cut.zip')['status'] == 'skipped'


def test_zip_with_binary_and_bad_member(tmp_path):
    p = _zip(tmp_path / 'mixed.zip', {'junk.bin': os.urandom(5000), 'ok.log': 'There is no such object on the server.'})
    res = diag(p)
    assert causes(res) == ['msa_container_missing']
    assert record(res, 'junk.bin')['status'] == 'skipped'


def test_malformed_event_xml_and_csv(tmp_path):
    (tmp_path / 'bad.xml').write_text('<Events><Event><System><EventID>7041</EventID>')
    (tmp_path / 'bad.csv').write_text('Level,Date and Time,Source,Event ID,Task Category\nError,x,"unterminated')
    res = diag(tmp_path)
    assert record(res, 'bad.xml')['warnings']
    assert not any(c['severity'] == 'blocker' for c in res['root_causes'])


def test_event_csv_and_text_exports(tmp_path):
    (tmp_path / 'sys.csv').write_text(
        'Level,Date and Time,Source,Event ID,Task Category,\n'
        'Error,6/12/2025 10:21:07 AM,Service Control Manager,7038,None,"The AADConnectProvisioningAgent service was '
        'unable to log on as CONTOSO\\provAgentgMSA$ with the currently configured password due to the following error:\n'
        'The user name or password is incorrect."\n')
    res = diag(tmp_path)
    assert causes(res) == ['service_not_managed_account']
    assert record(res, 'sys.csv')['kind'] == 'event_csv'


def test_secedit_and_gpresult_xml(tmp_path):
    (tmp_path / 'rights.inf').write_text('[Unicode]\nUnicode=yes\n[Privilege Rights]\nSeServiceLogonRight = *S-1-5-20\n'
                                         'SeDenyServiceLogonRight = *S-1-5-80-0\n')
    res = diag(tmp_path)
    assert set(causes(res)) == {'service_logon_right_missing_all_services', 'deny_logon_as_service'}
    (tmp_path / 'rights.inf').unlink()
    (tmp_path / 'gp.xml').write_text(
        '<?xml version="1.0"?><Rsop xmlns="http://www.microsoft.com/GroupPolicy/Rsop"><ComputerResults>'
        '<GPO><Name>Tier Baseline</Name><Path><Identifier>{AAA}</Identifier></Path></GPO>'
        '<ExtensionData><Extension><q1:UserRightsAssignment xmlns:q1="http://www.microsoft.com/GroupPolicy/Settings/Security">'
        '<q1:Name>SeServiceLogonRight</q1:Name><q1:Member><q1:Name>BUILTIN\\Administrators</q1:Name></q1:Member>'
        '<q1:GPO><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">{AAA}</Identifier></q1:GPO>'
        '</q1:UserRightsAssignment></Extension></ExtensionData></ComputerResults></Rsop>')
    res = diag(tmp_path)
    assert causes(res) == ['service_logon_right_removed_by_gpo']
    assert 'Tier Baseline' in res['root_causes'][0]['evidence'][0]['text']


def test_unreadable_folder_entries_do_not_stop_the_walk(tmp_path):
    (tmp_path / 'a.log').write_text('There is no such object on the server.')
    os.symlink(tmp_path / 'missing-target', tmp_path / 'dangling.log')
    res = diag(tmp_path)
    assert causes(res) == ['msa_container_missing']
    assert record(res, 'dangling.log')['status'] == 'skipped'


def test_agent_evidence_with_garbage_shapes():
    res = _diagnosis.diagnose(agent_evidence={'events': ['x', {'id': 'abc'}, None], 'files': [None, {'content': 5}],
                                              'managed_accounts': ['y']})
    assert res['root_causes'] == []
    res = _diagnosis.diagnose(agent_evidence='not a dict')
    assert res['root_causes'] == [] and res['inputs'][0]['status'] == 'skipped'

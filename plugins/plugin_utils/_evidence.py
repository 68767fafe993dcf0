# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Evidence readers: turn files, folders, zips and agent_evidence results into a
stream of items the diagnosis engine consumes, without ever loading a whole
log into memory.

Items (yielded by :func:`iter_evidence`):

* ``TextItem(source, kind, chunks)``: ``chunks`` is an iterator of UTF-8 bytes
  blocks (UTF-16 and BOMs already handled); the engine scans it line by line
  with :func:`scan_lines`.
* ``EventItem(source, line, event)``: one Windows event, normalised to
  ``{log, provider, id, level, time_created, message, record_id}``.
* ``FactItem(source, line, fact)``: a policy fact (secedit / gpresult):
  ``{kind: 'user_right', right, accounts, gpo, scope: 'local'|'gpo'}`` or
  ``{kind: 'managed_account', service, managed}``.

Every problem (unreadable file, binary junk, truncated .evtx or zip, a line
longer than ``max_line``, zip slip, zip bomb, a link leaving the evidence folder,
a FIFO or device, a reader error) is recorded as a warning on that input's
record in :class:`Inputs`, whose status says whether it was read (``read``,
``partial``) or not (``skipped``, ``refused``; ``ignored`` for the collection's own
reports); nothing here raises to the caller, and no input stops the others.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import os
import re
import stat
import tempfile
import zipfile
from collections import namedtuple
from html.parser import HTMLParser
from xml.etree import ElementTree

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils._reports import is_own_report

try:
    import evtx as _evtx   # pyevtx-rs, maintained EVTX parser (PyPI: evtx)
except ImportError:        # pragma: no cover - reported as an input warning
    _evtx = None

TextItem = namedtuple('TextItem', 'source kind chunks')
EventItem = namedtuple('EventItem', 'source line event')
FactItem = namedtuple('FactItem', 'source line fact')

DEFAULT_LIMITS = {
    'chunk_size': 4 * 1024 * 1024,      # bytes read per block
    'max_line': 64 * 1024,              # longer lines are cut (warning); at most MAX_LINE_CAP
    'max_zip_members': 20000,
    'max_zip_total': 4 * 1024 ** 3,     # sum of uncompressed sizes
    'max_zip_ratio': 1000,              # per member uncompressed/compressed; real logs reach 260:1
    'max_zip_depth': 3,                 # zips inside zips
    'max_member_spool': 512 * 1024 ** 2,  # nested zip / evtx copied to a temp file
    'max_structured_bytes': 256 * 1024 ** 2,  # XML / CSV / gpresult read at most
    'max_warnings_per_input': 20,
}

# A line is held whole in memory while it is scanned: the user may raise max_line
# up to this, no further (a 50 MB line at 10^12 took 423 MB).
MAX_LINE_CAP = 1024 * 1024

EVTX_MAGIC = b'ElfFile\x00'
ZIP_MAGIC = b'PK\x03\x04'
EMPTY_ZIP_MAGIC = b'PK\x05\x06'


class Inputs(object):
    """Records every input read: {path, kind, size, status, warnings, items}."""

    def __init__(self, max_warnings=20):
        self.records = []
        self.max_warnings = max_warnings

    def add(self, path, kind='unknown', size=None):
        rec = {'path': str(path), 'kind': kind, 'size': size, 'status': 'read', 'warnings': [], 'items': 0}
        self.records.append(rec)
        return rec

    def warn(self, rec, message, status=None):
        if status:
            rec['status'] = status
        elif rec['status'] == 'read':
            rec['status'] = 'partial'
        if len(rec['warnings']) < self.max_warnings:
            rec['warnings'].append(message)
        elif len(rec['warnings']) == self.max_warnings:
            rec['warnings'].append('further warnings suppressed')

    def warnings(self):
        return ['%s: %s' % (r['path'], w) for r in self.records for w in r['warnings']]


# ------------------------------------------------------------------ encoding
def sniff_encoding(head):
    """Return (encoding, bom_length) for a file head: utf-8, utf-16-le, utf-16-be."""
    if head.startswith(codecs.BOM_UTF8):
        return 'utf-8', 3
    if head.startswith(codecs.BOM_UTF16_LE):
        return 'utf-16-le', 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return 'utf-16-be', 2
    sample = head[:4096]
    if len(sample) >= 8:
        even_nul = sample[0::2].count(0)
        odd_nul = sample[1::2].count(0)
        half = len(sample) / 2.0
        if odd_nul > 0.4 * half and even_nul < 0.05 * half:
            return 'utf-16-le', 0
        if even_nul > 0.4 * half and odd_nul < 0.05 * half:
            return 'utf-16-be', 0
    return 'utf-8', 0


def looks_binary(head, encoding):
    """True for junk, judged by shares, not by one byte: real logs carry a stray NUL
    or two (a crashed writer), executables and archives carry them by the
    hundred, and random bytes mostly do not decode as UTF-8."""
    if encoding.startswith('utf-16') or not head:
        return False
    sample = head[:8192]
    if sample.count(0) > 0.01 * len(sample):
        return True
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if ctrl > 0.1 * len(sample):
        return True
    text = sample.decode('utf-8', 'replace')
    return text.count('\ufffd') > 0.1 * len(text)


def iter_chunks(fh, encoding='utf-8', skip=0, chunk_size=DEFAULT_LIMITS['chunk_size']):
    """Yield UTF-8 bytes blocks from a binary file object (streaming transcoding)."""
    if skip:
        fh.read(skip)
    if encoding == 'utf-8':
        while True:
            block = fh.read(chunk_size)
            if not block:
                return
            yield block
    dec = codecs.getincrementaldecoder(encoding)(errors='replace')
    while True:
        block = fh.read(chunk_size)
        text = dec.decode(block, final=not block)
        if text:
            yield text.encode('utf-8', 'replace')
        if not block:
            return


# Approximate share of each byte in lowercased English / Windows log text
# (timestamps, GUIDs, paths). Only the order of magnitude matters: it steers the
# finder towards lead bytes that are rare in any log, not in one sample.
_BYTE_SHARE = dict(
    [(ord(c), 0.045) for c in 'tasinro'] + [(ord(c), 0.03) for c in '0123456789cdl'] +
    [(ord(c), 0.018) for c in 'umhpgf.:-'] + [(ord(c), 0.01) for c in 'bywv/=,()[]'] +
    [(ord(c), 0.004) for c in 'kx_\\\'"'] + [(ord(c), 0.0015) for c in 'jqz$;'] +
    [(ord(' '), 0.13), (ord('e'), 0.07), (ord('\r'), 0.01), (ord('\t'), 0.01)])
_OTHER_SHARE = 0.002
# Measured with CPython's re on bytes, in units of one pass over the block (re
# jumps from one lead byte to the next about as fast as memchr): each occurrence
# of the lead byte costs about 15 passes-per-unit-share, plus a little per branch
# of the group's first level.
_ATTEMPT_COST = 15.0
_BRANCH_COST = 7.5


def _group_cost(lead, members):
    first = len(set(n[n.index(lead) + 1:n.index(lead) + 2] for n in members))
    return 1.0 + _BYTE_SHARE.get(lead, _OTHER_SHARE) * (_ATTEMPT_COST + _BRANCH_COST * first)


class Finder(object):
    """Finds lowercase byte needles in a lowercased block, in a few fast passes.

    Python's ``re`` scans quickly only when a pattern starts with a literal; an
    alternation of many needles (or a character class) costs a match attempt at
    every byte. So the needles are split into groups that share one *lead* byte
    (greedy weighted set cover: rare in logs, shared by many needles), and each
    group is one regex: the lead byte, then a trie of what follows it in each
    needle, each leaf checking its whole needle with a fixed-width look-behind.
    ``re`` jumps between occurrences of the lead byte and rejects most of them on
    the next byte. ``positions()`` returns, in order, a position inside each hit.
    """

    def __init__(self, needles):
        uncovered = set(n for n in needles if n)
        groups = []
        while uncovered:
            def score(lead):
                members = [n for n in uncovered if lead in n]
                return (_group_cost(lead, members) / len(members), lead)
            lead = min(set(b for n in uncovered for b in n if b not in b' \t'), key=score, default=None)
            if lead is None:      # needles of blanks only: lead with their first byte
                lead = min(uncovered)[0]
            members = sorted(n for n in uncovered if lead in n)
            uncovered.difference_update(members)
            groups.append((lead, members))
        self.groups = groups
        self.regexes = [self._group_regex(lead, members) for lead, members in groups]

    @staticmethod
    def _group_regex(lead, members):
        trie = {}
        for n in members:
            node = trie
            for b in n[n.index(lead) + 1:]:
                node = node.setdefault(b, {})
            node.setdefault(None, []).append(n)

        def emit(node):
            alts = [re.escape(bytes([b])) + emit(node[b]) for b in sorted(k for k in node if k is not None)]
            # a needle ends here: check all of it (it ends at the current position)
            alts += [b'(?<=' + re.escape(n) + b')' for n in node.get(None, [])]
            return alts[0] if len(alts) == 1 else b'(?:' + b'|'.join(alts) + b')'
        return re.compile(re.escape(bytes([lead])) + emit(trie))

    def positions(self, low):
        if len(self.regexes) == 1:
            return [m.start() for m in self.regexes[0].finditer(low)]
        found = []
        for rx in self.regexes:
            found.extend(m.start() for m in rx.finditer(low))
        found.sort()
        return found


def build_finder(needles):
    """A :class:`Finder` for lowercase byte ``needles`` (case-insensitive over a lowercased block)."""
    return Finder(needles)


def scan_lines(chunks, needles, max_line=DEFAULT_LIMITS['max_line'], on_long_line=None, finder=None):
    """Yield (line_no, line_bytes) for lines that contain one of ``needles``.

    ``needles`` are lowercase bytes; matching is case-insensitive (the block is
    lowercased once and searched with a :class:`Finder`). Memory is
    bounded by the chunk size plus ``max_line``: a longer line is cut
    (``on_long_line(line_no)`` is called once per line). With ``needles=None``
    every line is yielded.
    """
    if needles is not None and finder is None:
        finder = build_finder(needles)
    carry = b''
    line_base = 1          # number of the line that starts ``carry`` / the next block
    skipping = False       # inside an over-long line whose first max_line bytes were scanned
    for chunk in chunks:
        if skipping:
            nl = chunk.find(b'\n')
            if nl < 0:
                continue
            chunk = chunk[nl + 1:]
            skipping = False
            line_base += 1
        buf = carry + chunk if carry else chunk
        last_nl = buf.rfind(b'\n')
        body, tail = (b'', buf) if last_nl < 0 else (buf[:last_nl + 1], buf[last_nl + 1:])
        if body:
            yield from _scan_block(body, finder, line_base, max_line, on_long_line)
            line_base += body.count(b'\n')
        if len(tail) > max_line:
            if on_long_line:
                on_long_line(line_base)
            yield from _scan_block(tail[:max_line] + b'\n', finder, line_base, max_line)
            carry, skipping = b'', True
        else:
            carry = tail
    if carry and not skipping:
        yield from _scan_block(carry + b'\n', finder, line_base, max_line, on_long_line)


def _scan_block(body, finder, line_base, max_line, on_long_line=None):
    """Lines of ``body`` (ends with a newline) in which ``finder`` matches."""
    if finder is None:
        for i, line in enumerate(body.split(b'\n')[:-1]):
            if len(line) > max_line:
                if on_long_line:
                    on_long_line(line_base + i)
                line = line[:max_line]
            yield line_base + i, line.rstrip(b'\r')
        return
    low = body.lower()
    starts = []
    last_end = -1
    for pos in finder.positions(low):
        if pos < last_end:
            continue              # same line as the previous hit
        start = low.rfind(b'\n', 0, pos) + 1
        end = low.find(b'\n', pos)
        starts.append((start, end, pos))
        last_end = end
    counted_pos, counted_line = 0, line_base
    for start, end, pos in starts:
        counted_line += body.count(b'\n', counted_pos, start)
        counted_pos = start
        line = body[start:end]
        if len(line) > max_line:
            if on_long_line:
                on_long_line(counted_line)
            lo = max(start, pos - max_line // 2)
            line = body[lo:lo + max_line]
        yield counted_line, line.rstrip(b'\r')


# ------------------------------------------------------------------ events
def _text(node):
    if isinstance(node, dict):
        return node.get('#text')
    return node


def normalise_evtx_json(record):
    """pyevtx-rs JSON record -> normalised event dict."""
    ev = record.get('Event', record) if isinstance(record, dict) else {}
    system = ev.get('System') or {}
    provider = (system.get('Provider') or {}).get('#attributes', {}) if isinstance(system.get('Provider'), dict) else {}
    try:
        eid = int(_text(system.get('EventID')))
    except (TypeError, ValueError):
        eid = None
    data = []
    for section in ('EventData', 'UserData'):
        _flatten(ev.get(section), data, named=True)
    rendering = (ev.get('RenderingInfo') or {}) if isinstance(ev.get('RenderingInfo'), dict) else {}
    message = _text(rendering.get('Message')) if rendering else None
    time = ((system.get('TimeCreated') or {}).get('#attributes') or {}).get('SystemTime') \
        if isinstance(system.get('TimeCreated'), dict) else None
    return {'log': system.get('Channel'), 'provider': provider.get('Name') or provider.get('EventSourceName'),
            'id': eid, 'level': system.get('Level'), 'time_created': time,
            'message': message or ' | '.join(str(d) for d in data if d not in (None, '')),
            'record_id': system.get('EventRecordID')}


def _flatten(node, out, named=False):
    if node is None:
        return
    if isinstance(node, dict):
        for k, v in node.items():
            if k == '#attributes':
                continue
            if named and _is_field_name(k) and not isinstance(v, (dict, list)) and v not in (None, ''):
                out.append('%s: %s' % (k, v))      # "LogonType: 5" reads as the rendered event does
                continue
            _flatten(v, out)
    elif isinstance(node, list):
        for v in node:
            _flatten(v, out)
    else:
        out.append(node)


def _is_field_name(name):
    """Named event data worth keeping beside its value (not the anonymous paramN of SCM events)."""
    return bool(name) and not name.startswith('#') and not name.lower().startswith('param') and name != 'Data'


def normalise_event(ev):
    """Accept agent_evidence events (already normalised) or loose dicts."""
    out = {'log': ev.get('log') or ev.get('LogName'), 'provider': ev.get('provider') or ev.get('ProviderName') or ev.get('source'),
           'level': ev.get('level') or ev.get('LevelDisplayName'), 'time_created': ev.get('time_created') or ev.get('TimeCreated'),
           'message': ev.get('message') or ev.get('Message') or '', 'record_id': ev.get('record_id') or ev.get('RecordId')}
    try:
        out['id'] = int(ev.get('id') if ev.get('id') is not None else ev.get('Id') if ev.get('Id') is not None else ev.get('event_id'))
    except (TypeError, ValueError):
        out['id'] = None
    return out


def read_evtx(path, inputs, rec):
    if _evtx is None:
        inputs.warn(rec, 'the evtx package is not installed; .evtx skipped', status='skipped')
        return
    size = os.path.getsize(path)
    if size < 4096 or (size - 4096) % 65536:
        inputs.warn(rec, 'size %d is not a whole number of 64 KiB chunks: file truncated or damaged; '
                         'reading what can be read' % size)
    try:
        parser = _evtx.PyEvtxParser(path)
        it = iter(parser.records_json())
    except Exception as e:
        inputs.warn(rec, 'not a readable .evtx file: %s' % e, status='skipped')
        return
    n = errors = 0
    while True:
        try:
            r = next(it)
        except StopIteration:
            break
        except Exception as e:
            errors += 1
            inputs.warn(rec, 'record after #%d unreadable: %s' % (n, str(e)[:200]))
            if errors > 5:
                break
            continue
        n += 1
        try:
            event = normalise_evtx_json(json.loads(r['data']))
        except Exception as e:
            inputs.warn(rec, 'record %s not parsed: %s' % (r.get('event_record_id'), e))
            continue
        rec['items'] += 1
        yield EventItem(rec['path'], 'record %s' % r.get('event_record_id'), event)
    if n == 0 and not rec['warnings']:
        inputs.warn(rec, 'no records in .evtx')


_XML_NS = re.compile(r'\{[^}]*\}')


def _local(tag):
    return _XML_NS.sub('', tag) if isinstance(tag, str) else ''


def read_event_xml(fh, inputs, rec):
    """Event Viewer 'Save as XML' / wevtutil /f:xml output (streamed with iterparse)."""
    try:
        for _event, elem in ElementTree.iterparse(fh, events=('end',)):
            if _local(elem.tag) != 'Event':
                continue
            ev = {'log': None, 'provider': None, 'id': None, 'level': None, 'time_created': None,
                  'message': '', 'record_id': None}
            data = []
            for child in elem.iter():
                name = _local(child.tag)
                if name == 'Provider':
                    ev['provider'] = child.get('Name') or child.get('EventSourceName')
                elif name == 'EventID':
                    try:
                        ev['id'] = int((child.text or '').strip())
                    except ValueError:
                        pass
                elif name == 'Channel':
                    ev['log'] = child.text
                elif name == 'Level' and child.text and child.text.strip().isdigit():
                    ev['level'] = int(child.text)
                elif name == 'TimeCreated':
                    ev['time_created'] = child.get('SystemTime')
                elif name == 'EventRecordID':
                    ev['record_id'] = child.text
                elif name == 'Data' and child.text:
                    field = child.get('Name')
                    data.append('%s: %s' % (field, child.text) if _is_field_name(field) else child.text)
                elif name == 'Message' and child.text:
                    ev['message'] = child.text
            if not ev['message']:
                ev['message'] = ' | '.join(data)
            rec['items'] += 1
            yield EventItem(rec['path'], 'record %s' % ev['record_id'], ev)
            elem.clear()
    except ElementTree.ParseError as e:
        inputs.warn(rec, 'XML not well formed (truncated?): %s' % e)


def read_event_csv(chunks, inputs, rec, max_field):
    """Event Viewer 'Save as CSV': Level,Date and Time,Source,Event ID,Task Category,<message>."""
    text = io.TextIOWrapper(_ChunkReader(chunks), encoding='utf-8', errors='replace', newline='')
    csv.field_size_limit(int(max_field))   # exactly int: Ansible's tagged int is refused
    reader = csv.reader(text)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error) as e:
        inputs.warn(rec, 'CSV without header: %s' % e)
        return
    idx = {name: i for i, name in enumerate(header)}
    i_id, i_src = idx.get('event id'), idx.get('source')
    i_time, i_level = idx.get('date and time'), idx.get('level')
    row_no = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            inputs.warn(rec, 'CSV row %d unreadable: %s' % (row_no + 1, e))
            break
        row_no += 1
        if not row:
            continue

        def col(i):
            return row[i] if i is not None and i < len(row) else None
        try:
            eid = int(col(i_id))
        except (TypeError, ValueError):
            eid = None
        message = ' '.join(row[len(header) - 1:]) if len(row) >= len(header) else row[-1]
        ev = {'log': None, 'provider': col(i_src), 'id': eid, 'level': col(i_level),
              'time_created': col(i_time), 'message': message, 'record_id': row_no}
        rec['items'] += 1
        yield EventItem(rec['path'], row_no, ev)


class _ChunkReader(io.RawIOBase):
    """File-like view over an iterator of bytes blocks."""

    def __init__(self, chunks):
        self._it = iter(chunks)
        self._buf = b''

    def readable(self):
        return True

    def readinto(self, b):
        while not self._buf:
            try:
                self._buf = next(self._it)
            except StopIteration:
                return 0
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


_EV_TEXT_FIELD = re.compile(r'^\s*(Log Name|Source|Event ID|Level|Date|Description)\s*:\s*(.*)$', re.I)


def read_event_text(chunks, inputs, rec, max_line):
    """Event Viewer text ('Save as Text' / copy): blocks of 'Field:  value' then Description."""
    ev, desc, start = None, [], 0

    def flush():
        if ev is not None and ev.get('id') is not None:
            ev['message'] = ' '.join(x.strip() for x in desc if x.strip())[:max_line]
            rec['items'] += 1
            return EventItem(rec['path'], start, ev)
    for line_no, raw in scan_lines(chunks, None, max_line):
        line = raw.decode('utf-8', 'replace')
        m = _EV_TEXT_FIELD.match(line)
        if m and m.group(1).lower() == 'log name':
            item = flush()
            if item:
                yield item
            ev, desc, start = {'log': m.group(2).strip(), 'provider': None, 'id': None, 'level': None,
                               'time_created': None, 'message': '', 'record_id': None}, [], line_no
            continue
        if ev is None:
            continue
        if m and not desc:
            key, val = m.group(1).lower(), m.group(2).strip()
            if key == 'source':
                ev['provider'] = val
            elif key == 'event id':
                try:
                    ev['id'] = int(val.split()[0])
                except (ValueError, IndexError):
                    pass
            elif key == 'level':
                ev['level'] = val
            elif key == 'date':
                ev['time_created'] = val
            elif key == 'description':
                desc.append(val or ' ')
            continue
        if desc and sum(len(x) for x in desc) < max_line:
            desc.append(line)
    item = flush()
    if item:
        yield item


_EV_LIST_FIELD = re.compile(r'^([A-Za-z]+)\s*:\s?(.*)$')


def read_event_list(chunks, inputs, rec, max_line):
    """``Get-WinEvent | Format-List`` output: 'Key : value' blocks, Message continued on indented lines."""
    fields, key, start = {}, None, 0

    def flush():
        try:
            eid = int(str(fields.get('id', '')).strip())
        except ValueError:
            return None
        rec['items'] += 1
        return EventItem(rec['path'], start, {
            'log': fields.get('logname'), 'provider': fields.get('providername'), 'id': eid,
            'level': fields.get('leveldisplayname'), 'time_created': fields.get('timecreated'),
            'message': ' '.join(fields.get('message', '').split())[:max_line], 'record_id': fields.get('recordid')})
    for line_no, raw in scan_lines(chunks, None, max_line):
        line = raw.decode('utf-8', 'replace')
        if not line.strip():
            continue
        m = _EV_LIST_FIELD.match(line)
        if m:
            key = m.group(1).lower()
            if key in fields:         # a field seen again: the next record starts
                item = flush()
                if item:
                    yield item
                fields = {}
            if not fields:
                start = line_no
            fields[key] = m.group(2)
        elif key and line[:1] in (' ', '\t'):
            fields[key] = fields.get(key, '') + ' ' + line.strip()
    if fields:
        item = flush()
        if item:
            yield item


# ------------------------------------------------------------------ policy exports
_INF_LINE = re.compile(r'^\s*(Se\w+Right|Se\w+Privilege)\s*=\s*(.*)$', re.I)


def read_secedit(chunks, inputs, rec, max_line):
    """secedit /export /areas USER_RIGHTS: [Privilege Rights] SeServiceLogonRight = *S-1-5-80-0,..."""
    section = None
    for line_no, raw in scan_lines(chunks, None, max_line):
        line = raw.decode('utf-8', 'replace').strip().lstrip('\ufeff')
        if line.startswith('[') and line.endswith(']'):
            section = line[1:-1].strip().lower()
            continue
        if section != 'privilege rights':
            continue
        m = _INF_LINE.match(line)
        if m:
            accounts = [a.strip() for a in m.group(2).split(',') if a.strip()]
            rec['items'] += 1
            yield FactItem(rec['path'], line_no, {'kind': 'user_right', 'right': m.group(1), 'accounts': accounts,
                                                  'scope': 'local', 'gpo': None, 'text': line})


RIGHT_DISPLAY = {'log on as a service': 'SeServiceLogonRight', 'log on as a batch job': 'SeBatchLogonRight',
                 'allow log on locally': 'SeInteractiveLogonRight',
                 'deny log on as a service': 'SeDenyServiceLogonRight',
                 'deny log on as a batch job': 'SeDenyBatchLogonRight',
                 'deny log on locally': 'SeDenyInteractiveLogonRight'}


def read_gpresult_xml(fh, inputs, rec):
    """gpresult /x: <UserRightsAssignment><Name>..</Name><Member><Name>..</Name></Member><GPO>..</GPO>."""
    gpo_names = {}
    try:
        for _event, elem in ElementTree.iterparse(fh, events=('end',)):
            tag = _local(elem.tag)
            if tag == 'GPO' and any(_local(c.tag) == 'Path' for c in elem):
                ident = name = None
                for c in elem.iter():
                    t = _local(c.tag)
                    if t == 'Identifier' and c.text:
                        ident = c.text.strip()
                    elif t == 'Name' and c.text and name is None:
                        name = c.text.strip()
                if ident:
                    gpo_names[ident.lower()] = name
            if tag != 'UserRightsAssignment':
                continue
            right, members, gpo = None, [], None
            for c in elem:
                t = _local(c.tag)
                if t == 'Name':
                    right = (c.text or '').strip()
                elif t == 'Member':
                    for m in c.iter():
                        if _local(m.tag) in ('Name', 'SID') and m.text and m.text.strip():
                            members.append(m.text.strip())
                            break
                elif t == 'GPO':
                    for m in c.iter():
                        if _local(m.tag) == 'Identifier' and m.text:
                            gpo = m.text.strip()
            if right:
                rec['items'] += 1
                yield FactItem(rec['path'], 'UserRightsAssignment/%s' % right,
                               {'kind': 'user_right', 'right': right, 'accounts': members, 'scope': 'gpo',
                                'gpo': gpo_names.get((gpo or '').lower(), gpo), 'text': '%s: %s' % (right, ', '.join(members))})
            elem.clear()
    except ElementTree.ParseError as e:
        inputs.warn(rec, 'gpresult XML not well formed: %s' % e)


class _TableRows(HTMLParser):
    """Collects table rows as lists of cell texts, in one linear pass.

    A ``<tr>`` or ``<td>`` left open is closed by the next one, as a browser
    does; no backtracking, so unclosed tags by the thousand cost no more than
    closed ones. Only rows whose first cell ``keep`` accepts are kept.
    """

    def __init__(self, keep):
        super().__init__(convert_charrefs=True)
        self._keep = keep
        self._cells = None      # cells of the open row
        self._cell = None       # text parts of the open cell
        self.rows = []

    def handle_starttag(self, tag, attrs):
        if tag == 'tr':
            self._end_row()
            self._cells = []
        elif tag in ('td', 'th'):
            self._end_cell()
            self._cell = []
        elif tag == 'br' and self._cell is not None:
            self._cell.append(' ')

    def handle_endtag(self, tag):
        if tag in ('td', 'th'):
            self._end_cell()
        elif tag in ('tr', 'table'):
            self._end_row()

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def _end_cell(self):
        if self._cell is not None and self._cells is not None:
            self._cells.append(re.sub(r'\s+', ' ', ''.join(self._cell)).strip())
        self._cell = None

    def _end_row(self):
        self._end_cell()
        if self._cells and self._keep(self._cells[0]):
            self.rows.append(self._cells)
        self._cells = None

    def close(self):
        super().close()
        self._end_row()


def read_gpresult_html(chunks, inputs, rec):
    """gpresult /h: rows 'Log on as a service | accounts | winning GPO' in the User Rights table.

    ``chunks``: UTF-8 bytes blocks, parsed as they come.
    """
    parser = _TableRows(lambda first: first.lower() in RIGHT_DISPLAY)
    decoder = codecs.getincrementaldecoder('utf-8')(errors='replace')
    for block in itertools.chain(chunks, [None]):
        if block is None:
            parser.feed(decoder.decode(b'', final=True))
            parser.close()
        else:
            parser.feed(decoder.decode(block))
        rows, parser.rows = parser.rows, []
        for cells in rows:
            if len(cells) < 2:
                continue
            accounts = [a.strip() for a in re.split(r',|;', cells[1]) if a.strip()]
            gpo = cells[2] if len(cells) > 2 else None
            rec['items'] += 1
            yield FactItem(rec['path'], 'User Rights Assignment/%s' % cells[0],
                           {'kind': 'user_right', 'right': RIGHT_DISPLAY[cells[0].lower()], 'accounts': accounts,
                            'scope': 'gpo', 'gpo': gpo, 'text': ' | '.join(cells)})


# ------------------------------------------------------------------ dispatch
def classify(name, head):
    """Kind of a file from its name and first bytes (already UTF-8)."""
    low = name.lower()
    h = head[:65536].lower()
    if head.startswith(EVTX_MAGIC) or low.endswith('.evtx'):
        return 'evtx'
    if head.startswith(ZIP_MAGIC) or head.startswith(EMPTY_ZIP_MAGIC) or low.endswith('.zip'):
        return 'zip'
    if b'[privilege rights]' in h or (low.endswith('.inf') and b'[unicode]' in h):
        return 'secedit'
    if (b'<rsop' in h or b'rsop' in h and b'userrightsassignment' in h) and h.lstrip().startswith(b'<'):
        return 'gpresult_xml'
    if b'<html' in h and (b'user rights assignment' in h or b'group policy results' in h or b'gpresult' in h):
        return 'gpresult_html'
    if h.lstrip().startswith(b'<') and (b'<events' in h or b'<event ' in h or b'<event>' in h):
        return 'event_xml'
    if b'event id' in h.split(b'\n', 1)[0] and b',' in h.split(b'\n', 1)[0]:
        return 'event_csv'
    if b'log name:' in h and b'event id:' in h:
        return 'event_text'
    if b'providername' in h and b'message' in h and re.search(rb'^id\s+:', h, re.M):
        return 'event_list'
    if b'burn v3' in h or b'burn v4' in h or re.search(rb'_package_\d{14}', low.encode()) or b'[' in h[:1] and b'detect begin' in h:
        return 'burn_log'
    if b'=== verbose logging started' in h or b'=== logging started' in h:
        return 'msi_log'
    if 'trace' in low:
        return 'trace_log'
    return 'text_log'


def bounded_limits(limits=None):
    """DEFAULT_LIMITS overridden by ``limits``, as plain ints (values templated by
    Ansible arrive as int subclasses that csv.field_size_limit refuses), with
    ``max_line`` capped at MAX_LINE_CAP."""
    out = {k: int(v) for k, v in dict(DEFAULT_LIMITS, **(limits or {})).items()}
    out['max_line'] = min(out['max_line'], MAX_LINE_CAP)
    return out


class Reader(object):
    """Walks a path (file, folder, zip) and yields evidence items."""

    def __init__(self, inputs=None, limits=None, tmpdir=None):
        self.inputs = inputs or Inputs()
        self.limits = bounded_limits(limits)
        self.inputs.max_warnings = self.limits['max_warnings_per_input']
        self._tmpdir = tmpdir
        self._spooled = []

    # public -------------------------------------------------------------
    def read_path(self, path):
        """Read a file, or every file under a folder. The path the user named is
        followed even if it is a link; inside a folder, a link is followed only
        when it resolves inside that folder."""
        path = os.fspath(path)
        if not os.path.exists(path):
            rec = self.inputs.add(path, 'missing')
            self.inputs.warn(rec, 'path does not exist', status='skipped')
            return
        if not os.path.isdir(path):
            yield from self.read_file(path)
            return
        root = os.path.realpath(path)
        for folder, dirs, files in os.walk(path, onerror=lambda e: self.inputs.warn(
                self.inputs.add(getattr(e, 'filename', path), 'folder'), 'cannot list: %s' % e, status='skipped')):
            dirs.sort()
            for d in [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
                # os.walk does not descend into linked folders; say so instead of silently.
                self._skip_link(os.path.join(folder, d), root, 'folder')
            for f in sorted(files):
                full = os.path.join(folder, f)
                if os.path.islink(full) and not _inside(os.path.realpath(full), root):
                    self._skip_link(full, root, 'file')
                    continue
                yield from self.read_file(full)

    def _skip_link(self, link, root, what):
        target = os.path.realpath(link)
        if _inside(target, root):
            rec = self.inputs.add(link, 'link')
            self.inputs.warn(rec, 'link to a %s inside the evidence folder (%s); read there, not twice' % (what, target),
                             status='ignored')
        else:
            rec = self.inputs.add(link, 'link')
            self.inputs.warn(rec, 'link to %s outside the evidence folder; not followed' % target, status='skipped')

    def read_file(self, path, label=None, depth=0):
        """Read one regular file; FIFOs, devices and sockets are skipped, never opened
        for reading (a FIFO would block the run forever). A reader error ends this
        input only, with a warning, never the whole run."""
        label = label or path
        try:
            mode = os.stat(path).st_mode
            if not stat.S_ISREG(mode):
                rec = self.inputs.add(label, 'special')
                self.inputs.warn(rec, 'not a regular file (%s); not read' % _file_type(mode), status='skipped')
                return
            # O_NONBLOCK: should the file be swapped for a FIFO after the stat, open does not block.
            fd = os.open(path, os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_BINARY', 0))
        except OSError as e:
            rec = self.inputs.add(label, 'unreadable')
            self.inputs.warn(rec, 'cannot open: %s' % (e.strerror or e), status='skipped')
            return
        with os.fdopen(fd, 'rb') as fh:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                rec = self.inputs.add(label, 'special')
                self.inputs.warn(rec, 'not a regular file (%s); not read' % _file_type(st.st_mode), status='skipped')
                return
            yield from self._guarded(self._dispatch(fh, label, st.st_size, path, depth), label)

    def _guarded(self, items, label):
        """Items of one input; an unexpected error becomes a warning on that input."""
        try:
            yield from items
        except Exception as e:  # one bad input must not end the run
            rec = next((r for r in reversed(self.inputs.records) if r['path'] == label), None) \
                or self.inputs.add(label, 'unknown')
            self.inputs.warn(rec, 'reading stopped: %s: %s' % (type(e).__name__, e), status='partial' if rec['items'] else 'skipped')

    def read_agent_evidence(self, result, label='agent_evidence'):
        """Items from an agent_evidence module result."""
        if not isinstance(result, dict):
            rec = self.inputs.add(label, 'agent_evidence')
            self.inputs.warn(rec, 'not a dict', status='skipped')
            return
        rec = self.inputs.add(label + ':events', 'events', len(result.get('events') or []))
        for i, ev in enumerate(result.get('events') or []):
            if not isinstance(ev, dict):
                self.inputs.warn(rec, 'event %d is not a dict' % i)
                continue
            rec['items'] += 1
            yield EventItem('%s:%s' % (label, ev.get('log') or 'events'), 'record %s' % ev.get('record_id', i),
                            normalise_event(ev))
        for f in result.get('files') or []:
            if not isinstance(f, dict):
                continue
            content = f.get('content')
            frec = self.inputs.add('%s:%s' % (label, f.get('path')), f.get('kind') or 'text_log', f.get('size'))
            if f.get('truncated'):
                self.inputs.warn(frec, 'collected content truncated on the host')
            if not isinstance(content, str):
                self.inputs.warn(frec, 'no content', status='skipped')
                continue
            frec['items'] += 1
            data = content.encode('utf-8', 'replace')
            yield TextItem(frec['path'], frec['kind'], iter([data]))
        for m in result.get('managed_accounts') or []:
            if isinstance(m, dict):
                mrec = self.inputs.add('%s:sc qmanagedaccount %s' % (label, m.get('service')), 'managed_account')
                managed = m.get('managed')
                if managed is None:
                    out = str(m.get('output') or '')
                    mm = re.search(r'managed\s*account\s*:\s*(true|false)', out, re.I)
                    managed = None if not mm else mm.group(1).lower() == 'true'
                mrec['items'] += 1
                yield FactItem(mrec['path'], 'output', {'kind': 'managed_account', 'service': m.get('service'),
                                                        'managed': managed, 'text': str(m.get('output') or '')[:300]})
        yield from self._logon_right_facts(result.get('rights'), label)

    def _logon_right_facts(self, rights, label):
        """Policy facts from a logon_right_info ``rights`` result merged into the evidence.

        Rights read again when a step failed show what Group Policy did in the
        meantime: a GPO that now defines the right is named as its source.
        """
        if not isinstance(rights, dict):
            return
        rec = self.inputs.add('%s:logon_right_info' % label, 'logon_rights', len(rights))
        for right, info in sorted(rights.items()):
            if not isinstance(info, dict):
                self.inputs.warn(rec, '%s is not a dict' % right)
                continue
            holders = [h for h in info.get('holders') or [] if isinstance(h, dict)]
            accounts = [str(h.get(key)) for h in holders for key in ('sid', 'name') if h.get(key)]
            gpo = info.get('gpo') if isinstance(info.get('gpo'), dict) else {}
            rec['items'] += 1
            yield FactItem(rec['path'], right, {
                'kind': 'user_right', 'right': right, 'accounts': accounts,
                'scope': 'gpo' if gpo.get('defined') else 'local', 'gpo': gpo.get('name'),
                'text': '%s: %s' % (right, ', '.join(str(h.get('name') or h.get('sid')) for h in holders) or '(no holder)')})

    # internals ----------------------------------------------------------
    def _dispatch(self, fh, label, size, real_path, depth):
        try:
            head = fh.read(65536)
        except OSError as e:
            rec = self.inputs.add(label, 'unreadable', size)
            self.inputs.warn(rec, 'cannot read: %s' % e, status='skipped')
            return
        enc, bom = sniff_encoding(head)
        if head.startswith(EVTX_MAGIC) or head.startswith(ZIP_MAGIC) or head.startswith(EMPTY_ZIP_MAGIC):
            head_utf8 = head
        elif enc == 'utf-8':
            head_utf8 = head[bom:]
        else:
            head_utf8 = head[bom:].decode(enc, 'replace').encode('utf-8', 'replace')
        name = os.path.basename(label.rsplit('!', 1)[-1])     # a zip member: its own name
        if is_own_report(name, head_utf8):
            rec = self.inputs.add(label, 'own_report', size)
            self.inputs.warn(rec, 'a report this tool wrote; not read as evidence', status='ignored')
            return
        kind = classify(os.path.basename(label), head_utf8)
        rec = self.inputs.add(label, kind, size)
        if size == 0:
            self.inputs.warn(rec, 'empty file', status='skipped')
            return
        if kind == 'evtx':
            if not head.startswith(EVTX_MAGIC):
                self.inputs.warn(rec, 'named .evtx but has no EVTX header', status='skipped')
                return
            path = real_path or self._spool(fh, rec, head)
            if path:
                yield from read_evtx(path, self.inputs, rec)
            return
        if kind == 'zip':
            yield from self._zip(fh, rec, depth)
            return
        if looks_binary(head, enc):
            self.inputs.warn(rec, 'binary content, not a log; skipped', status='skipped')
            return
        rec['encoding'] = enc
        fh.seek(0)
        chunks = iter_chunks(fh, enc, bom, self.limits['chunk_size'])
        max_line = self.limits['max_line']
        if kind == 'event_xml':
            src = _ChunkReader(_bounded(chunks, self.limits['max_structured_bytes'], self.inputs, rec))
            yield from read_event_xml(src, self.inputs, rec)
        elif kind == 'gpresult_xml':
            src = _ChunkReader(_bounded(chunks, self.limits['max_structured_bytes'], self.inputs, rec))
            yield from read_gpresult_xml(src, self.inputs, rec)
        elif kind == 'gpresult_html':
            yield from read_gpresult_html(_bounded(chunks, self.limits['max_structured_bytes'], self.inputs, rec),
                                          self.inputs, rec)
        elif kind == 'secedit':
            yield from read_secedit(chunks, self.inputs, rec, max_line)
        elif kind == 'event_csv':
            yield from read_event_csv(chunks, self.inputs, rec, max_line)
        elif kind == 'event_text':
            yield from read_event_text(chunks, self.inputs, rec, max_line)
        elif kind == 'event_list':
            yield from read_event_list(chunks, self.inputs, rec, max_line)
        else:
            rec['items'] += 1
            yield TextItem(label, kind, chunks)

    def _spool(self, fh, rec, head=None, limit=None):
        """Copy a stream to a temp file (evtx/zip inside a zip need seekable files)."""
        limit = limit or self.limits['max_member_spool']
        tmp = tempfile.NamedTemporaryFile(prefix='entra_sync_ev_', dir=self._tmpdir, delete=False)
        written = 0
        try:
            with tmp:
                if head:
                    tmp.write(head)
                    written = len(head)
                while True:
                    block = fh.read(1024 * 1024)
                    if not block:
                        break
                    written += len(block)
                    if written > limit:
                        self.inputs.warn(rec, 'larger than %d bytes; not unpacked' % limit, status='skipped')
                        os.unlink(tmp.name)
                        return None
                    tmp.write(block)
        except (OSError, zipfile.BadZipFile, EOFError) as e:
            self.inputs.warn(rec, 'could not unpack: %s' % e, status='skipped')
            os.unlink(tmp.name)
            return None
        self._spooled.append(tmp.name)
        return tmp.name

    def _zip(self, fh, rec, depth):
        if depth >= self.limits['max_zip_depth']:
            self.inputs.warn(rec, 'zip nested deeper than %d; refused' % self.limits['max_zip_depth'], status='refused')
            return
        try:
            fh.seek(0)
            zf = zipfile.ZipFile(fh)
            infos = zf.infolist()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
            self.inputs.warn(rec, 'not a readable zip (truncated or damaged): %s' % e, status='skipped')
            return
        # refuse the whole archive on zip slip or bomb signs: it was built to attack
        if len(infos) > self.limits['max_zip_members']:
            self.inputs.warn(rec, 'zip has %d members (limit %d): refused' % (len(infos), self.limits['max_zip_members']),
                             status='refused')
            return
        total = 0
        bombs = set()
        for info in infos:
            name = info.filename.replace('\\', '/')
            parts = [p for p in name.split('/') if p not in ('', '.')]
            if name.startswith('/') or re.match(r'^[a-zA-Z]:', name) or '..' in parts:
                self.inputs.warn(rec, "member '%s' would unpack outside the archive folder (zip slip): refused" % info.filename,
                                 status='refused')
                return
            total += info.file_size
            ratio = info.file_size / float(max(info.compress_size, 1))
            if info.file_size > 1024 * 1024 and ratio > self.limits['max_zip_ratio']:
                bombs.add(info.filename)    # only this member: the rest of the archive is still evidence
        if total > self.limits['max_zip_total']:
            self.inputs.warn(rec, 'zip expands to %d bytes (limit %d): refused' % (total, self.limits['max_zip_total']),
                             status='refused')
            return
        for info in infos:
            if info.is_dir():
                continue
            label = '%s!%s' % (rec['path'], info.filename)
            if info.filename in bombs:
                mrec = self.inputs.add(label, 'zip_member', info.file_size)
                self.inputs.warn(mrec, 'expands %d times (limit %d:1, zip bomb); not unpacked' % (
                    info.file_size / float(max(info.compress_size, 1)), self.limits['max_zip_ratio']), status='refused')
                self.inputs.warn(rec, "member '%s' refused (zip bomb)" % info.filename)
                continue
            try:
                member = _LimitedReader(zf.open(info), info.file_size)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError, ValueError) as e:
                mrec = self.inputs.add(label, 'zip_member', info.file_size)
                self.inputs.warn(mrec, 'cannot open member: %s' % e, status='skipped')
                continue
            head = member.peek_head()
            if head.startswith(EVTX_MAGIC) or head.startswith(ZIP_MAGIC):
                path = self._spool(member, rec)
                if path:
                    yield from self.read_file(path, label, depth + 1)
                    _unlink(path)
                continue
            # a damaged member, or a reader error in it, ends that member only
            yield from self._guarded(self._dispatch(member, label, info.file_size, None, depth + 1), label)

    def cleanup(self):
        for p in self._spooled or []:
            _unlink(p)
        self._spooled = []


def _inside(path, root):
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _file_type(mode):
    for test, name in ((stat.S_ISFIFO, 'FIFO'), (stat.S_ISSOCK, 'socket'), (stat.S_ISCHR, 'character device'),
                       (stat.S_ISBLK, 'block device'), (stat.S_ISDIR, 'folder')):
        if test(mode):
            return name
    return 'special file'


def _unlink(path):
    try:
        os.unlink(path)
    except OSError:
        pass


class _LimitedReader(object):
    """A zip member stream that refuses to yield more than it declared (bomb guard)
    and can be sought back to 0 after the head was peeked."""

    def __init__(self, raw, declared):
        self._raw = raw
        self._limit = declared
        self._read = 0
        self._head = None
        self._pos_in_head = 0

    def peek_head(self):
        self._head = self._raw.read(65536)
        self._read = len(self._head)
        self._pos_in_head = 0
        return self._head

    def read(self, n=-1):
        if self._head is not None and self._pos_in_head < len(self._head):
            if n is None or n < 0:
                out = self._head[self._pos_in_head:] + self._read_raw(-1)
                self._pos_in_head = len(self._head)
                return out
            out = self._head[self._pos_in_head:self._pos_in_head + n]
            self._pos_in_head += len(out)
            return out
        return self._read_raw(n)

    def _read_raw(self, n):
        block = self._raw.read(n if n and n > 0 else 1024 * 1024)
        self._read += len(block)
        if self._read > self._limit + 1024:
            raise zipfile.BadZipFile('member yields more than its declared size (zip bomb)')
        return block

    def seek(self, pos, whence=0):
        if pos == 0 and whence == 0 and self._head is not None:
            self._pos_in_head = 0
            return 0
        raise OSError('zip member streams can only rewind to the start')

    def close(self):
        self._raw.close()


def _bounded(chunks, limit, inputs, rec):
    total = 0
    for c in chunks:
        total += len(c)
        if total > limit:
            inputs.warn(rec, 'larger than %d bytes; only the first part was parsed' % limit)
            return
        yield c


def iter_evidence(paths=(), agent_evidence=None, inputs=None, limits=None):
    """Yield evidence items from paths (files, folders, zips) and agent_evidence results."""
    reader = Reader(inputs, limits)
    try:
        if agent_evidence:
            results = agent_evidence if isinstance(agent_evidence, list) else [agent_evidence]
            for i, res in enumerate(results):
                label = 'agent_evidence' if len(results) == 1 else 'agent_evidence[%d]' % i
                if isinstance(res, dict) and res.get('_host'):
                    label = 'agent_evidence@%s' % res['_host']
                yield from reader.read_agent_evidence(res, label)
        for p in ([paths] if isinstance(paths, (str, bytes, os.PathLike)) else paths or []):
            yield from reader.read_path(p)
    finally:
        reader.cleanup()

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Diagnosis held against evidence others published (tests/fixtures/public/).

* corpus.yml: real error texts with their source, the resolution the source reports and
  the root cause expected first. Top-1 accuracy must be at least 90 %.
* controls.yml: real Windows logs unrelated to the agent. No root cause at confidence
  >= 0.5 may come out of any of them.
* holdout.yml ... holdout5.yml: texts collected after the signatures were written, kept apart to
  measure generalisation. Their top-1 scores are reported, not enforced: a floor would invite
  tuning the engine to them.

Both figures are printed (pytest -s, or in the failure message) and quoted in README.md.
"""
from __future__ import annotations

import os
import re

import pytest
import yaml

from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _diagnosis, _findings
from entra_fixtures import ROOT

PUBLIC = os.path.join(ROOT, 'tests', 'fixtures', 'public')
CORPUS = yaml.safe_load(open(os.path.join(PUBLIC, 'corpus.yml'), encoding='utf-8'))
CONTROLS = yaml.safe_load(open(os.path.join(PUBLIC, 'controls.yml'), encoding='utf-8'))
HOLDOUT = yaml.safe_load(open(os.path.join(PUBLIC, 'holdout.yml'), encoding='utf-8'))
HOLDOUT2 = yaml.safe_load(open(os.path.join(PUBLIC, 'holdout2.yml'), encoding='utf-8'))
HOLDOUT3 = yaml.safe_load(open(os.path.join(PUBLIC, 'holdout3.yml'), encoding='utf-8'))
HOLDOUT4 = yaml.safe_load(open(os.path.join(PUBLIC, 'holdout4.yml'), encoding='utf-8'))
HOLDOUT5 = yaml.safe_load(open(os.path.join(PUBLIC, 'holdout5.yml'), encoding='utf-8'))
HELD_BACK = [('holdout.yml', HOLDOUT), ('holdout2.yml', HOLDOUT2), ('holdout3.yml', HOLDOUT3),
             ('holdout4.yml', HOLDOUT4), ('holdout5.yml', HOLDOUT5)]
ALL_ENTRIES = CORPUS['entries'] + [e for _name, held in HELD_BACK for e in held['entries']]
MIN_TOP1 = 0.90
FALSE_POSITIVE_CONFIDENCE = 0.5


def _diagnose_text(tmp_path, entry):
    path = tmp_path / ('%s.log' % entry['id'])
    path.write_text(entry['text'], encoding='utf-8')
    return _diagnosis.diagnose([str(path)])


def corpus_score(tmp_path, corpus=None):
    corpus = corpus or CORPUS
    misses = []
    for entry in corpus['entries']:
        causes = _diagnose_text(tmp_path, entry)['root_causes']
        top = causes[0]['id'] if causes else None
        if top != entry['expected']:
            misses.append((entry['id'], entry['expected'], top))
    total = len(corpus['entries'])
    return (total - len(misses)) / float(total), misses


def control_false_positives():
    out = []
    for control in CONTROLS['controls']:
        d = _diagnosis.diagnose([os.path.join(PUBLIC, control['file'])])
        out += [(control['file'], rc['id'], rc['confidence']) for rc in d['root_causes']
                if rc['confidence'] >= FALSE_POSITIVE_CONFIDENCE]
    return out


def test_corpus_entries_are_complete_and_sourced():
    assert len(CORPUS['entries']) >= 60
    assert len(HOLDOUT2['entries']) >= 25
    assert len(HOLDOUT3['entries']) >= 20
    assert len(HOLDOUT4['entries']) >= 25
    assert len(HOLDOUT5['entries']) >= 12
    ids = [e['id'] for e in ALL_ENTRIES]
    assert len(ids) == len(set(ids))
    urls = [e['url'] for e in ALL_ENTRIES]
    assert len(urls) == len(set(urls)), 'a source counts once, across corpus and held-back sets'
    assert {str(s['date_read']) for s in [CORPUS] + [held for _name, held in HELD_BACK]} == {'2026-12-06'}
    for e in ALL_ENTRIES:
        assert re.match(r'^https?://', e['url']), e['id']
        assert e['text'].strip() and e['resolution'].strip(), e['id']
        assert e['expected'] in _findings.CATALOG, e['id']


def test_controls_are_real_files_with_a_licence():
    assert len(CONTROLS['controls']) >= 20
    for c in CONTROLS['controls']:
        path = os.path.join(PUBLIC, c['file'])
        assert os.path.getsize(path) < 64 * 1024, 'keep only a small cut: ' + c['file']
        assert c['licence'] and c['source'], c['file']


def test_top1_accuracy_on_the_public_corpus(tmp_path):
    accuracy, misses = corpus_score(tmp_path)
    print('\npublic corpus: %d texts, top-1 accuracy %.1f %%' % (len(CORPUS['entries']), accuracy * 100))
    assert accuracy >= MIN_TOP1, 'top-1 %.1f %% < %.0f %%; misses (id, expected, got): %s' % (
        accuracy * 100, MIN_TOP1 * 100, misses)


@pytest.mark.parametrize('name, held_back', HELD_BACK)
def test_held_back_texts_are_reported(tmp_path, name, held_back):
    """Reported, not enforced (README.md quotes the figures): every held-back text is diagnosed and
    scored; a miss is printed with what came first instead."""
    accuracy, misses = corpus_score(tmp_path, held_back)
    total = len(held_back['entries'])
    print('\n%s: %d texts, top-1 accuracy %.1f %% (%d/%d); misses (id, expected, got): %s'
          % (name, total, accuracy * 100, total - len(misses), total, misses))
    # what came first for a miss is a catalogued root cause or nothing, never an unknown id
    assert all(got is None or got in _findings.CATALOG for _id, _expected, got in misses), misses


def test_no_root_cause_from_unrelated_windows_logs():
    fps = control_false_positives()
    print('\nnegative controls: %d logs, %d false positives' % (len(CONTROLS['controls']), len(fps)))
    assert fps == []


def test_the_guard_fails_on_a_broken_engine(tmp_path, monkeypatch):
    """The two guards above can fail: without the event scope the controls raise alarms again,
    without the wording signatures (codes alone) the corpus falls below the bar."""
    monkeypatch.setattr(_diagnosis, '_names_product', lambda text: True)
    assert any(f[1] == 'stale_agent_installation' for f in control_false_positives())
    assert any(f[1] == 'installer_failed_unknown' for f in control_false_positives())
    monkeypatch.undo()
    # error numbers and exception types alone (no wording signatures) decide fewer than 90 %
    monkeypatch.setattr(_diagnosis, 'SIGNATURES', [s for s in _diagnosis.SIGNATURES
                                                   if s.get('extract') or s.get('block') or s.get('event_ids')])
    accuracy, _misses = corpus_score(tmp_path)
    print('\npublic corpus, error codes and exception types alone: top-1 %.1f %%' % (accuracy * 100))
    assert accuracy < MIN_TOP1


@pytest.mark.parametrize('control', [c['file'] for c in CONTROLS['controls']])
def test_each_control_is_read_not_skipped(control):
    d = _diagnosis.diagnose([os.path.join(PUBLIC, control)])
    assert all(i['status'] == 'read' for i in d['inputs']), d['inputs']

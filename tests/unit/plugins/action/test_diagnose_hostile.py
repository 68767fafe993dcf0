# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The diagnose action refuses what would read or write the wrong place, and never calls nothing healthy (issue 13)."""
from __future__ import annotations

import os

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.hybrid_identity.entra_sync.plugins.action.diagnose import ActionModule as Diagnose

from action_harness import make

MSI_1603 = 'Error 0x80070643: Failed to install MSI package.\n'


def run(args):
    action, dummy = make(Diagnose, args, {})
    return action.run(task_vars={})


@pytest.mark.parametrize('value', [10 ** 12, 2 * 1024 * 1024, 100])
def test_max_line_bytes_outside_its_bounds_is_refused(tmp_path, value):
    (tmp_path / 'a.log').write_text(MSI_1603)
    with pytest.raises(AnsibleActionFail, match='max_line_bytes must be between 1024 and 1048576'):
        run({'evidence_path': [str(tmp_path)], 'max_line_bytes': value})


@pytest.mark.parametrize('where', ['same', 'inside'])
def test_report_dir_in_the_evidence_folder_is_refused(tmp_path, where):
    (tmp_path / 'a.log').write_text(MSI_1603)
    report_dir = tmp_path if where == 'same' else tmp_path / 'reports'
    with pytest.raises(AnsibleActionFail, match='inside the evidence folder'):
        run({'evidence_path': [str(tmp_path)], 'report_dir': str(report_dir)})
    assert not (tmp_path / 'report.json').exists()


def test_a_path_cut_at_a_space_is_named_with_the_json_form(tmp_path):
    (tmp_path / 'AAD logs').mkdir()
    with pytest.raises(AnsibleActionFail) as err:
        run({'evidence_path': [str(tmp_path / 'AAD')]})
    msg = str(err.value)
    assert "evidence_path '%s' does not exist" % (tmp_path / 'AAD') in msg
    assert str(tmp_path / 'AAD logs') in msg and '{"evidence_path": ' in msg


def test_empty_folder_is_inconclusive_and_fails_when_asked(tmp_path):
    res = run({'evidence_path': [str(tmp_path)]})
    assert res['summary']['status'] == 'inconclusive' and res['summary']['healthy'] is False and not res.get('failed')
    res = run({'evidence_path': [str(tmp_path)], 'fail_on_inconclusive': True, 'report_dir': str(tmp_path / '..' / 'r')})
    assert res['failed'] is True and 'no input was read' in res['msg']
    assert os.path.exists(res['report_paths']['junit'])      # written before failing


def test_symlinked_report_dir_needs_consent(tmp_path):
    (tmp_path / 'ev').mkdir()
    (tmp_path / 'ev' / 'a.log').write_text(MSI_1603)
    (tmp_path / 'real').mkdir()
    os.symlink(tmp_path / 'real', tmp_path / 'link')
    with pytest.raises(AnsibleActionFail, match='symbolic link'):
        run({'evidence_path': [str(tmp_path / 'ev')], 'report_dir': str(tmp_path / 'link')})
    res = run({'evidence_path': [str(tmp_path / 'ev')], 'report_dir': str(tmp_path / 'link'),
               'allow_symlinked_report_dir': True})
    assert (tmp_path / 'real' / 'report.json').exists() and res['blockers'] == ['installer_failed_unknown']

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/diagnose.yml run as a user runs it, from a folder of their own, with no inventory
(issue 13): Ansible's templated option values reach the readers, reports land under the
current directory, and nothing read means a failed play, not a green one."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
PLAYBOOK = REPO / "playbooks" / "diagnose.yml"
MSI_1603 = "[0F3C:1A2B][2025-01-01T10:00:00]e000: Error 0x80070643: Failed to install MSI package.\n"
EVENT_CSV = ('Level,Date and Time,Source,Event ID,Task Category,Message\n'
             'Error,1/1/2025 10:00,MsiInstaller,11708,None,"Product: Microsoft Entra Provisioning Agent -- '
             'Installation failed."\n')


def play(cwd, *extra):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(REPO / ".venv" / "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    env.pop("ANSIBLE_CONFIG", None)
    proc = subprocess.run([str(REPO / ".venv" / "bin" / "ansible-playbook"), str(PLAYBOOK), *extra],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture
def user_dir(tmp_path):
    (tmp_path / "work").mkdir()
    return tmp_path / "work"


def test_a_csv_export_does_not_stop_the_reading_and_reports_go_under_the_current_folder(user_dir, tmp_path):
    evidence = tmp_path / "handed over"
    evidence.mkdir()
    (evidence / "a_application.csv").write_text(EVENT_CSV)
    (evidence / "b_setup.log").write_text(MSI_1603)
    rc, out = play(user_dir, "-e", json.dumps({"evidence_path": str(evidence)}))
    assert rc == 0, out
    report = json.loads((user_dir / "reports" / "entra_sync" / "report.json").read_text())
    assert [rc["id"] for rc in report["root_causes"]] == ["installer_failed_unknown"]
    assert {i["path"].rsplit("/", 1)[-1]: i["status"] for i in report["inputs"]} == {
        "a_application.csv": "read", "b_setup.log": "read"}


def test_an_empty_folder_fails_the_play_as_inconclusive(user_dir, tmp_path):
    (tmp_path / "empty").mkdir()
    rc, out = play(user_dir, "-e", "evidence_path=%s" % (tmp_path / "empty"))
    assert rc != 0 and "Inconclusive: no input was read" in out
    report = json.loads((user_dir / "reports" / "entra_sync" / "report.json").read_text())
    assert report["summary"]["status"] == "inconclusive" and report["summary"]["healthy"] is False


def test_a_path_cut_by_key_value_is_named_with_its_fix(user_dir, tmp_path):
    (tmp_path / "AAD logs").mkdir()
    (tmp_path / "AAD logs" / "setup.log").write_text(MSI_1603)
    rc, out = play(user_dir, "-e", "evidence_path=%s" % (tmp_path / "AAD logs"))
    assert rc != 0
    assert "does not exist" in out and str(tmp_path / "AAD logs") in out and '{"evidence_path": ' in out.replace('\\"', '"')


def test_a_link_planted_at_the_default_report_folder_is_refused_but_a_named_one_is_used(user_dir, tmp_path):
    (tmp_path / "ev").mkdir()
    (tmp_path / "ev" / "setup.log").write_text(MSI_1603)
    (tmp_path / "elsewhere").mkdir()
    (user_dir / "reports").mkdir()
    os.symlink(tmp_path / "elsewhere", user_dir / "reports" / "entra_sync")
    rc, out = play(user_dir, "-e", "evidence_path=%s" % (tmp_path / "ev"))
    assert rc != 0 and "is a symbolic link" in out and list((tmp_path / "elsewhere").iterdir()) == []
    rc, out = play(user_dir, "-e", "evidence_path=%s" % (tmp_path / "ev"), "-e",
                   "report_dir=%s" % (user_dir / "reports" / "entra_sync"))
    assert rc == 0, out
    assert (tmp_path / "elsewhere" / "report.json").exists()

"""The lab fails on a broken module (issue 17 item 5): since the lab runs the collection's own
PowerShell through Ansible's exec wrapper, a defect in a module or module_util changes how a lab
host ends, and tests/lab/check_outcomes.py says so.

A reduced lab: one host whose outcome reads the code under test (gpo_right_without_all_services:
its GPO-defined right is read through logon_right_info, RSoP precedence included, and the expected
root cause needs the rights), the domain controllers, and ``install_agent.yml`` limited to it. The
good code ends as the host's scenario expects; each broken copy (the same four breakages the
Pester guard uses, with a return key the roles read) does not.

Needs pwsh and a C compiler (the lab's prerequisites); skipped with the reason otherwise.
"""

from __future__ import annotations

import concurrent.futures
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests" / "lab"))
import build_lab  # noqa: E402  pylint: disable=wrong-import-position

HOST = "gpo_right_without_all_services"
PWSH = subprocess.run(["bash", "-c", '. hack/pwsh.sh >/dev/null 2>&1; printf %s "$PWSH"'], cwd=ROOT,
                      capture_output=True, text=True, check=False).stdout
pytestmark = pytest.mark.skipif(not (PWSH and shutil.which("cc")), reason="the lab needs pwsh (hack/pwsh.sh) and cc")

# (file as the lab runs it, text in the good code, broken text): what a real defect would look like.
MUTATIONS = {
    "return_key_renamed": ("plugins/modules/logon_right_info.ps1", "$module.Result.rights = $rights",
                           "$module.Result.user_rights = $rights"),
    "uint32_of_a_negative_value": ("plugins/module_utils/_LogonRight.psm1", "precedence = [int]$setting.precedence",
                                   "precedence = [UInt32]([int]$setting.precedence - 2)"),
    "parameter_windows_lacks": ("plugins/modules/logon_right_info.ps1",
                                "Get-CimInstance -ClassName Win32_ComputerSystem -ErrorAction Stop",
                                "Get-CimInstance -ClassName Win32_ComputerSystem -Recurse -ErrorAction Stop"),
    "parse_error": ("plugins/modules/logon_right_info.ps1", "$module.Result.changed = $false",
                    "$module.Result.changed = ($false"),
}


def _break(lab: pathlib.Path, relative: str, before: str, after: str) -> None:
    """Apply one breakage to the code the lab runs: a module in a copy of plugins/modules, a module_util
    in the lab's runtime copy of module_utils (which is what the modules import there)."""
    plugins = lab / "collections" / "ansible_collections" / "hybrid_identity" / "entra_sync" / "plugins"
    if relative.startswith("plugins/modules/"):
        modules = plugins / "modules"
        modules.unlink()
        shutil.copytree(ROOT / "plugins" / "modules", modules)
        target = modules / pathlib.Path(relative).name
    else:
        target = lab / "runtime" / "module_utils" / pathlib.Path(relative).name
    source = target.read_text(encoding="utf-8-sig")
    assert before in source, f"the good code no longer contains {before!r}"
    target.write_text(source.replace(before, after, 1), encoding="utf-8")


def _run_lab(lab: pathlib.Path, mutation: str | None) -> tuple[int, str]:
    scenarios = {HOST: str(ROOT / "tests" / "lab" / "hosts" / f"{HOST}.json")}
    build_lab.build(str(lab), scenarios)
    if mutation:
        _break(lab, *MUTATIONS[mutation])
    env = dict(os.environ, ENTRA_LAB_DIR=str(lab), ENTRA_LAB_REPORT_DIR=str(lab / "reports"),
               ANSIBLE_COLLECTIONS_PATH=str(lab / "collections"), ANSIBLE_NOCOLOR="1")
    env.pop("_ANSIBLE_COVERAGE_REMOTE_OUTPUT", None)
    play = subprocess.run([str(ROOT / ".venv" / "bin" / "ansible-playbook"), "-i", "tests/lab/inventory.yml",
                           "playbooks/install_agent.yml", "--limit", HOST], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900, check=False)
    outcome = subprocess.run([sys.executable, "tests/lab/check_outcomes.py", "--lab-dir", str(lab)], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=300, check=False)
    return outcome.returncode, play.stdout[-3000:] + outcome.stdout[-2000:] + outcome.stderr[-1000:]


def test_the_lab_fails_on_each_broken_module_and_passes_on_the_good_one(tmp_path):
    names = [None, *MUTATIONS]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(names, pool.map(lambda n: _run_lab(tmp_path / (n or "good"), n), names)))
    good_rc, good_log = results.pop(None)
    assert good_rc == 0, f"the unbroken lab host did not end as expected:\n{good_log}"
    for name, (rc, log) in results.items():
        assert rc != 0, f"{name}: the lab ended as expected on a broken module\n{log}"

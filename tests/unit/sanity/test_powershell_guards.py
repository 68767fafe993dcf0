"""The PowerShell guards fail on broken code: the parser, PSScriptAnalyzer's Windows PowerShell 5.1
rules, and the Pester suite on a deliberately broken copy of a module.

They need PowerShell (found as the test chain finds it: hack/pwsh.sh); without it they are skipped
with the reason, and the test chain itself refuses to run without it under CI=true.
"""

from __future__ import annotations

import concurrent.futures
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
GUARDS = ROOT / "tests" / "fixtures" / "guards"


def _discover_pwsh() -> tuple[str, str]:
    found = subprocess.run(["bash", "-c", '. hack/pwsh.sh; printf "%s\\n%s" "$PWSH" "$PWSH_MISSING"'],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\n")
    return found[0], found[1] if len(found) > 1 else ""


PWSH, PWSH_MISSING = _discover_pwsh()
needs_pwsh = pytest.mark.skipif(not PWSH, reason=f"PowerShell guards skipped: {PWSH_MISSING}")


def _ansible_file(*parts: str) -> pathlib.Path:
    import ansible
    import ansible_test
    package = ansible if parts[0] == "ansible" else ansible_test
    return pathlib.Path(package.__file__).parent.joinpath(*parts[1:])


ANSIBLE_BASIC = _ansible_file("ansible", "module_utils", "csharp", "Ansible.Basic.cs")
PSLINT_SETTINGS = _ansible_file("ansible_test", "_util", "controller", "sanity", "pslint", "settings.psd1")


def _pwsh(*arguments: str, cwd: pathlib.Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([PWSH, "-NoProfile", "-NonInteractive", *arguments], cwd=cwd, capture_output=True,
                          text=True, check=False, timeout=600, env=env)


@needs_pwsh
def test_parser_rejects_a_broken_script_and_csharp_and_names_the_line():
    completed = _pwsh("-File", "tests/sanity/ps_parse.ps1", "-AnsibleBasic", str(ANSIBLE_BASIC),
                      "-Path", str(GUARDS / "syntax_error.ps1"), "-CSharp", str(GUARDS / "syntax_error.cs"))
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "syntax_error.ps1:5:22:" in completed.stdout
    assert "syntax_error.cs: does not compile" in completed.stdout


@needs_pwsh
def test_parser_passes_the_collection():
    completed = _pwsh("-File", "tests/sanity/ps_parse.ps1", "-AnsibleBasic", str(ANSIBLE_BASIC), "-Path", "plugins")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert ", 0 errors" in completed.stdout


@needs_pwsh
def test_analyzer_reports_what_windows_powershell_51_lacks():
    pytest.importorskip("ansible_test")
    completed = _pwsh("-File", "tests/sanity/ps_analyze.ps1", "-PslintSettings", str(PSLINT_SETTINGS),
                      "-Path", str(GUARDS / "not_windows_powershell_51.ps1"))
    output = completed.stdout + completed.stderr
    if "PSScriptAnalyzer" in output and "not loaded" in output:
        pytest.skip("PSScriptAnalyzer is not installed for this pwsh")
    assert completed.returncode == 1, output
    assert ":4:9: Error [PSUseCompatibleSyntax]" in output  # '??' is PowerShell 7
    assert ":6:30: Warning [PSUseCompatibleCommands] The parameter 'DisplayNameWildcard'" in output
    assert "Windows Server 2016" in output and "Windows Server 2019" in output
    assert ":7:8: Error [EntraSyncJoinPathWindowsPowerShell51]" in output  # a third child path is PowerShell 6+


# Each mutation breaks the copy of a module the way a real defect would; the module's Pester
# tests must then fail. (file, text in the good code, broken text, what the breakage is)
MUTATIONS = {
    "return_key_renamed": ("plugins/modules/logon_right_info.ps1", "$module.Result.rsop_available =",
                           "$module.Result.rsop_read ="),
    "uint32_of_a_negative_value": ("plugins/module_utils/_LogonRight.psm1", "precedence = [int]$setting.precedence",
                                   "precedence = [UInt32]([int]$setting.precedence - 2)"),
    "parameter_windows_lacks": ("plugins/modules/logon_right_info.ps1",
                                "Get-CimInstance -ClassName Win32_ComputerSystem -ErrorAction Stop",
                                "Get-CimInstance -ClassName Win32_ComputerSystem -Recurse -ErrorAction Stop"),
    "parse_error": ("plugins/modules/logon_right_info.ps1", "$module.Result.changed = $false",
                    "$module.Result.changed = ($false"),
}


def _copy_for_pester(target: pathlib.Path) -> None:
    for part in ("plugins", "tests/windows_sim", "tests/unit/powershell"):
        shutil.copytree(ROOT / part, target / part, ignore=shutil.ignore_patterns("__pycache__"))
    # ansible.windows' PowerShell utils (its process util) come from the set-up's collections.
    (target / ".venv").symlink_to(ROOT / ".venv")


def _run_pester(tree: pathlib.Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, ENTRA_SYNC_ANSIBLE_BASIC=str(ANSIBLE_BASIC))
    return _pwsh("-File", str(tree / "tests/unit/powershell/run.ps1"), "-NoCoverage",
                 "-Path", str(tree / "tests/unit/powershell/logon_right_info.Tests.ps1"), cwd=tree, env=env)


@needs_pwsh
def test_pester_fails_on_each_broken_copy_and_passes_on_the_good_one(tmp_path):
    trees = {}
    for name in ["good", *MUTATIONS]:
        tree = tmp_path / name
        _copy_for_pester(tree)
        if name != "good":
            relative, before, after = MUTATIONS[name]
            source = (tree / relative).read_text()
            assert before in source, f"{name}: the good code no longer contains {before!r}"
            (tree / relative).write_text(source.replace(before, after, 1))
        trees[name] = tree
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(trees, pool.map(_run_pester, trees.values())))
    good = results.pop("good")
    assert good.returncode == 0, good.stdout[-3000:] + good.stderr[-2000:]
    assert ", 0 failed" in good.stdout
    for name, completed in results.items():
        assert completed.returncode != 0, f"{name}: Pester passed on a broken module\n{completed.stdout[-3000:]}"
        failed = re.search(r"pester: \d+ passed, (\d+) failed", completed.stdout)
        assert failed and int(failed.group(1)) > 0, f"{name}: {completed.stdout[-1500:]}"


PROFILES = ("win-8_x64_10.0.14393.0_5.1.14393.2791_x64_4.0.30319.42000_framework.json",
            "win-8_x64_10.0.17763.0_5.1.17763.316_x64_4.0.30319.42000_framework.json")


@needs_pwsh
def test_simulated_commands_carry_the_signatures_of_the_windows_profiles(tmp_path):
    """tests/windows_sim/windows_commands.json is what extract_commands.py takes from the profiles now."""
    base = _pwsh("-Command", "(Get-Module -ListAvailable PSScriptAnalyzer | Sort-Object Version | "
                             "Select-Object -Last 1).ModuleBase").stdout.strip()
    folder = pathlib.Path(base) / "compatibility_profiles" if base else None
    if not folder or not all((folder / name).is_file() for name in PROFILES):
        pytest.skip("PSScriptAnalyzer's Windows Server 2016/2019 profiles are not installed for this pwsh")
    extracted = subprocess.run(
        [sys.executable, str(ROOT / "tests/windows_sim/extract_commands.py"), *[str(folder / name) for name in PROFILES]],
        capture_output=True, text=True, check=True).stdout
    committed = (ROOT / "tests/windows_sim/windows_commands.json").read_text()
    assert extracted == committed, "regenerate: python tests/windows_sim/extract_commands.py <profiles> > tests/windows_sim/windows_commands.json"

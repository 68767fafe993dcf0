"""tests/coverage/ps_coverage.py: reading Pester's and Ansible's coverage, mapping the lab's
module_util copies back to the repository, merging, and each check failing when it should.

The inputs are small, hand-made, in the formats the tools write: Pester 5's JaCoCo XML (as
tests/unit/powershell/run.ps1 has it write build/pester/coverage.xml) and ansible-core's
coverage_wrapper.ps1 JSON (``{path: [{"Line", "HitCount"}]}``, one entry as a bare object),
named as it names them. One test runs the real lab-runtime copier (needs pwsh).
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests" / "coverage"))

import ps_coverage  # noqa: E402

MODULE = textwrap.dedent("""\
    #!powershell
    #AnsibleRequires -CSharpUtil Ansible.Basic
    #AnsibleRequires -PowerShell ..module_utils._Demo

    $module = [Ansible.Basic.AnsibleModule]::Create($args, @{})
    $module.Result.value = Get-DemoValue
    $module.ExitJson()
    """)

# Lines 11 and 14 are the boundary function's body; 19-21 run after it.
UTIL = textwrap.dedent("""\
    # demo util
    Function Get-DemoSid {
        <#
        .SYNOPSIS
        One native call.
        #>
        [CmdletBinding()]
        param (
            [Parameter(Mandatory)][string]$Name
        )
        $account = New-Object -TypeName System.Security.Principal.NTAccount -ArgumentList $Name
        # the translation is Windows' LSA
        # (a second comment line)
        $account.Translate([System.Security.Principal.SecurityIdentifier]).Value
    }

    Function Get-DemoValue {
        [CmdletBinding()]
        param ()
        $sid = Get-DemoSid -Name 'x'
        if ($sid) { 'found' }
        else { 'absent' }
    }
    Export-ModuleMember -Function Get-DemoSid, Get-DemoValue
    """)

# What tests/windows_sim/lab/New-WinSimLabRuntime.ps1 writes for it: the body (lines 11-14) replaced
# by the simulation's lines (copy 11-15), one line longer, so every later line moves down by one.
UTIL_COPY = UTIL.replace(
    """    $account = New-Object -TypeName System.Security.Principal.NTAccount -ArgumentList $Name
    # the translation is Windows' LSA
    # (a second comment line)
    $account.Translate([System.Security.Principal.SecurityIdentifier]).Value""",
    """    # lab: the simulated Windows answers here (tests/windows_sim/boundary.psd1)
    $PesterBoundParameters = $PSBoundParameters
    Import-Module -Name WinSim
    Get-WinSimAccountSid -Name $Name
    Write-Verbose 'simulated'""")
assert UTIL_COPY != UTIL


def jacoco(files: dict[str, dict[int, int]]) -> str:
    """Pester 5.7's JaCoCo layout: package = repo folder, sourcefile = path from the common parent."""
    packages: dict[str, list[str]] = {}
    for path, lines in files.items():
        folder, name = path.rsplit("/", 1)
        rows = "".join(f'<line nr="{n}" mi="{0 if hits else 1}" ci="{hits}" mb="0" cb="0" />' for n, hits in sorted(lines.items()))
        short = folder.rsplit("/", 1)[-1]
        packages.setdefault(folder, []).append(
            f'<class name="{folder}/{name.rsplit(".", 1)[0]}" sourcefilename="{short}/{name}"></class>'
            f'<sourcefile name="{short}/{name}">{rows}</sourcefile>')
    body = "".join(f'<package name="{folder}">{"".join(items)}</package>' for folder, items in packages.items())
    return ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
            '<!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd"[]>'
            f'<report name="Pester"><sessioninfo id="this" start="1" dump="2" />{body}</report>')


@pytest.fixture
def repo(tmp_path: pathlib.Path) -> pathlib.Path:
    """A repository with one module and one module_util, a lab tree that runs the module by link
    and a copy of the util, and an empty allow-list."""
    root = tmp_path / "repo"
    (root / "plugins" / "modules").mkdir(parents=True)
    (root / "plugins" / "module_utils").mkdir(parents=True)
    (root / "plugins" / "modules" / "demo.ps1").write_text(MODULE)
    (root / "plugins" / "modules" / "demo.py").write_text("# documentation only\n")
    (root / "plugins" / "module_utils" / "_Demo.psm1").write_text(UTIL)
    (root / "tests" / "coverage").mkdir(parents=True)
    (root / "tests" / "coverage" / "unreachable.yml").write_text("{}\n")
    collection = tmp_path / "lab" / "collections" / "ansible_collections" / "hybrid_identity" / "entra_sync" / "plugins"
    (collection / "modules").mkdir(parents=True)
    (collection / "modules" / "demo.ps1").symlink_to(root / "plugins" / "modules" / "demo.ps1")
    (tmp_path / "lab" / "runtime" / "module_utils").mkdir(parents=True)
    (tmp_path / "lab" / "runtime" / "module_utils" / "_Demo.psm1").write_text(UTIL_COPY)
    (collection / "module_utils").symlink_to(tmp_path / "lab" / "runtime" / "module_utils")
    return root


def lab_paths(repo: pathlib.Path) -> tuple[str, str]:
    plugins = repo.parent / "lab" / "collections" / "ansible_collections" / "hybrid_identity" / "entra_sync" / "plugins"
    return str(plugins / "modules" / "demo.ps1"), str(plugins / "module_utils" / "_Demo.psm1")


def write_pester(repo: pathlib.Path, module: dict[int, int], util: dict[int, int]) -> pathlib.Path:
    path = repo / "build" / "pester" / "coverage.xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(jacoco({"plugins/modules/demo.ps1": module, "plugins/module_utils/_Demo.psm1": util}))
    return path


def write_lab(repo: pathlib.Path, runs: list[dict[str, object]]) -> pathlib.Path:
    lab_dir = repo / ".cache" / "ps-coverage" / "lab"
    lab_dir.mkdir(parents=True, exist_ok=True)
    for index, run in enumerate(runs):
        (lab_dir / f"lab=powershell-7.6=coverage.AGENT01.{100 + index}.{7 + index}").write_text(json.dumps(run))
    return lab_dir


def run_main(repo: pathlib.Path, *extra: str) -> int:
    return ps_coverage.main(["--root", str(repo), *extra])


MODULE_ALL_RUN = {5: 1, 6: 1, 7: 1}


# --- reading and mapping ----------------------------------------------------------------------------

def test_pester_jacoco_is_read_per_repo_file_and_line(repo: pathlib.Path) -> None:
    path = write_pester(repo, MODULE_ALL_RUN, {11: 0, 14: 0, 20: 2, 21: 1, 22: 0, 24: 1})
    read = ps_coverage.read_pester_jacoco(path)
    assert read == {"plugins/modules/demo.ps1": {5: 1, 6: 1, 7: 1},
                    "plugins/module_utils/_Demo.psm1": {11: 0, 14: 0, 20: 2, 21: 1, 22: 0, 24: 1}}


def test_lab_copy_lines_map_back_by_offset_and_the_simulated_body_is_not_credited(repo: pathlib.Path) -> None:
    mapping = ps_coverage.line_map(UTIL_COPY, UTIL)
    # Before the replaced body: 1:1. After it: the copy is one line longer.
    assert mapping[2] == 2 and mapping[10] == 10
    assert mapping[21] == 20 and mapping[25] == 24
    # The five lines of the simulated body (copy 11-15) have no original line.
    assert not set(range(11, 16)) & set(mapping)


def test_lab_coverage_is_mapped_summed_and_other_files_are_ignored(repo: pathlib.Path) -> None:
    module, util = lab_paths(repo)
    ansible_util = "/venv/ansible/module_utils/powershell/Ansible.ModuleUtils.AddType.psm1"
    lab_dir = write_lab(repo, [
        {module: [{"Line": 5, "HitCount": 1}, {"Line": 7, "HitCount": 1}],
         util: [{"Line": 11, "HitCount": 1}, {"Line": 15, "HitCount": 1}, {"Line": 21, "HitCount": 1}, {"Line": 23, "HitCount": 0}],
         ansible_util: {"Line": 82, "HitCount": 0}},
        # One breakpoint only: PowerShell's ConvertTo-Json writes it as an object, not a list; none as null.
        {util: {"Line": 21, "HitCount": 2}, module: None},
    ])
    (lab_dir / "not-a-coverage-file.txt").write_text("ignored")
    data = ps_coverage.read_lab_coverage(lab_dir, repo)
    assert data.files_read == 2
    assert data.lines == {"plugins/modules/demo.ps1": {5: 1, 7: 1},
                          "plugins/module_utils/_Demo.psm1": {20: 3, 22: 0}}
    assert data.unmapped_lines == {(util, 11), (util, 15)}  # the simulation's lines


def test_merge_takes_the_union_of_lines_and_counts_each_source(repo: pathlib.Path) -> None:
    pester = {"f": {1: 1, 2: 1, 3: 0, 4: 0}}
    lab = {"f": {2: 1, 3: 1, 5: 0}}
    [report] = ps_coverage.merge(["f"], pester, lab)
    assert report.executable == {1, 2, 3, 4, 5}
    assert (report.by_pester - report.by_lab, report.by_lab - report.by_pester, report.by_pester & report.by_lab) == ({1}, {3}, {2})
    assert report.unreached == {4, 5}
    assert report.share == pytest.approx(60.0)


def test_function_spans_and_compact_ranges() -> None:
    assert ps_coverage.function_spans(UTIL) == {"Get-DemoSid": (2, 15), "Get-DemoValue": (17, 23)}
    assert ps_coverage.compact([7, 1, 2, 3, 9, 10]) == "1-3, 7, 9-10"


# --- the checks: each passes on good data and fails on bad ---------------------------------------

def test_passes_when_every_file_is_above_the_threshold(repo: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_pester(repo, MODULE_ALL_RUN, {11: 0, 14: 1, 20: 1, 21: 1, 22: 1, 24: 1})
    assert run_main(repo) == 0
    output = capsys.readouterr().out
    assert "lab: NO DATA" in output and "every one of 2 files passes" in output


def test_fails_below_the_threshold_with_unexplained_lines_and_names_them(repo: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_pester(repo, MODULE_ALL_RUN, {11: 0, 14: 1, 20: 1, 21: 1, 22: 0, 24: 1})  # 4/6 = 66.7%
    assert run_main(repo) == 1
    output = capsys.readouterr().out
    assert "_Demo.psm1: 66.7% < 80% and 2 unreached line(s) not in the allow-list: 11, 22" in output


def test_the_lab_lifts_a_file_over_the_threshold(repo: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_pester(repo, MODULE_ALL_RUN, {11: 0, 14: 1, 20: 1, 21: 1, 22: 0, 24: 1})  # 4/6 = 66.7%
    _module, util = lab_paths(repo)
    write_lab(repo, [{util: [{"Line": 23, "HitCount": 1}]}])  # copy 23 = original 22
    assert run_main(repo) == 0  # 5/6 = 83.3%
    assert "1 coverage file(s)" in capsys.readouterr().out


def test_an_allow_list_that_explains_every_unreached_line_passes(repo: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_pester(repo, MODULE_ALL_RUN, {11: 0, 14: 0, 20: 1, 21: 1, 22: 0, 24: 1})
    (repo / "tests" / "coverage" / "unreachable.yml").write_text(textwrap.dedent("""\
        plugins/module_utils/_Demo.psm1:
          functions:
            Get-DemoSid: NTAccount.Translate is LSA, Windows only.
          lines:
            "Get-DemoValue 6": the else branch needs an account LSA does not know.
        """))
    assert run_main(repo) == 0
    assert "ok (explained)" in capsys.readouterr().out


@pytest.mark.parametrize(("allow_list", "message"), [
    ("""plugins/module_utils/_Demo.psm1: {functions: {Get-DemoValue: "claimed Windows-only"}}""",
     "allow-list function Get-DemoValue is reached at 20-22"),
    ("""plugins/module_utils/_Demo.psm1: {lines: {"3-5": "help text"}}""",
     "allow-list lines 3-5 names no executable line"),
    ("""plugins/module_utils/_Demo.psm1: {functions: {Get-Nothing: "no such function"}}""",
     "defines no function Get-Nothing"),
    ("""plugins/module_utils/_Demo.psm1: {functions: {Get-DemoSid: "  "}}""",
     "function Get-DemoSid has no reason"),
    ("""plugins/module_utils/_Demo.psm1: {lines: {"20-99": "past the end"}}""",
     "lines 20-99 are outside the file"),
    ("""plugins/module_utils/_Demo.psm1: {lines: {"Get-DemoSid 10-20": "past the function"}}""",
     "lines Get-DemoSid 10-20 are outside Get-DemoSid"),
    ("""plugins/module_utils/_Demo.psm1: {lines: {"Get-Nothing 1": "no such function"}}""",
     "defines no function Get-Nothing"),
    ("""plugins/module_utils/_Demo.psm1: {lines: {"Get-DemoValue 4-5": "reached lines"}}""",
     "allow-list lines Get-DemoValue 4-5 (20-21) is reached at 20-21"),
    ("""plugins/module_utils/_Demo.psm1: {lines: {"11 to 14": "not a range"}}""",
     "'11 to 14' is not 'a-b' or 'Function-Name a-b'"),
    ("""plugins/module_utils/_Other.psm1: {lines: {"1": "not ours"}}""",
     "plugins/module_utils/_Other.psm1 is not a module or module_util"),
])
def test_a_wrong_allow_list_entry_fails(repo: pathlib.Path, capsys: pytest.CaptureFixture[str], allow_list: str, message: str) -> None:
    write_pester(repo, MODULE_ALL_RUN, {11: 0, 14: 1, 20: 1, 21: 1, 22: 1, 24: 1})  # above the threshold
    (repo / "tests" / "coverage" / "unreachable.yml").write_text(allow_list + "\n")
    assert run_main(repo) == 1
    assert message in capsys.readouterr().out


def test_a_file_missing_from_the_data_fails(repo: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / "build" / "pester" / "coverage.xml"
    path.parent.mkdir(parents=True)
    path.write_text(jacoco({"plugins/modules/demo.ps1": MODULE_ALL_RUN}))
    assert run_main(repo) == 1
    assert "_Demo.psm1: missing: neither Pester nor the lab reported this file" in capsys.readouterr().out


def test_require_lab_fails_without_lab_data_and_when_the_lab_skipped_a_file(repo: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_pester(repo, MODULE_ALL_RUN, {11: 0, 14: 1, 20: 1, 21: 1, 22: 1, 24: 1})
    assert run_main(repo, "--require-lab") == 1
    assert "the lab's coverage is required" in capsys.readouterr().out
    module, _util = lab_paths(repo)
    write_lab(repo, [{module: [{"Line": 5, "HitCount": 1}]}])
    assert run_main(repo, "--require-lab") == 1
    assert "_Demo.psm1: missing from the lab's data" in capsys.readouterr().out


def test_not_in_lab_excuses_a_file_the_lab_skips_and_fails_once_the_lab_runs_it(
        repo: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_pester(repo, MODULE_ALL_RUN, {11: 0, 14: 1, 20: 1, 21: 1, 22: 1, 24: 1})
    module, util = lab_paths(repo)
    write_lab(repo, [{module: [{"Line": 5, "HitCount": 1}]}])
    allow = repo / "tests" / "coverage" / "unreachable.yml"
    allow.write_text("plugins/module_utils/_Demo.psm1:\n  not_in_lab: no lab host imports it\n")
    assert run_main(repo, "--require-lab") == 0
    assert "missing from the lab's data" not in capsys.readouterr().out
    allow.write_text("plugins/module_utils/_Demo.psm1:\n  not_in_lab: ''\n")
    assert run_main(repo, "--require-lab") == 1
    assert "not_in_lab has no reason" in capsys.readouterr().out
    allow.write_text("plugins/modules/demo.ps1:\n  not_in_lab: the lab skips it\n")
    assert run_main(repo, "--require-lab") == 1
    assert "a lab host ran it now" in capsys.readouterr().out


def test_unreadable_inputs_stop_with_exit_2(repo: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main(repo) == 2  # no Pester coverage at all
    assert "cannot read Pester's coverage" in capsys.readouterr().err
    write_pester(repo, MODULE_ALL_RUN, {11: 0, 14: 1, 20: 1, 21: 1, 22: 1, 24: 1})
    lab_dir = write_lab(repo, [])
    (lab_dir / "lab=powershell-7.6=coverage.AGENT01.1.2").write_text("{truncated")
    assert run_main(repo) == 2
    assert "not JSON" in capsys.readouterr().err


def test_an_empty_lab_file_is_skipped_and_a_vanished_copy_stops(repo: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_pester(repo, MODULE_ALL_RUN, {11: 0, 14: 1, 20: 1, 21: 1, 22: 1, 24: 1})
    _module, util = lab_paths(repo)
    lab_dir = write_lab(repo, [{util: [{"Line": 21, "HitCount": 1}]}])
    (lab_dir / "lab=powershell-7.6=coverage.AGENT01.1.2").write_text("")
    assert run_main(repo) == 0
    assert "1 empty file(s) skipped" in capsys.readouterr().out
    pathlib.Path(util).unlink()
    assert run_main(repo) == 2
    assert "which is gone" in capsys.readouterr().err


def test_summary_file_holds_the_table(repo: pathlib.Path, tmp_path: pathlib.Path) -> None:
    write_pester(repo, MODULE_ALL_RUN, {11: 0, 14: 1, 20: 1, 21: 1, 22: 1, 24: 1})
    summary = tmp_path / "out" / "summary.txt"
    assert run_main(repo, "--summary", str(summary)) == 0
    table = summary.read_text()
    assert "plugins/module_utils/_Demo.psm1" in table and "83.3%" in table and "plugins/modules/demo.ps1" in table


# --- the real copier ------------------------------------------------------------------------------

def _pwsh() -> str:
    found = subprocess.run(["bash", "-c", '. hack/pwsh.sh; printf "%s" "$PWSH"'], cwd=ROOT, capture_output=True, text=True, check=False)
    return found.stdout.strip()


@pytest.mark.skipif(not _pwsh(), reason="needs PowerShell (hack/pwsh.sh found none)")
def test_the_lab_runtime_copies_map_back_outside_exactly_the_boundary_bodies(tmp_path: pathlib.Path) -> None:
    """Every original line outside a boundary function is found in the lab's copy, and the copy's
    simulated lines are not mapped."""
    # One pwsh start (the slow part): write the runtime, then list boundary.psd1's functions.
    script = ("$null = & ./tests/windows_sim/lab/New-WinSimLabRuntime.ps1 -Destination $env:COVERAGE_TEST_RUNTIME -ModuleUtils plugins/module_utils; "
              "$table = Import-PowerShellDataFile tests/windows_sim/boundary.psd1; "
              "$table.GetEnumerator() | Where-Object Key -ne 'LabBelow' | ForEach-Object { $util = $_.Key; "
              "$_.Value.Keys | Where-Object { -not $table.LabBelow.Contains($_) } | ForEach-Object { \"$util $_\" } }")
    boundary = subprocess.run([_pwsh(), "-NoProfile", "-NonInteractive", "-Command", script],
                              env={**os.environ, "COVERAGE_TEST_RUNTIME": str(tmp_path)},
                              cwd=ROOT, check=True, capture_output=True, text=True, timeout=300).stdout.split("\n")
    replaced: dict[str, list[str]] = {}
    for row in filter(None, (row.strip() for row in boundary)):
        util, function = row.split(" ")
        replaced.setdefault(util, []).append(function)
    assert replaced, "boundary.psd1 names no function"
    assert "Get-EntraSyncRightHolderSid" not in replaced.get("_LogonRight", []), "the lab serves LSA below the util"
    for util, functions in replaced.items():
        original = (ROOT / "plugins" / "module_utils" / f"{util}.psm1").read_text(encoding="utf-8-sig")
        copy = (tmp_path / "module_utils" / f"{util}.psm1").read_text(encoding="utf-8-sig")
        mapping = ps_coverage.line_map(copy, original)
        spans = ps_coverage.function_spans(original)
        inside = {line for function in functions for line in range(spans[function][0] + 1, spans[function][1])}
        mapped_to = set(mapping.values())
        simulated = {number for number, line in enumerate(copy.splitlines(), 1) if "Import-Module -Name WinSim" in line}
        assert len(simulated) == len(functions), util
        assert not simulated & set(mapping), f"{util}: a simulated line was mapped"
        outside = set(range(1, len(original.splitlines()) + 1)) - inside
        assert outside <= mapped_to, f"{util}: lines outside the boundary bodies lost: {sorted(outside - mapped_to)[:5]}"


@pytest.mark.skipif(not _pwsh(), reason="needs PowerShell (hack/pwsh.sh found none)")
def test_ansible_core_coverage_of_a_real_module_run_maps_to_the_repository(tmp_path: pathlib.Path) -> None:
    """One module through Ansible's own exec wrapper on pwsh, over a lab runtime, with ansible-core's
    coverage variables set as hack/test.sh sets them: the files it writes are read, the module maps
    1:1, the module_util copies map back, and the simulated body is not credited."""
    runtime, hosts = tmp_path / "runtime", tmp_path / "hosts"
    script = ("$null = & ./tests/windows_sim/lab/New-WinSimLabRuntime.ps1 -Destination $env:COVERAGE_TEST_RUNTIME -ModuleUtils plugins/module_utils; "
              "& ./tests/windows_sim/lab/Export-WinSimHost.ps1 -Path tests/windows_sim/hosts/agent_host.json "
              "-Destination $env:COVERAGE_TEST_HOSTS -Name agent01")
    subprocess.run([_pwsh(), "-NoProfile", "-NonInteractive", "-Command", script], cwd=ROOT, check=True, capture_output=True,
                   text=True, timeout=300, env={**os.environ, "COVERAGE_TEST_RUNTIME": str(runtime), "COVERAGE_TEST_HOSTS": str(hosts)})
    collections = tmp_path / "collections" / "ansible_collections"
    plugins = collections / "hybrid_identity" / "entra_sync" / "plugins"
    plugins.mkdir(parents=True)
    (plugins / "modules").symlink_to(ROOT / "plugins" / "modules")
    (plugins / "module_utils").symlink_to(runtime / "module_utils")
    (collections / "ansible").mkdir()
    (collections / "ansible" / "windows").symlink_to(ROOT / ".venv" / "collections" / "ansible_collections" / "ansible" / "windows")
    wrapper = tmp_path / "pwsh"
    wrapper.write_text(f"""#!/bin/sh
export WINSIM_SCENARIO='{hosts / "agent01.json"}' PSModulePath='{runtime / "psmodules"}' LD_LIBRARY_PATH='{runtime / "native"}'
export COMPUTERNAME=AGENT01 USERNAME='AGENT01$' SystemRoot='C:\\Windows' ProgramData='C:\\ProgramData' ProgramFiles='C:\\Program Files'
exec '{_pwsh()}' "$@"
""")
    wrapper.chmod(0o755)
    lab_dir = tmp_path / "coverage"
    lab_dir.mkdir()
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(tmp_path / "collections"), "ANSIBLE_NOCOLOR": "1",
           "_ANSIBLE_COVERAGE_REMOTE_OUTPUT": str(lab_dir / "lab"),
           "_ANSIBLE_COVERAGE_REMOTE_PATH_FILTER": "*/ansible_collections/hybrid_identity/entra_sync/plugins/*"}
    completed = subprocess.run([str(ROOT / ".venv" / "bin" / "ansible"), "all", "-i", "agent01,", "-c", "local",
                                "-e", f"ansible_pwsh_interpreter={wrapper}", "-m", "hybrid_identity.entra_sync.logon_right_info"],
                               cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr

    data = ps_coverage.read_lab_coverage(lab_dir, ROOT)
    assert data.files_read == 1
    assert set(data.lines) == {"plugins/modules/logon_right_info.ps1", "plugins/module_utils/_LogonRight.psm1",
                               "plugins/module_utils/_EntraSyncCommon.psm1"}

    def line_of(file: str, text: str) -> int:
        return next(number for number, line in enumerate((ROOT / file).read_text().splitlines(), 1) if text in line)

    assert data.lines["plugins/modules/logon_right_info.ps1"][line_of("plugins/modules/logon_right_info.ps1", "AnsibleModule]::Create(")] == 1
    # LSA is served below the util (the lab's advapi32.dll): the shipped body ran
    util = "plugins/module_utils/_LogonRight.psm1"
    assert data.lines[util][line_of(util, "[EntraSync.LsaRights]::GetHolders")] >= 1
    # SID translation is served at the util (SecurityIdentifier is Windows-only): its body did not run, its caller did
    util = "plugins/module_utils/_EntraSyncCommon.psm1"
    assert line_of(util, ".Translate([System.Security.Principal.NTAccount])") not in data.lines[util]
    assert data.lines[util][line_of(util, "Resolve-EntraSyncSidName -Sid $Sid")] >= 1
    copies = {path: pathlib.Path(path).read_text().splitlines() for path, _line in data.unmapped_lines}
    assert data.unmapped_lines
    assert all("WinSim" in copies[path][line - 1] or "$PesterBoundParameters" in copies[path][line - 1] for path, line in data.unmapped_lines)

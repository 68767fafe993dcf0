"""The guards of the code base must catch what they guard against.

Each guard is run on a broken fixture and must fail, and on a good one and
must pass: a check that is never seen failing proves nothing.
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
GUARDS = ROOT / "tests" / "fixtures" / "guards"
sys.path.insert(0, str(ROOT / "tests" / "sanity"))

import check_build  # noqa: E402
import ps_spec_reader  # noqa: E402
import ps_syntax_check  # noqa: E402


def test_syntax_check_fails_on_a_broken_script_and_names_the_line(capsys):
    assert ps_syntax_check.main([str(GUARDS / "syntax_error.ps1")]) == 1
    output = capsys.readouterr().out
    assert "syntax_error.ps1:" in output
    assert "1 with errors" in output


def test_syntax_check_fails_on_broken_csharp_module_utils(capsys):
    assert ps_syntax_check.main([str(GUARDS / "syntax_error.cs")]) == 1
    assert "syntax_error.cs:" in capsys.readouterr().out


def test_syntax_check_passes_a_valid_module(capsys):
    good = GUARDS / "collection" / "plugins" / "modules" / "good.ps1"
    assert ps_syntax_check.main([str(good)]) == 0
    assert "0 with errors" in capsys.readouterr().out


def test_spec_reader_follows_powershell_array_semantics():
    source = b"""
$spec = @{
    options = @{ state = @{ type = 'str'; choices = 'present', 'absent'; default = 'present' } }
    required_if = @(, @('state', 'present', @('path')))
    mutually_exclusive = @(@('a', 'b'), @('c', 'd'))
    flattened = @(@('x', 'y'))
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
"""
    spec = ps_spec_reader.read_spec(source)
    assert spec["options"]["state"] == {"type": "str", "choices": ["present", "absent"], "default": "present"}
    assert spec["required_if"] == [["state", "present", ["path"]]]
    assert spec["mutually_exclusive"] == [["a", "b"], ["c", "d"]]
    # @() around a single array unrolls it, exactly as PowerShell does.
    assert spec["flattened"] == ["x", "y"]


@pytest.mark.parametrize("source, message", [
    (b"$spec = @{ options = @{ a = @{ type = $kind } } }\n$m = [Ansible.Basic.AnsibleModule]::Create($args, $spec)",
     "variable $kind"),
    (b"$spec = @{ options = @{} }\n$m = [Ansible.Basic.AnsibleModule]::Create($args, $spec, @(Get-Frag))",
     "fragments"),
    (b"$spec = @{ options = @{ a = @{ type = 'str' }; A = @{ type = 'int' } } }\n"
     b"$m = [Ansible.Basic.AnsibleModule]::Create($args, $spec)", "duplicate key"),
    (b"$spec = @{ options = @{ a = @{ type = \"$x\" } } }\n$m = [Ansible.Basic.AnsibleModule]::Create($args, $spec)",
     "not a literal"),
])
def test_spec_reader_refuses_what_it_cannot_read_literally(source, message):
    with pytest.raises(ps_spec_reader.SpecError, match=message.replace("$", r"\$")):
        ps_spec_reader.read_spec(source)


def test_pwsh_stand_in_refuses_anything_but_the_validate_modules_call():
    stand_in = ROOT / "tests" / "sanity" / "pwsh-spec-reader" / "pwsh"
    completed = subprocess.run([str(stand_in), "-Command", "Get-Date"], capture_output=True, text=True, check=False)
    assert completed.returncode == 2
    assert "this is not PowerShell" in completed.stderr


# Each broken module is the good fixture with one change to its $spec, so the
# only disagreement with its (unchanged) documentation is the one named.
BROKEN_SPECS = {
    "undocumented_option": ("        mode = @{", "        secret_switch = @{ type = 'bool'; default = $false }\n        mode = @{"),
    "wrong_type": ("name = @{ type = 'str'; required", "name = @{ type = 'list'; elements = 'str'; required"),
    "different_choices": ("choices = 'fast', 'safe';", "choices = 'fast', 'safe', 'reckless';"),
}


def test_validate_modules_catches_spec_that_disagrees_with_docs(tmp_path):
    collection = tmp_path / "collection"
    shutil.copytree(GUARDS / "collection", collection)
    modules = collection / "plugins" / "modules"
    good_spec, good_docs = (modules / "good.ps1").read_text(), (modules / "good.py").read_text()
    for name, (before, after) in BROKEN_SPECS.items():
        assert before in good_spec
        (modules / f"{name}.ps1").write_text(good_spec.replace(before, after))
        (modules / f"{name}.py").write_text(good_docs.replace("module: good", f"module: {name}"))
    completed = subprocess.run(
        [str(ROOT / "tests" / "sanity" / "ansible_test_sanity.sh"), str(collection), "guard", "fixture",
         "--test", "validate-modules"],
        capture_output=True, text=True, check=False, timeout=600)
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output
    assert "undocumented_option.ps1:0:0: undocumented-parameter" in output
    assert "wrong_type.ps1:0:0: doc-type-does-not-match-spec" in output
    assert "different_choices.ps1:0:0: doc-choices-do-not-match-spec" in output
    assert "good.ps1" not in output and "good.py" not in output


def test_build_check_rejects_tests_and_caches_and_requires_metadata():
    shipped = ["MANIFEST.json", "FILES.json", "README.md", "meta/runtime.yml", "plugins/modules/x.ps1"]
    assert check_build.problems_in(shipped) == []
    leaked = check_build.problems_in(shipped + ["tests/lab/hosts/a.json", ".venv/bin/python",
                                                "plugins/__pycache__/x.pyc", "ansible.cfg"])
    assert len(leaked) == 4
    assert "missing meta/runtime.yml" in check_build.problems_in(shipped[:3] + shipped[4:])

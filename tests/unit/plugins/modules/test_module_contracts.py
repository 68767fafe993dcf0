"""The Windows modules' documented contracts, checked without Windows.

1. Every contract fixture (tests/fixtures/module_results/<module>/<scenario>.json,
   what the controller side and the lab are built against) uses only return
   values the module documents, with plausible types, and a successful result
   carries every value documented as always returned.
2. Every module's documented options match the literal ``$spec`` of its
   ``.ps1`` (read with the tree-sitter reader in tests/sanity/ps_spec_reader.py):
   names, type, required, default, choices, elements, aliases, suboptions.
   (Option docs have no ``no_log`` field; instead every secret-like option in
   ``$spec`` must carry ``no_log``.)

Each check is also run on a deliberately broken copy to show it fails.
"""

from __future__ import annotations

import ast
import copy
import importlib.util
import json
import pathlib

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[4]
MODULES = ROOT / "plugins" / "modules"
FIXTURES = ROOT / "tests" / "fixtures" / "module_results"
SPEC_READER = ROOT / "tests" / "sanity" / "ps_spec_reader.py"

WINDOWS_MODULES = [
    "agent_host_info",
    "logon_right_info",
    "gmsa_host",
    "provisioning_agent_package",
    "provisioning_agent_registration",
    "service_account_info",
    "agent_evidence",
]

# Keys every Ansible module result may carry without documenting them.
COMMON_KEYS = {"changed", "failed", "msg", "warnings", "deprecations", "diff", "invocation", "skipped",
               "exception", "_ansible_no_log"}

TYPE_CHECKS = {
    "str": lambda v: isinstance(v, str),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
    "list": lambda v: isinstance(v, list),
    "dict": lambda v: isinstance(v, dict),
    "raw": lambda v: True,
}


def _doc_blocks(module: str) -> dict:
    """DOCUMENTATION, EXAMPLES and RETURN of a module's .py, read without importing it."""
    tree = ast.parse((MODULES / f"{module}.py").read_text(encoding="utf-8"))
    blocks = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                blocks[node.targets[0].id] = node.value.value
    return blocks


def _documentation(module: str) -> dict:
    """The module's DOCUMENTATION with this collection's doc fragments merged (as ansible-doc does)."""
    doc = yaml.safe_load(_doc_blocks(module)["DOCUMENTATION"])
    for fragment in doc.get("extends_documentation_fragment") or []:
        if fragment.startswith("hybrid_identity.entra_sync."):
            path = ROOT / "plugins" / "doc_fragments" / (fragment.rsplit(".", 1)[-1] + ".py")
            blocks = {node.targets[0].id: node.value.value for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                      if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)}
            doc.setdefault("options", {}).update(yaml.safe_load(blocks["DOCUMENTATION"]).get("options") or {})
    return doc


def _return_doc(module: str) -> dict:
    return yaml.safe_load(_doc_blocks(module)["RETURN"]) or {}


def _fixtures() -> list:
    return [pytest.param(path, id=f"{path.parent.name}/{path.stem}") for path in sorted(FIXTURES.glob("*/*.json"))]


# --- fixtures against RETURN ------------------------------------------------

def contract_problems(result: dict, return_doc: dict) -> list[str]:
    """Everything in a module result that disagrees with the RETURN documentation."""
    problems: list[str] = []
    failed = bool(result.get("failed"))
    for key, value in result.items():
        if key in COMMON_KEYS:
            continue
        if key not in return_doc:
            problems.append(f"{key}: returned but not documented")
            continue
        _check_value(key, value, return_doc[key], problems, require_all=not failed)
    if not failed:
        for key, doc in return_doc.items():
            returned = str(doc.get("returned", "always"))
            if returned.startswith(("always", "success")) and key not in result:
                problems.append(f"{key}: documented as returned ({returned}) but missing")
    if failed and not isinstance(result.get("msg"), str):
        problems.append("msg: a failed result must say why")
    return problems


def _check_value(path: str, value, doc: dict, problems: list[str], require_all: bool) -> None:
    if value is None:
        return  # unknown/unreadable values are null by contract
    doc_type = doc.get("type", "str")
    check = TYPE_CHECKS.get(doc_type)
    if check is None:
        problems.append(f"{path}: documented type {doc_type!r} is not one this test knows")
        return
    if not check(value):
        problems.append(f"{path}: documented as {doc_type}, got {type(value).__name__} {value!r:.60}")
        return
    contains = doc.get("contains")
    if doc_type == "list":
        elements = doc.get("elements")
        for index, item in enumerate(value):
            item_path = f"{path}[{index}]"
            if elements:
                _check_value(item_path, item, {"type": elements, "contains": contains}, problems, require_all)
        return
    if doc_type == "dict" and contains:
        for name, item in value.items():
            if name not in contains:
                problems.append(f"{path}.{name}: returned but not documented")
                continue
            _check_value(f"{path}.{name}", item, contains[name], problems, require_all)
        if require_all:
            for name, sub in contains.items():
                if str(sub.get("returned", "always")) == "always" and name not in value:
                    problems.append(f"{path}.{name}: documented but missing")


def test_every_module_has_fixtures():
    missing = [m for m in WINDOWS_MODULES if not list((FIXTURES / m).glob("*.json"))]
    assert not missing, f"modules without contract fixtures: {missing}"


def test_every_fixture_belongs_to_a_module():
    strays = sorted({p.parent.name for p in FIXTURES.glob("*/*.json")} - set(WINDOWS_MODULES))
    assert not strays, f"fixture folders with no module: {strays}"


@pytest.mark.parametrize("path", _fixtures())
def test_fixture_matches_documented_return(path: pathlib.Path):
    result = json.loads(path.read_text(encoding="utf-8"))
    problems = contract_problems(result, _return_doc(path.parent.name))
    assert not problems, "\n".join(problems)


def test_contract_check_catches_drift():
    """The fixture check fails on an undocumented key, a wrong type and a missing always-returned key."""
    good = json.loads((FIXTURES / "agent_host_info" / "healthy.json").read_text())
    doc = _return_doc("agent_host_info")
    assert contract_problems(good, doc) == []

    renamed = copy.deepcopy(good)
    renamed["agent"]["tenantId"] = renamed["agent"].pop("tenant_id")
    assert any("tenantId" in p for p in contract_problems(renamed, doc))
    assert any("agent.tenant_id: documented but missing" in p for p in contract_problems(renamed, doc))

    wrong_type = copy.deepcopy(good)
    wrong_type["os"]["build"] = "20348"
    assert any("os.build" in p for p in contract_problems(wrong_type, doc))

    missing = copy.deepcopy(good)
    del missing["services"]
    assert any(p.startswith("services:") for p in contract_problems(missing, doc))

    extra = copy.deepcopy(good)
    extra["verdict"] = "ready"
    assert any(p.startswith("verdict:") for p in contract_problems(extra, doc))


# --- documented options against $spec ---------------------------------------

def _load_spec_reader():
    if not SPEC_READER.exists():
        pytest.skip("tests/sanity/ps_spec_reader.py is not there; validate-modules compares spec and docs")
    loader = importlib.util.spec_from_file_location("ps_spec_reader", SPEC_READER)
    reader = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(reader)
    return reader


def _normalise(value):
    if isinstance(value, tuple):
        return [_normalise(v) for v in value]
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def option_problems(spec_options: dict, doc_options: dict, prefix: str = "") -> list[str]:
    """Every difference between a $spec options table and the documented options."""
    problems: list[str] = []
    for name in sorted(set(spec_options) - set(doc_options)):
        problems.append(f"{prefix}{name}: in $spec but not documented")
    for name in sorted(set(doc_options) - set(spec_options)):
        problems.append(f"{prefix}{name}: documented but not in $spec")
    for name in sorted(set(spec_options) & set(doc_options)):
        spec, doc = spec_options[name] or {}, doc_options[name] or {}
        where = f"{prefix}{name}"
        pairs = {
            "type": (spec.get("type", "str"), doc.get("type", "str")),
            "required": (bool(spec.get("required", False)), bool(doc.get("required", False))),
            "default": (_normalise(spec.get("default")), _normalise(doc.get("default"))),
            "choices": (_normalise(spec.get("choices")), _normalise(doc.get("choices"))),
            "elements": (spec.get("elements"), doc.get("elements")),
            "aliases": (sorted(_normalise(spec.get("aliases")) or []), sorted(doc.get("aliases") or [])),
        }
        for attribute, (in_spec, in_doc) in pairs.items():
            if in_spec != in_doc:
                problems.append(f"{where}: {attribute} is {in_spec!r} in $spec but {in_doc!r} in the docs")
        if spec.get("options") or doc.get("suboptions"):
            problems.extend(option_problems(spec.get("options") or {}, doc.get("suboptions") or {}, where + "."))
    return problems


def _secret_like(name: str) -> bool:
    return any(word in name for word in ("password", "secret", "token"))


def _walk(options: dict, prefix: str = ""):
    for name, option in options.items():
        yield prefix + name, option or {}
        yield from _walk((option or {}).get("options") or {}, prefix + name + ".")


@pytest.mark.parametrize("module", WINDOWS_MODULES)
def test_documented_options_match_spec(module: str):
    reader = _load_spec_reader()
    spec = reader.read_spec((MODULES / f"{module}.ps1").read_bytes(), ROOT / "plugins" / "module_utils")
    doc = _documentation(module)
    problems = option_problems(spec.get("options") or {}, doc.get("options") or {})
    assert not problems, "\n".join(problems)
    assert spec.get("supports_check_mode") is True, "every module supports check mode"
    assert doc["attributes"]["check_mode"]["support"] in ("full", "partial")
    assert str(doc["version_added"]) == "0.1.0"


def secret_problems(spec_options: dict) -> list[str]:
    return [f"{name}: looks like a secret but has no no_log" for name, option in _walk(spec_options)
            if _secret_like(name.rsplit(".", 1)[-1]) and option.get("type", "str") == "str" and not option.get("no_log")]


@pytest.mark.parametrize("module", WINDOWS_MODULES)
def test_secret_options_are_no_log(module: str):
    reader = _load_spec_reader()
    spec = reader.read_spec((MODULES / f"{module}.ps1").read_bytes(), ROOT / "plugins" / "module_utils")
    problems = secret_problems(spec.get("options") or {})
    assert not problems, "\n".join(problems)


def test_option_check_catches_drift():
    """The spec/doc comparison fails on a renamed option, other choices and a default change; the secret check on a lost no_log."""
    reader = _load_spec_reader()
    module = "provisioning_agent_package"
    spec = reader.read_spec((MODULES / f"{module}.ps1").read_bytes(), ROOT / "plugins" / "module_utils")["options"]
    doc = _documentation(module)["options"]
    assert option_problems(spec, doc) == []

    renamed = copy.deepcopy(doc)
    renamed["installer_path"] = renamed.pop("path")
    assert any("installer_path" in p for p in option_problems(spec, renamed))

    choices = copy.deepcopy(doc)
    choices["environment"]["choices"] = ["AzureCloud", "AzureUSGovernment", "AzureChinaCloud"]
    assert any(p.startswith("environment: choices") for p in option_problems(spec, choices))

    default = copy.deepcopy(doc)
    default["timeout"]["default"] = 60
    assert any(p.startswith("timeout: default") for p in option_problems(spec, default))

    reg_spec = reader.read_spec((MODULES / "provisioning_agent_registration.ps1").read_bytes())["options"]
    reg_doc = _documentation("provisioning_agent_registration")["options"]
    assert option_problems(reg_spec, reg_doc) == []
    assert secret_problems(reg_spec) == []
    lost = copy.deepcopy(reg_spec)
    lost["domains"]["options"]["password"].pop("no_log")
    assert secret_problems(lost) == ["domains.password: looks like a secret but has no no_log"]

"""The lab's own machinery: stand-in argument specs come from the real docs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
LAB = os.path.join(REPO, "tests", "lab")
sys.path.insert(0, os.path.join(LAB, "sim", "plugins", "module_utils"))
sys.path.insert(0, os.path.join(LAB, "sim", "plugins", "callback"))
sys.path.insert(0, LAB)

import lab_host  # noqa: E402
import build_lab  # noqa: E402
import module_counter  # noqa: E402


def test_spec_from_doc_keeps_types_defaults_choices_and_hides_secrets():
    spec = lab_host.spec_from_doc({
        "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
        "users": {"type": "list", "elements": "str", "required": True},
        "tenant_password": {"type": "str"},
        "path": {"type": "path"},
    })
    assert spec["state"] == {"type": "str", "choices": ["present", "absent"], "default": "present"}
    assert spec["users"] == {"type": "list", "elements": "str", "required": True}
    assert spec["tenant_password"]["no_log"] is True
    assert spec["path"]["type"] == "str"  # Windows paths: no POSIX ~/$VAR expansion


def test_standin_embeds_the_real_documentation():
    docs = build_lab.real_docs(["ansible.windows.win_user_right"], os.path.join(REPO, ".venv", "collections"))
    with open(os.path.join(LAB, "standins", "ansible_windows", "win_user_right.py")) as f:
        text = build_lab.render_standin("ansible.windows.win_user_right", docs["ansible.windows.win_user_right"], f.read())
    ns = {}
    exec(compile(text.split("\nfrom ansible_collections")[0], "standin", "exec"), ns)
    doc = json.loads(ns["DOCUMENTATION"])
    assert set(doc["options"]) == {"name", "users", "action"}
    assert set(lab_host.spec_from_doc(doc["options"])) == {"name", "users", "action"}


def test_a_missing_real_module_breaks_the_lab_build():
    with pytest.raises(build_lab.LabBuildError):
        build_lab.real_docs(["hybrid_identity.entra_sync.no_such_module"], os.path.join(REPO, ".venv", "collections"))


def test_every_scenario_builds_a_state_from_the_contract_fixtures():
    for name, scen in build_lab.load_scenarios().items():
        state = build_lab.host_state(name, scen)
        assert state["lab"]["expect"]["outcome"] in ("registered", "failed", "healthy")
        assert "agent" in state["host_info"] and "SeServiceLogonRight" in state["rights"]
        assert build_lab.lab_secrets()["entra_sync_tenant_password"] not in json.dumps(state)


def test_gpo_defined_right_is_reapplied_at_refresh(tmp_path):
    state = build_lab.host_state("g", build_lab.load_scenarios()["gpo_right_without_all_services"])
    (tmp_path / "hosts").mkdir()
    state["rights"]["SeServiceLogonRight"]["holders"].append({"sid": "S-1-5-80-0", "name": "NT SERVICE\\ALL SERVICES"})
    (tmp_path / "hosts" / "g.json").write_text(json.dumps(state))
    host = lab_host.LabHost("g", str(tmp_path))
    assert "S-1-5-80-0" not in [h["sid"] for h in host.state["rights"]["SeServiceLogonRight"]["holders"]]


def test_a_standin_without_its_docs_line_is_refused():
    with pytest.raises(build_lab.LabBuildError):
        build_lab.render_standin("x.y.z", {"doc": {}}, "from __future__ import annotations\n\nprint(1)\n")


def test_partial_build_placeholder_fails_when_run(tmp_path):
    script = tmp_path / "m.py"
    script.write_text(build_lab.PLACEHOLDER % {"fqcn": "hybrid_identity.entra_sync.agent_evidence"})
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True).stdout
    result = json.loads(out)
    assert result["failed"] is True and "agent_evidence" in result["msg"]


def test_module_counter_counts_only_target_executions():
    assert module_counter.target_executions("preflight", {}) == 2
    assert module_counter.target_executions("preflight", {"host_info": {}, "logon_rights": {}}) == 0
    assert module_counter.target_executions("validate_argument_spec", {}) == 0
    assert module_counter.target_executions("diagnose", {}) == 0
    assert module_counter.target_executions("win_user_right", {}) == 1


def test_one_domain_controller_per_lab_domain(tmp_path):
    build_lab.build_states(str(tmp_path))
    hosts = os.listdir(tmp_path / "state" / "hosts")
    for dom in os.listdir(os.path.join(LAB, "domains")):
        assert "dc-%s.json" % dom.split(".")[0] in hosts

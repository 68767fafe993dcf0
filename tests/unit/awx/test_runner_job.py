"""Run install_agent.yml the way AWX runs a job: through ansible-runner.

The private data directory is laid out as AWX lays it out:

    inventory/hosts    the job's inventory
    env/extravars      the job template's extra_vars (templated), the survey answers and the
                       credential injectors' extra_vars (both marked !unsafe, as AWX does)
    env/envvars        the job environment (AWX sets the collections path there)
    env/settings       runner settings
    project/           the project checkout (here: this repository)

The Windows hosts are the simulated lab (tests/lab). The test checks the job
events, the exit status and the set_stats artifacts (root causes per host), and
that no secret from a credential shows up in any event.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest
import yaml

from awx_config import ROOT, load_config

ansible_runner = pytest.importorskip("ansible_runner")

HOSTS = ["fresh_compliant", "installer_1603_logon_right"]
TENANT = {"username": "admin@contoso.onmicrosoft.com", "password": "Lab-Tenant-Pw-7f3c9a1e"}
DOMAIN_ADMIN = {"username": "CONTOSO\\lab-da", "password": "Lab-Domain-Pw-5b8d2e4f"}


def _expect(host):
    return json.loads((ROOT / "tests" / "lab" / "hosts" / f"{host}.json").read_text())["expect"]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    lab_dir = tmp_path_factory.mktemp("lab")
    proc = subprocess.run([sys.executable, str(ROOT / "tests" / "lab" / "build_lab.py"), "--lab-dir", str(lab_dir)],
                          check=False, capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, "the simulated lab did not build: " + proc.stderr[-2000:]
    return lab_dir


def _unsafe(value):
    return "!unsafe " + json.dumps(value)


def _extravars(template, answers, injected):
    """env/extravars as AWX writes it: template vars as they are, the rest unsafe."""
    lines = []
    for key, value in (template.get("extra_vars") or {}).items():
        lines.append(f"{key}: {json.dumps(value)}")
    for key, value in {**answers, **injected}.items():
        lines.append(f"{key}: {_unsafe(value)}")
    return "---\n" + "\n".join(lines) + "\n"


def _injected():
    """What the credential types inject, rendered with the lab's (fake) credential values."""
    values = {}
    inputs = {"Entra tenant administrator (hybrid_identity.entra_sync)": TENANT,
              "AD domain administrator (hybrid_identity.entra_sync)": DOMAIN_ADMIN}
    for ctype in load_config("credential_types.yml")["controller_credential_types"]:
        if ctype["name"] not in inputs:
            continue
        for var, expression in ctype["injectors"]["extra_vars"].items():
            field = expression.strip("{} ")
            values[var] = inputs[ctype["name"]][field]
    return values


@pytest.fixture(scope="module")
def job(lab, tmp_path_factory):
    (template,) = [t for t in load_config("job_templates.yml")["controller_templates"]
                   if t["playbook"] == "playbooks/install_agent.yml"]
    # A blank answer to an optional question is left out of the extra vars, as the AWX UI
    # does (and ansible-core 2.21 would load `!unsafe ''` as null).
    answers = {q["variable"]: q.get("default", "") for q in template["survey_spec"]["spec"]
               if q.get("required") or q.get("default", "") != ""}
    answers["entra_sync_survey_domains"] = "contoso.com: dc-contoso"
    # Answered, as a survey answer overrides the inventory. (Left empty, the role's
    # delegate_to to an empty host fails before its `when`: reported to the roles.)
    answers["entra_sync_domain_controller"] = "dc-contoso"

    pdd = tmp_path_factory.mktemp("awx_job")
    (pdd / "env").mkdir()
    (pdd / "inventory").mkdir()
    (pdd / "project").symlink_to(ROOT, target_is_directory=True)
    reports = pdd / "reports"
    # The lab's own way (tests/lab/README.md): the real modules on pwsh through each host's wrappers.
    wrappers = {h: {"ansible_pwsh_interpreter": str(lab / "bin" / h / "pwsh"),
                    "ansible_python_interpreter": str(lab / "bin" / h / "python")} for h in HOSTS + ["dc-contoso"]}
    inventory = {"all": {
        "vars": {
            "ansible_connection": "local",
            "entra_sync_become": False,
            "entra_sync_install_retry_delay_seconds": 0,
            "entra_sync_installer_src": str(ROOT / "tests" / "lab" / "files" / "AADConnectProvisioningAgentSetup.exe"),
            "entra_sync_report_dir": str(reports),
        },
        "children": {
            "entra_sync_agents": {"hosts": {h: wrappers[h] for h in HOSTS}},
            "domain_controllers": {"hosts": {"dc-contoso": wrappers["dc-contoso"]}},
        },
    }}
    (pdd / "inventory" / "hosts").write_text(yaml.safe_dump(inventory))
    (pdd / "env" / "extravars").write_text(_extravars(template, answers, _injected()))
    (pdd / "env" / "envvars").write_text(yaml.safe_dump({
        "ANSIBLE_COLLECTIONS_PATH": str(lab / "collections"),
        "ANSIBLE_FORCE_COLOR": "0",
        # The EE has ansible-playbook on its PATH; here it is the venv's.
        "PATH": f"{pathlib.Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    }))
    (pdd / "env" / "settings").write_text(yaml.safe_dump({"job_timeout": 900}))

    result = ansible_runner.run(private_data_dir=str(pdd), playbook=template["playbook"],
                                forks=template.get("forks", 5), quiet=True, ident="1")
    events = list(result.events)
    return result, events, pdd


def test_job_ends_failed_with_the_failing_host_only(job):
    result, events, dummy = job
    # The survey default "fail the job when a host fails" is yes: one failed host fails the job.
    assert result.status == "failed"
    assert result.rc != 0
    failed = {e["event_data"]["host"] for e in events if e["event"] == "runner_on_failed"
              and not e["event_data"].get("ignore_errors")}
    assert failed == {"installer_1603_logon_right"}
    stats = result.stats
    assert stats["failures"].get("fresh_compliant", 0) == 0
    assert stats["ok"].get("fresh_compliant", 0) > 0


def test_artifacts_carry_the_root_cause_per_host(job):
    dummy, events, dummy = job
    (stats_event,) = [e for e in events if e["event"] == "playbook_on_stats"]
    results = stats_event["event_data"]["artifact_data"]["entra_sync_results"]
    assert results["fresh_compliant"]["outcome"] == _expect("fresh_compliant")["outcome"] == "registered"
    assert results["fresh_compliant"]["root_causes"] == []
    failing = results["installer_1603_logon_right"]
    assert failing["outcome"] == "failed"
    assert set(_expect("installer_1603_logon_right")["root_causes"]) & set(failing["root_causes"])


def test_failed_event_names_the_root_cause_and_the_fix(job):
    dummy, events, dummy = job
    messages = [e["event_data"]["res"].get("msg", "") for e in events
                if e["event"] == "runner_on_failed" and e["event_data"]["host"] == "installer_1603_logon_right"]
    text = " ".join(messages)
    assert "service_logon_right" in text
    assert "Fix" in text or "fix" in text


def test_no_credential_secret_in_any_event_or_output(job):
    result, events, pdd = job
    dumped = json.dumps(events) + result.stdout.read()
    for secret in (TENANT["password"], DOMAIN_ADMIN["password"]):
        assert secret not in dumped
    job_events = pdd / "artifacts" / "1" / "job_events"
    assert any(job_events.iterdir()), "ansible-runner wrote no job events"

"""The lab's secret scan (tests/benchmarks/lab_secret_leaks.py): secrets come from the specs,
every encoded form is found, every hit is named with its task, and one real run is scanned."""

from __future__ import annotations

import base64
import json
import os
import sys
import urllib.parse

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(REPO, "tests", "benchmarks"))

import lab_secret_leaks as scan  # noqa: E402
from lab_common import build, playbook  # noqa: E402


def test_secrets_come_from_the_role_specs_nested_ones_included():
    assert set(scan.role_secrets()) == {"entra_sync_tenant_password", "entra_sync_domain_admin_password",
                                        "entra_sync_enterprise_admin_password", "entra_sync_domains[].password"}


def test_a_secret_named_option_without_no_log_and_a_no_log_option_are_both_found():
    options = {"entra_sync_api_token": {"type": "str"}, "entra_sync_key": {"type": "str", "no_log": True},
               "entra_sync_password_writeback": {"type": "bool"},
               "entra_sync_forests": {"type": "list", "options": {"name": {}, "admin_credential": {"type": "str"}}}}
    assert [p for p, dummy in scan.secret_options(options)] == [
        "entra_sync_api_token", "entra_sync_forests[].admin_credential", "entra_sync_key"]


def test_module_secret_options_are_all_fed_by_a_scanned_role_variable():
    uncovered, unset = scan.module_option_coverage(scan.module_secrets(), scan.role_secrets())
    assert uncovered == []
    assert "provisioning_agent_registration.tenant_password" not in unset


def test_a_module_secret_fed_from_an_unscanned_variable_is_reported():
    uncovered, dummy = scan.module_option_coverage({"provisioning_agent_registration": ["tenant_password"]},
                                                   {"entra_sync_other_password": ["x"]})
    assert uncovered == ["provisioning_agent_registration.tenant_password"]


def test_each_variable_gets_a_distinct_value_with_special_characters():
    values = scan.scan_values(scan.role_secrets(), seed=1)
    assert len(set(values.values())) == len(values)
    assert all(c in v for v in values.values() for c in "'\"\\$%&<> é")
    assert not any("{" in v for v in values.values())     # Jinja would template it
    extra = scan.extra_vars(values)
    assert extra["entra_sync_domains"][0]["password"] == values["entra_sync_domains[].password"]


@pytest.mark.parametrize("encode", [
    lambda v: v, lambda v: json.dumps(v)[1:-1], lambda v: json.dumps(v, ensure_ascii=False)[1:-1],
    lambda v: base64.b64encode(v.encode()).decode(), lambda v: urllib.parse.quote(v, safe=""),
    urllib.parse.quote_plus, lambda v: repr(v)[1:-1],
], ids=["raw", "json", "json-unicode", "base64", "url", "url-plus", "repr"])
def test_every_encoded_form_is_found_and_named_with_its_task(encode):
    values = scan.scan_values({"entra_sync_tenant_password": []}, seed=2)
    text = "TASK [a : First] ***\nok\nTASK [hybrid_identity.entra_sync.b : Second] ***\nok: [h] => %s\n" % encode(
        values["entra_sync_tenant_password"])
    leaks = scan.output_leaks(values, text, "output")
    assert leaks and {k[1] for k in leaks} == {"b : Second"}
    logged = "".join("2026-01-01 00:00:00,000 p=1 u=root n=ansible INFO| %s\n" % ln for ln in text.splitlines())
    assert {k[1] for k in scan.output_leaks(values, logged, "log")} == {"b : Second"}
    assert scan.output_leaks(values, text.replace(encode(values["entra_sync_tenant_password"]), "xxx"), "output") == {}


@pytest.fixture(scope="module")
def one_host_run(tmp_path_factory):
    """install_agent.yml at -vvvv on one lab host, with every spec secret given a scan value."""
    lab = str(tmp_path_factory.mktemp("lab"))
    values = scan.scan_values(scan.role_secrets())
    build(lab)
    vars_file = os.path.join(lab, "scan_secrets.json")
    with open(vars_file, "w", encoding="utf-8") as f:
        json.dump(scan.extra_vars(values), f)
    log = os.path.join(lab, "ansible.log")
    rc, out, dummy = playbook(lab, "playbooks/install_agent.yml", forks=1, env={"ANSIBLE_LOG_PATH": log},
                              args=["-vvvv", "-e", "@" + vars_file, "--limit", "fresh_compliant"])
    with open(log, encoding="utf-8", errors="replace") as f:
        logged = f.read()
    leaks = scan.output_leaks(values, out, "output")
    scan.merge(leaks, scan.output_leaks(values, logged, "log"))
    scan.merge(leaks, scan.file_leaks(values, os.path.join(lab, "state"), "state file", {}))
    scan.merge(leaks, scan.file_leaks(values, os.path.join(lab, "reports"), "report file", {}))
    return rc, out, leaks


def test_the_scan_run_registers_the_host(one_host_run):
    rc, out, dummy = one_host_run
    assert rc == 0, out[-3000:]
    assert "fresh_compliant" in out and "failed=0" in out


def test_no_unknown_leak_in_a_real_run(one_host_run):
    dummy, dummy, leaks = one_host_run
    assert [k for k in leaks if not scan.is_known(k[0], k[1])] == []


def test_no_leak_at_all_in_a_real_run(one_host_run):
    dummy, dummy, leaks = one_host_run
    assert leaks == {}

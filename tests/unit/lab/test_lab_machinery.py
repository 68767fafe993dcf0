"""The lab's own machinery: the built lab (wrappers, runtime, collections tree) and the stand-ins."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import subprocess
import sys
import types

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
LAB = os.path.join(REPO, "tests", "lab")
REAL = os.path.join(REPO, ".venv", "collections", "ansible_collections")
sys.path.insert(0, os.path.join(LAB, "sim", "plugins", "callback"))
sys.path.insert(0, LAB)

import build_lab  # noqa: E402
import module_counter  # noqa: E402

SCENARIO = {"description": "one agent host", "base": "agent_host", "host": {},
            "expect": {"outcome": "registered", "playbook": "install_agent"}}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A one-host lab (plus the DCs of the lab domains), built as make lab builds it."""
    root = tmp_path_factory.mktemp("lab")
    scenario = root / "h1.json"
    scenario.write_text(json.dumps(SCENARIO))
    manifest = build_lab.build(str(root / "lab"), {"h1": str(scenario)})
    yield str(root / "lab"), manifest


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# the stand-ins' helper under the name the stand-ins import it by
winsim = _load("ansible_collections.entra_lab.sim.plugins.module_utils.winsim",
               os.path.join(LAB, "sim", "plugins", "module_utils", "winsim.py"))


def test_each_host_gets_wrappers_that_name_its_description(lab):
    lab_dir, manifest = lab
    assert manifest["h1"]["expect"] == SCENARIO["expect"] and manifest["h1"]["domain"] == "contoso.com"
    pwsh = open(os.path.join(lab_dir, "bin", "h1", "pwsh")).read()
    python = open(os.path.join(lab_dir, "bin", "h1", "python")).read()
    for text in (pwsh, python):
        assert "WINSIM_SCENARIO=%s/state/hosts/h1.json" % lab_dir in text
        assert "WINSIM_DOMAIN=%s/state/domains/contoso.com.json" % lab_dir in text
    assert "export USERNAME='SYNC01$'" in pwsh and "export USERDOMAIN=CONTOSO" in pwsh
    assert "export COMPUTERNAME=SYNC01" in pwsh and "export PSModulePath=%s/runtime/psmodules:/" % lab_dir in pwsh
    assert python.rstrip().endswith('exec %s "$@"' % sys.executable)
    for domain in os.listdir(os.path.join(LAB, "domains")):
        dc = build_lab.dc_name(domain[:-5])
        assert manifest[dc]["expect"] == {"outcome": "none"}
        with open(os.path.join(lab_dir, "state", "hosts", dc + ".json")) as f:
            assert json.load(f)["computer"]["domain"] == domain[:-5]


def test_the_pwsh_wrapper_loads_winsim_with_the_hosts_description(lab):
    lab_dir, dummy = lab
    proc = subprocess.run([os.path.join(lab_dir, "bin", "h1", "pwsh"), "-NoProfile", "-NonInteractive", "-Command",
                           "Import-Module WinSim; (Get-WinSimState).computer.name; $env:COMPUTERNAME; "
                           "(Get-Service -Name VaultSvc).Status; Test-Path -LiteralPath HKLM:\\SOFTWARE\\Microsoft"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["SYNC01", "SYNC01", "Running", "True"]


def test_the_collections_tree_has_the_real_modules_and_only_foreign_standins(lab):
    lab_dir, dummy = lab
    root = os.path.join(lab_dir, "collections", "ansible_collections")
    ours = os.path.join(root, "hybrid_identity", "entra_sync", "plugins")
    assert os.path.realpath(os.path.join(ours, "modules")) == os.path.join(REPO, "plugins", "modules")
    assert os.path.realpath(os.path.join(ours, "module_utils")) == os.path.join(lab_dir, "runtime", "module_utils")
    # the runtime's module_utils carry the boundary bodies (WinSim below them)
    with open(os.path.join(ours, "module_utils", "_EntraSyncCommon.psm1")) as f:
        assert "tests/windows_sim/boundary.psd1" in f.read()
    assert os.path.exists(os.path.join(lab_dir, "runtime", "native", "advapi32.dll"))
    windows = os.path.join(root, "ansible", "windows", "plugins")
    assert sorted(os.listdir(windows)) == ["module_utils", "modules"]  # no action plugins: win_copy runs here
    assert os.path.realpath(os.path.join(windows, "module_utils")) == os.path.realpath(
        os.path.join(REAL, "ansible", "windows", "plugins", "module_utils"))
    assert sorted(os.listdir(os.path.join(windows, "modules"))) == sorted(os.listdir(os.path.join(LAB, "standins", "ansible_windows")))
    assert sorted(os.listdir(os.path.join(root, "microsoft", "ad", "plugins"))) == ["modules"]
    assert not os.path.exists(os.path.join(LAB, "standins", "entra_sync"))


def test_without_pwsh_the_build_stops_and_says_how_to_get_one(monkeypatch):
    monkeypatch.setenv("PWSH", "/nonexistent/pwsh")
    with pytest.raises(build_lab.LabBuildError, match="dotnet tool install --global PowerShell"):
        build_lab.find_pwsh()


def _documented_options(fqcn):
    ns, coll, mod = fqcn.split(".")
    base = os.path.join(REAL, ns, coll, "plugins", "modules", mod)
    if os.path.exists(base + ".yml"):
        with open(base + ".yml") as f:
            doc = yaml.safe_load(f)["DOCUMENTATION"]
    else:
        with open(base + ".py") as f:
            doc = yaml.safe_load(next(n.value.value for n in ast.parse(f.read()).body if isinstance(n, ast.Assign)
                                      and getattr(n.targets[0], "id", "") == "DOCUMENTATION"))
    options = set(doc.get("options") or {})
    for fragment in doc.get("extends_documentation_fragment") or []:
        if fragment.startswith("microsoft.ad.ad_object"):
            options |= {"identity", "name", "path", "state", "attributes", "description", "display_name", "protect_from_deletion"}
    return options


STANDIN_FILES = sorted([(os.path.join(LAB, "standins", d, f), "%s.%s" % build_lab.STANDIN_COLLECTIONS[d])
                        for d in build_lab.STANDIN_COLLECTIONS for f in os.listdir(os.path.join(LAB, "standins", d))]
                       + [(os.path.join(LAB, "health", "standins", "win_command.py"), "ansible.windows")])


@pytest.mark.parametrize("standin,collection", STANDIN_FILES, ids=[os.path.basename(s) for s, c in STANDIN_FILES])
def test_a_standin_takes_only_options_the_real_module_documents(standin, collection):
    with open(standin) as f:
        tree = ast.parse(f.read())
    spec = ast.literal_eval(next(n.value for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "SPEC"))
    assert spec and set(spec) <= _documented_options("%s.%s" % (collection, os.path.basename(standin)[:-3]))


def _run(lab_dir, fqcn, host, params, check_mode=False):
    """A stand-in's behaviour on a host's files, as its python wrapper would run it."""
    ns, coll, mod = fqcn.split(".")
    path = os.path.join(lab_dir, "collections", "ansible_collections", ns, coll, "plugins", "modules", mod + ".py")
    standin = _load("lab_standin_" + mod, path)
    state = os.path.join(lab_dir, "state")
    domain = os.path.join(state, "domains", "contoso.com.json")
    target = winsim.WinSimHost(os.path.join(state, "hosts", host + ".json"), domain)
    module = types.SimpleNamespace(params=dict({k: v.get("default") for k, v in standin.SPEC.items()}, **params),
                                   check_mode=check_mode)
    try:
        changed, result = standin.behave(module, target)
        if changed:
            target.save()
    finally:
        target.close()
    with open(os.path.join(state, "hosts", host + ".json")) as f:
        return changed, result, json.load(f)


def test_win_user_right_grants_by_sid_as_lsa_would(lab):
    lab_dir, dummy = lab
    changed, result, state = _run(lab_dir, "ansible.windows.win_user_right", "h1",
                                  {"name": "SeServiceLogonRight", "users": ["BUILTIN\\Backup Operators"], "action": "add"})
    assert changed and result["added"] == ["BUILTIN\\Backup Operators"]
    assert state["rights"]["SeServiceLogonRight"] == ["S-1-5-80-0", "S-1-5-32-551"]
    changed, dummy, dummy = _run(lab_dir, "ansible.windows.win_user_right", "h1",
                                 {"name": "SeServiceLogonRight", "users": ["*S-1-5-32-551"], "action": "add"})
    assert not changed
    with pytest.raises(winsim.StandinFailure, match="No mapping"):
        _run(lab_dir, "ansible.windows.win_user_right", "h1", {"name": "SeServiceLogonRight", "users": ["CONTOSO\\nobody"]})


def test_a_right_a_gpo_defines_is_put_back_at_the_refresh(lab):
    lab_dir, dummy = lab
    path = os.path.join(lab_dir, "state", "hosts", "h1.json")
    with open(path) as f:
        state = json.load(f)
    state["cim"]["root\\rsop\\computer:RSOP_UserPrivilegeRight"] = [
        {"UserRight": "SeBatchLogonRight", "AccountList": ["BUILTIN\\Administrators"], "precedence": 1, "GPOID": "CN={X}"}]
    with open(path, "w") as f:
        json.dump(state, f)
    dummy, dummy, after = _run(lab_dir, "ansible.windows.win_user_right", "h1",
                               {"name": "SeBatchLogonRight", "users": ["NT SERVICE\\ALL SERVICES"], "action": "add"})
    assert after["rights"]["SeBatchLogonRight"] == ["S-1-5-32-544"]


def test_win_regedit_and_win_service_change_the_description(lab):
    lab_dir, dummy = lab
    key = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client"
    changed, dummy, state = _run(lab_dir, "ansible.windows.win_regedit", "h1",
                                 {"path": key.upper(), "name": "enabled", "data": "0x0", "type": "dword"})
    assert changed and state["registry"][key] == {"Enabled": 0, "DisabledByDefault": 0}
    dummy, dummy, state = _run(lab_dir, "ansible.windows.win_regedit", "h1", {
        "path": "HKLM:\\SOFTWARE\\Microsoft\\PowerShell\\1\\ShellIds\\Microsoft.PowerShell", "name": "ExecutionPolicy",
        "data": "AllSigned"})
    assert state["execution_policy"]["LocalMachine"] == "AllSigned"
    changed, result, state = _run(lab_dir, "ansible.windows.win_service", "h1", {"name": "vaultsvc", "start_mode": "disabled"})
    assert changed and result["start_mode"] == "disabled"
    assert [s["StartType"] for s in state["services"] if s["Name"] == "VaultSvc"] == ["Disabled"]
    with pytest.raises(winsim.StandinFailure, match="disabled"):
        _run(lab_dir, "ansible.windows.win_service", "h1", {"name": "VaultSvc", "state": "started"})


def test_kds_root_key_adds_to_the_domain_file_once(lab):
    lab_dir, dummy = lab
    domain = os.path.join(lab_dir, "state", "domains", "contoso.com.json")
    with open(domain) as f:
        before = json.load(f)["kds_root_keys"]
    changed, dummy, dummy = _run(lab_dir, "microsoft.ad.kds_root_key", "dc-contoso", {"match_by": "never", "effective_time_hours": 0})
    with open(domain) as f:
        after = json.load(f)["kds_root_keys"]
    assert changed and len(after) == len(before) + 1 and after[-1]["EffectiveTime"].endswith("Z")
    changed, dummy, dummy = _run(lab_dir, "microsoft.ad.kds_root_key", "dc-contoso", {"match_by": "any"})
    assert not changed
    dummy, result, dummy = _run(lab_dir, "microsoft.ad.kds_root_key_info", "dc-contoso", {})
    assert [k["key_id"] for k in result["kds_root_keys"]] == [k["KeyId"] for k in after]


def test_module_counter_counts_only_target_executions():
    assert module_counter.target_executions("preflight", {}) == 2
    assert module_counter.target_executions("preflight", {"host_info": {}, "logon_rights": {}}) == 0
    assert module_counter.target_executions("validate_argument_spec", {}) == 0
    assert module_counter.target_executions("diagnose", {}) == 0
    assert module_counter.target_executions("win_user_right", {}) == 1


@pytest.mark.parametrize("inventory,hosts_dir", [("inventory.yml", "hosts"), ("health/inventory.yml", "health/hosts")])
def test_the_inventory_has_every_host_file_and_delegation_targets_name_their_own_wrapper(inventory, hosts_dir):
    with open(os.path.join(LAB, inventory)) as f:
        inv = yaml.safe_load(f)["all"]
    groups = inv["children"]
    hosts = {h for g in groups.values() for h in g["hosts"]}
    assert set(build_lab.load_scenarios(os.path.join(LAB, hosts_dir))) == hosts - set(groups.get("domain_controllers", {}).get("hosts", {}))
    assert inv["vars"]["ansible_connection"] == "local" and inv["vars"]["entra_sync_become"] is False
    # delegate_to templates the delegated host's interpreter with the original host's inventory_hostname
    for dc, dc_vars in (groups.get("domain_controllers") or {"hosts": {}})["hosts"].items():
        assert dc_vars["ansible_python_interpreter"] == "{{ entra_lab_build_dir }}/bin/%s/python" % dc


def test_registered_reads_service_tenant_and_domain_from_the_description():
    import check_outcomes
    state = {"services": [{"Name": "AADConnectProvisioningAgent", "Status": "Running", "StartName": "CONTOSO\\provAgentgMSA$"}],
             "registry": {check_outcomes.AGENT_KEY.upper(): {"TenantID": "t-1"}},
             "cloud_sync": {"tenant": {"id": "t-1"}, "registered_domains": ["contoso.com"]}}
    assert check_outcomes.registered(state)
    for broken in ({"services": [dict(state["services"][0], StartName="NT SERVICE\\AADConnectProvisioningAgent")]},
                   {"services": [dict(state["services"][0], Status="Stopped")]},
                   {"registry": {}},
                   {"cloud_sync": {"tenant": {"id": "t-2"}, "registered_domains": ["contoso.com"]}},
                   {"cloud_sync": {"tenant": {"id": "t-1"}, "registered_domains": []}}):
        assert not check_outcomes.registered(dict(state, **broken)), broken


def test_win_user_right_resolves_a_domain_account_through_the_domain_file(lab):
    lab_dir, dummy = lab
    domain = os.path.join(lab_dir, "state", "domains", "contoso.com.json")
    with open(domain) as f:
        data = json.load(f)
    data["objects"]["CN=svcX,CN=Managed Service Accounts,DC=contoso,DC=com"] = {
        "objectClass": "msDS-GroupManagedServiceAccount", "sAMAccountName": "svcX$", "objectSid": "S-1-5-21-1-2-3-4242"}
    with open(domain, "w") as f:
        json.dump(data, f)
    for user in ("svcX$", "CONTOSO\\svcX$"):
        dummy, dummy, state = _run(lab_dir, "ansible.windows.win_user_right", "h1",
                                   {"name": "SeDenyBatchLogonRight", "users": [user], "action": "set"})
        assert state["rights"]["SeDenyBatchLogonRight"] == ["S-1-5-21-1-2-3-4242"]
    with pytest.raises(winsim.StandinFailure, match="No mapping"):
        _run(lab_dir, "ansible.windows.win_user_right", "h1", {"name": "SeDenyBatchLogonRight", "users": ["OTHER\\svcX$"]})

"""Build (or reset) the simulated Windows lab of hybrid_identity.entra_sync.

    .venv/bin/python tests/lab/build_lab.py [--lab-dir .cache/lab] [--scale N] [--partial]

``hack/lab.sh`` (``make lab``) builds it and runs the main job against it.

Creates under the lab directory:

* ``collections/ansible_collections/hybrid_identity/entra_sync``: symlinks to the
  real collection's entries, except ``plugins/modules`` which holds one generated
  stand-in per Windows module (the real module's documentation, fragments resolved
  by ``ansible-doc``, embedded; the argument spec is built from it at run time)...
  A stand-in's source carries the line ``DOCUMENTATION = RETURN = None ...``, replaced here;
  with ``--partial`` a module whose real docs are missing gets a placeholder that fails when run;
* ``collections/ansible_collections/{ansible/windows,microsoft/ad}``: stand-ins only
  (so ``win_copy``/``win_reboot`` run as lab modules, not as Windows action plugins);
* ``collections/ansible_collections/entra_lab/sim``: the lab connection ``host``,
  the ``module_counter`` callback and the stand-ins' runtime;
* ``state/hosts/<host>.json`` and ``state/domains/<domain>.json``: fresh host and
  domain states, built from ``tests/lab/hosts/*.json`` over the module result
  fixtures in ``tests/fixtures/module_results`` (so lab and contract fixtures agree);
* ``reports/``: emptied; ``inventory.yml`` (``--scale``: N fresh hosts for benchmarks).

Running it again resets the lab. Nothing in a production file refers to the lab.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(REPO, "tests", "fixtures", "module_results")
VENV_BIN = os.path.dirname(sys.executable)

# stand-in file (under tests/lab/standins) -> fully qualified real module
STANDINS = {
    "entra_sync/agent_host_info.py": "hybrid_identity.entra_sync.agent_host_info",
    "entra_sync/logon_right_info.py": "hybrid_identity.entra_sync.logon_right_info",
    "entra_sync/gmsa_host.py": "hybrid_identity.entra_sync.gmsa_host",
    "entra_sync/gmsa_host_info.py": "hybrid_identity.entra_sync.gmsa_host_info",
    "entra_sync/provisioning_agent_package.py": "hybrid_identity.entra_sync.provisioning_agent_package",
    "entra_sync/provisioning_agent_registration.py": "hybrid_identity.entra_sync.provisioning_agent_registration",
    "entra_sync/service_account_info.py": "hybrid_identity.entra_sync.service_account_info",
    "entra_sync/agent_evidence.py": "hybrid_identity.entra_sync.agent_evidence",
    "ansible_windows/win_user_right.py": "ansible.windows.win_user_right",
    "ansible_windows/win_regedit.py": "ansible.windows.win_regedit",
    "ansible_windows/win_service.py": "ansible.windows.win_service",
    "ansible_windows/win_reboot.py": "ansible.windows.win_reboot",
    "ansible_windows/win_copy.py": "ansible.windows.win_copy",
    "ansible_windows/win_get_url.py": "ansible.windows.win_get_url",
    "microsoft_ad/kds_root_key.py": "microsoft.ad.kds_root_key",
    "microsoft_ad/kds_root_key_info.py": "microsoft.ad.kds_root_key_info",
    "microsoft_ad/service_account.py": "microsoft.ad.service_account",
}


class LabBuildError(Exception):
    pass


def real_docs(fqcns, collections_path, partial=False):
    """Documentation of the real modules, as ansible-doc resolves it (fragments merged)."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path,
               ANSIBLE_DEPRECATION_WARNINGS="false")
    proc = subprocess.run([os.path.join(VENV_BIN, "ansible-doc"), "--json", "-t", "module", *fqcns],
                          capture_output=True, text=True, env=env, cwd=REPO, check=False)
    try:
        data = json.loads(proc.stdout or "{}")
    except ValueError:
        data = {}
    missing = [f for f in fqcns if f not in data or not (data[f] or {}).get("doc")]
    if missing and len(fqcns) > 1:
        # one broken or absent module makes ansible-doc drop the whole batch: ask one by one
        for f in missing:
            try:
                data.update(real_docs([f], collections_path, partial=True))
            except LabBuildError:
                pass
        missing = [f for f in fqcns if f not in data or not (data[f] or {}).get("doc")]
    if missing and partial:
        print("WARNING: --partial: no stand-in for %s (real module docs missing)" % ", ".join(missing),
              file=sys.stderr)
        return data
    if missing:
        raise LabBuildError("no documentation for %s (a stand-in takes its options from the real "
                            "module's docs):\n%s" % (", ".join(missing), proc.stderr.strip()))
    return data


STANDIN_DOCS = "DOCUMENTATION = RETURN = None  # replaced by tests/lab/build_lab.py with the real module's docs\n"


def render_standin(fqcn, doc, source):
    """A lab module: the real module's docs embedded, then the stand-in's behaviour."""
    if STANDIN_DOCS not in source:
        raise LabBuildError("stand-in for %s lacks the line: %s" % (fqcn, STANDIN_DOCS.strip()))
    head = ("#!/usr/bin/python\n"
            "# GENERATED by tests/lab/build_lab.py: stand-in for %s. Do not edit.\n"
            "# DOCUMENTATION and RETURN are the real module's; the argument spec is built from them.\n"
            "from __future__ import annotations\n" % fqcn)
    docs = "DOCUMENTATION = %r\n\nRETURN = %r\n" % (
        json.dumps(doc["doc"], sort_keys=True), json.dumps(doc.get("return") or {}, sort_keys=True))
    return head + source.replace("from __future__ import annotations\n", "", 1).replace(STANDIN_DOCS, docs, 1)


# --partial: a module whose real docs are missing still resolves, and fails when run
PLACEHOLDER = """#!/usr/bin/python
# GENERATED by tests/lab/build_lab.py --partial: %(fqcn)s has no documentation yet.
from __future__ import annotations

import json

print(json.dumps({"failed": True, "changed": False,
                  "msg": "lab: no stand-in for %(fqcn)s (the real module has no documentation yet)"}))
"""


def _link(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    os.symlink(src, dst)


def build_collections(lab_dir, real_collections, partial=False):
    root = os.path.join(lab_dir, "collections", "ansible_collections")
    if os.path.exists(root):
        shutil.rmtree(root)
    docs = real_docs(sorted(STANDINS.values()), real_collections, partial)
    # hybrid_identity.entra_sync: the real collection, stand-in modules
    ours = os.path.join(root, "hybrid_identity", "entra_sync")
    for entry in sorted(os.listdir(REPO)):
        if entry.startswith(".") or entry in ("plugins", "tests"):
            continue
        _link(os.path.join(REPO, entry), os.path.join(ours, entry))
    for sub in sorted(os.listdir(os.path.join(REPO, "plugins"))):
        if sub != "modules":
            _link(os.path.join(REPO, "plugins", sub), os.path.join(ours, "plugins", sub))
    os.makedirs(os.path.join(ours, "plugins", "modules"))
    # controller-side documentation-only modules (action plugins' docs) stay real
    real_mods = os.path.join(REPO, "plugins", "modules")
    for name in sorted(os.listdir(real_mods)) if os.path.isdir(real_mods) else []:
        stem, ext = os.path.splitext(name)
        if ext in (".py", ".yml") and not os.path.exists(os.path.join(real_mods, stem + ".ps1")) \
                and stem != "__init__":
            _link(os.path.join(real_mods, name), os.path.join(ours, "plugins", "modules", name))
    for rel, fqcn in sorted(STANDINS.items()):
        ns, coll, mod = fqcn.split(".")
        if fqcn in docs:
            with open(os.path.join(HERE, "standins", rel)) as f:
                text = render_standin(fqcn, docs[fqcn], f.read())
        else:
            text = PLACEHOLDER % {"fqcn": fqcn}
        dst = os.path.join(root, ns, coll, "plugins", "modules", mod + ".py")
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "w") as f:
            f.write(text)
    for ns, coll in (("ansible", "windows"), ("microsoft", "ad")):
        meta = os.path.join(root, ns, coll, "meta")
        os.makedirs(meta, exist_ok=True)
        with open(os.path.join(meta, "runtime.yml"), "w") as f:
            f.write("---\nrequires_ansible: '>=2.16.0'\n")
    # entra_lab.sim: copied (not linked) so the connection finds the lab dir from its own path
    shutil.copytree(os.path.join(HERE, "sim"), os.path.join(root, "entra_lab", "sim"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    return root


# ---------------------------------------------------------------- host states

def fixture(module, name):
    with open(os.path.join(FIXTURES, module, name + ".json")) as f:
        data = json.load(f)
    for key in ("changed", "failed", "msg"):
        data.pop(key, None)
    return data


def deep_merge(base, over):
    out = copy.deepcopy(base)
    for k, v in (over or {}).items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def lab_secrets():
    """The lab's (fake) credentials, from the lab inventory: the leak scan looks for them."""
    import yaml
    with open(os.path.join(HERE, "inventory.yml")) as f:
        inv = yaml.safe_load(f)
    v = inv["all"]["vars"]
    return {k: v[k] for k in ("entra_sync_tenant_password", "entra_sync_domain_admin_password")}


def load_scenarios():
    scen = {}
    hosts_dir = os.path.join(HERE, "hosts")
    for name in sorted(os.listdir(hosts_dir)):
        if name.endswith(".json") and not name.startswith("_"):
            with open(os.path.join(hosts_dir, name)) as f:
                scen[name[:-5]] = json.load(f)
    return scen


def host_state(name, scenario):
    """Initial JSON state of one lab host, from fixtures plus the scenario's overrides."""
    with open(os.path.join(HERE, "hosts", "_base.json")) as f:
        base = json.load(f)
    fx = dict(base["fixtures"], **scenario.get("fixtures", {}))
    info = fixture("agent_host_info", fx["agent_host_info"])
    info.pop("reachability", None)
    rights = fixture("logon_right_info", fx["logon_right_info"])
    accounts = fixture("service_account_info", fx["service_account_info"])
    state = {
        "lab": {"host": name, "scenario": scenario.get("scenario", name),
                "description": scenario.get("description", ""),
                "expect": scenario["expect"], "fixtures": fx},
        "host_info": info,
        "rights": rights["rights"],
        "rsop_available": rights.get("rsop_available", True),
        "service_accounts": {s["name"]: s for s in accounts["services"]},
        "commands": [], "events": [], "files": {}, "registry": {}, "runs": [],
    }
    installed = fixture("agent_host_info", "healthy_installed_registered")
    absent = fixture("agent_host_info", "healthy")
    state["lab"]["templates"] = {
        "installed": {"agent": installed["agent"], "services": installed["services"]},
        "absent": {"agent": absent["agent"], "services": absent["services"]}}
    state = deep_merge(state, base.get("state", {}))
    state = deep_merge(state, scenario.get("state", {}))
    adsync = scenario.get("adsync")
    if adsync:
        acct = state["service_accounts"]["ADSync"]["account"]
        holder = {"sid": acct["sid"], "name": acct["name"]}
        for r in ("SeInteractiveLogonRight", "SeBatchLogonRight", "SeServiceLogonRight"):
            right = state["rights"][r]
            if adsync.get("gpo_service_right") and r == "SeServiceLogonRight":
                right["gpo"] = {"defined": True, "name": "Tier0 Server Hardening",
                                "id": "{31B2F340-016D-11D2-945F-00C04FB984F9}", "precedence": 1,
                                "account_list": [h["name"] for h in right["holders"]]}
            elif not adsync.get("grant_rights", True):
                right["holders"] = [h for h in right["holders"] if h["sid"] != holder["sid"]]
            elif holder not in right["holders"]:
                right["holders"].append(holder)
    # a GPO that defines a right re-applies its holders at every refresh
    for right in state["rights"].values():
        gpo = right.get("gpo") or {}
        if gpo.get("defined") and "holders" not in gpo:
            gpo["holders"] = copy.deepcopy(right.get("holders", []))
    state["lab"]["tenant"]["password_sha256"] = hashlib.sha256(
        lab_secrets()["entra_sync_tenant_password"].encode()).hexdigest()
    return state


def build_states(lab_dir, scale=0):
    sdir = os.path.join(lab_dir, "state")
    if os.path.exists(sdir):
        shutil.rmtree(sdir)
    os.makedirs(os.path.join(sdir, "hosts"))
    os.makedirs(os.path.join(sdir, "domains"))
    for name in sorted(os.listdir(os.path.join(HERE, "domains"))):
        shutil.copy(os.path.join(HERE, "domains", name), os.path.join(sdir, "domains", name))
    scenarios = load_scenarios()
    hosts = {}
    if scale:
        for i in range(scale):
            hosts["agent%03d" % i] = scenarios["fresh_compliant"]
    else:
        hosts = {s: scenarios[s] for s in scenarios}
    for host, scen in hosts.items():
        with open(os.path.join(sdir, "hosts", host + ".json"), "w") as f:
            json.dump(host_state(host, scen), f, indent=1, sort_keys=True)
    # one domain controller per lab domain: dc-<first label of the domain name>
    for name in sorted(os.listdir(os.path.join(HERE, "domains"))):
        dom = name[:-5]
        with open(os.path.join(HERE, "hosts", "_dc.json")) as f:
            dcs = json.load(f)
        dcs["host_info"] = fixture("agent_host_info", "domain_controller")
        dcs["host_info"]["domain"]["name"] = dom
        with open(os.path.join(sdir, "hosts", "dc-%s.json" % dom.split(".")[0]), "w") as f:
            json.dump(dcs, f, indent=1, sort_keys=True)
    return sorted(hosts)


def write_scale_inventory(lab_dir, hosts):
    path = os.path.join(lab_dir, "inventory_scale.yml")
    lines = ["---", "entra_sync_agents:", "  hosts:"]
    lines += ["    %s:" % h for h in hosts]
    lines += ["  vars:", "    ansible_connection: entra_lab.sim.host",
              "    ansible_python_interpreter: %s" % sys.executable, ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return path


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--lab-dir", default=os.path.join(REPO, ".cache", "lab"))
    p.add_argument("--real-collections", default=os.path.join(REPO, ".venv", "collections"))
    p.add_argument("--scale", type=int, default=0, help="N fresh compliant hosts (benchmarks)")
    p.add_argument("--partial", action="store_true",
                   help="build even when some real modules have no docs yet (their stand-ins fail when run)")
    args = p.parse_args(argv)
    lab = os.path.abspath(args.lab_dir)
    os.makedirs(lab, exist_ok=True)
    try:
        build_collections(lab, os.path.abspath(args.real_collections), args.partial)
    except LabBuildError as e:
        print("lab build failed: %s" % e, file=sys.stderr)
        return 1
    hosts = build_states(lab, args.scale)
    reports = os.path.join(lab, "reports")
    shutil.rmtree(reports, ignore_errors=True)
    os.makedirs(reports)
    if args.scale:
        write_scale_inventory(lab, hosts)
    print("lab ready in %s: %d hosts" % (lab, len(hosts)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

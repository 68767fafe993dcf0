"""Build (or reset) the lab of hybrid_identity.entra_sync: the real modules on a simulated Windows.

    .venv/bin/python tests/lab/build_lab.py [--lab-dir .cache/lab] [--scale N]

``hack/lab.sh`` (``make lab``) builds it and runs the main job against it; tests/lab/README.md
explains the whole. Writes under the lab directory:

* ``runtime/{psmodules,module_utils,native}``: tests/windows_sim/lab/New-WinSimLabRuntime.ps1;
* ``state/hosts/<host>.json``: each host of tests/lab/hosts resolved (its ``base`` under it) by
  tests/windows_sim/lab/Export-WinSimHost.ps1, plus one ``dc-<label>`` per domain file
  (tests/lab/hosts/_dc.json); ``state/domains/<domain>.json``: tests/lab/domains copied;
* ``bin/<host>/{pwsh,python}``: the interpreters the inventory names, exporting the host's
  WINSIM_SCENARIO / WINSIM_DOMAIN and the Windows environment the modules read;
* ``collections/ansible_collections``: hybrid_identity.entra_sync (the repository, module_utils
  -> runtime/module_utils), ansible.windows (its real module_utils, the lab's stand-in modules
  only), microsoft.ad (stand-ins only), entra_lab.sim (module_counter callback, stand-ins' helper);
* ``hosts.json``: host -> scenario, domain and ``expect`` (check_outcomes.py reads it);
* ``reports/`` emptied; with ``--scale N``: N copies of fresh_compliant and ``inventory_scale.yml``.

pwsh is a prerequisite, found by hack/pwsh.sh; without one the build stops and says how to get it.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
WINSIM_LAB = os.path.join(REPO, "tests", "windows_sim", "lab")
# stand-in directory under tests/lab/standins -> collection it stands in for
STANDIN_COLLECTIONS = {"ansible_windows": ("ansible", "windows"), "microsoft_ad": ("microsoft", "ad")}
# The environment a Windows process has and the modules read (COMPUTERNAME is per host).
WINDOWS_ENV = {"SystemRoot": "C:\\Windows", "ProgramData": "C:\\ProgramData", "ProgramFiles": "C:\\Program Files"}
# A module runs as SYSTEM, whose TEMP is this (pwsh only: Python's tempfile would try to use it).
PWSH_ONLY_ENV = {"TEMP": "C:\\Windows\\TEMP",
                 # .NET settings for a process that lives seconds: no profile-guided tier-up and no background
                 # GC thread (measured: about 10 % less CPU a module call; tests/benchmarks/module_call_cost.py)
                 "DOTNET_TieredPGO": "0", "DOTNET_gcConcurrent": "0"}
HOW_TO_GET_PWSH = ("install PowerShell 7 from Microsoft's packages "
                   "(https://learn.microsoft.com/powershell/scripting/install/installing-powershell-on-linux), "
                   "or `dotnet tool install --global PowerShell`, or point PWSH=/path/to/pwsh at one")


class LabBuildError(Exception):
    pass


def find_pwsh():
    """The pwsh hack/pwsh.sh finds (PWSH, PATH, the bundle), or LabBuildError saying how to get one."""
    proc = subprocess.run(["bash", "-c", '. hack/pwsh.sh; printf "%s\\n%s" "$PWSH" "$PWSH_MISSING"'],
                          cwd=REPO, capture_output=True, text=True, check=False)
    pwsh, _sep, missing = proc.stdout.partition("\n")
    if not pwsh:
        raise LabBuildError("the lab runs the modules on pwsh and none was found (%s): %s"
                            % (missing or proc.stderr.strip(), HOW_TO_GET_PWSH))
    return pwsh


def run_pwsh(pwsh, script, **params):
    """One pwsh start running a tests/windows_sim/lab script (a list parameter is passed as an array);
    returns that pwsh's $PSHOME."""
    def quote(value):
        return "'%s'" % str(value).replace("'", "''")
    args = " ".join("-%s %s" % (k, ",".join(quote(x) for x in (v if isinstance(v, list) else [v])))
                    for k, v in params.items())
    proc = subprocess.run([pwsh, "-NoProfile", "-NonInteractive", "-Command",
                           "& %s %s; \"PSHOME=$PSHOME\"" % (quote(os.path.join(WINSIM_LAB, script)), args)],
                          cwd=REPO, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise LabBuildError("%s failed:\n%s%s" % (script, proc.stdout, proc.stderr))
    return proc.stdout.strip().splitlines()[-1].partition("PSHOME=")[2]


def load_json(path):
    with open(path, encoding="utf-8-sig") as f:
        return json.load(f)


def load_scenarios(hosts_dir=os.path.join(HERE, "hosts")):
    """tests/lab/hosts/<name>.json by name; files starting with _ are not hosts of their own."""
    return {name[:-5]: os.path.join(hosts_dir, name) for name in sorted(os.listdir(hosts_dir))
            if name.endswith(".json") and not name.startswith("_")}


def lab_secrets():
    """The lab's (fake) credentials, from the lab inventory: the leak scan looks for them."""
    import yaml
    with open(os.path.join(HERE, "inventory.yml")) as f:
        inv = yaml.safe_load(f)
    v = inv["all"]["vars"]
    return {k: v[k] for k in ("entra_sync_tenant_password", "entra_sync_domain_admin_password")}


def dc_name(domain):
    return "dc-%s" % domain.split(".")[0]


def plan_hosts(scenarios, domains, scale=0):
    """host -> (scenario file, domain or None). DCs: the domain files' dc-<label> hosts."""
    hosts = {}
    if scale:
        hosts.update(("agent%03d" % i, scenarios["fresh_compliant"]) for i in range(scale))
    else:
        hosts.update(scenarios)
    plan = {host: (path, load_json(path).get("domain")) for host, path in hosts.items()}
    plan.update((dc_name(d), (os.path.join(HERE, "hosts", "_dc.json"), d)) for d in domains)
    return plan


def write_wrappers(lab, pwsh, pshome, host, description, domain):
    """bin/<host>/pwsh and bin/<host>/python: that host's simulated Windows for every module run."""
    computer = str((description.get("computer") or {}).get("name") or host.upper())
    domain_file = os.path.join(lab, "state", "domains", "%s.json" % domain)
    has_domain_file = bool(domain) and os.path.exists(domain_file)
    netbios = load_json(domain_file).get("netbios") if has_domain_file else None
    # a module runs as SYSTEM: the computer account of the host's domain (the gMSA modules check it)
    env = dict(WINDOWS_ENV, COMPUTERNAME=computer, USERNAME=computer + "$",
               USERDOMAIN=netbios or (domain or "WORKGROUP").split(".")[0].upper(),
               WINSIM_SCENARIO=os.path.join(lab, "state", "hosts", host + ".json"),
               # the shadows of built-in modules must come before $PSHOME/Modules, which pwsh
               # otherwise puts first
               PSModulePath=os.path.join(lab, "runtime", "psmodules") + os.pathsep + os.path.join(pshome, "Modules"))
    if has_domain_file:
        env["WINSIM_DOMAIN"] = domain_file
    bindir = os.path.join(lab, "bin", host)
    os.makedirs(bindir, exist_ok=True)
    # .NET resolves the C# util's [DllImport("advapi32.dll")] to runtime/native/advapi32.dll (WinSim's LSA)
    native = {"LD_LIBRARY_PATH": os.path.join(lab, "runtime", "native")}
    for name, target, extra in (("pwsh", pwsh, dict(PWSH_ONLY_ENV, **native)), ("python", sys.executable, {})):
        exports = "".join("export %s=%s\n" % (k, shlex.quote(v)) for k, v in sorted(dict(env, **extra).items()))
        path = os.path.join(bindir, name)
        with open(path, "w") as f:
            f.write("#!/bin/sh\n# GENERATED by tests/lab/build_lab.py: lab host %s\n%sexec %s \"$@\"\n"
                    % (host, exports, shlex.quote(target)))
        os.chmod(path, 0o755)


def _link(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    os.symlink(src, dst)


def build_collections(lab, real_collections, extra_standins=()):
    """The collections tree; ``extra_standins``: (file, "ns.coll") pairs (the health lab's)."""
    root = os.path.join(lab, "collections", "ansible_collections")
    shutil.rmtree(root, ignore_errors=True)
    ours = os.path.join(root, "hybrid_identity", "entra_sync")
    for entry in sorted(os.listdir(REPO)):
        if not entry.startswith(".") and entry not in ("plugins", "tests"):
            _link(os.path.join(REPO, entry), os.path.join(ours, entry))
    for sub in sorted(os.listdir(os.path.join(REPO, "plugins"))):
        src = os.path.join(lab, "runtime", "module_utils") if sub == "module_utils" else os.path.join(REPO, "plugins", sub)
        _link(src, os.path.join(ours, "plugins", sub))
    real_windows_utils = os.path.join(real_collections, "ansible_collections", "ansible", "windows", "plugins", "module_utils")
    if not os.path.isdir(real_windows_utils):
        raise LabBuildError("ansible.windows not found in %s (make setup installs it)" % real_collections)
    _link(real_windows_utils, os.path.join(root, "ansible", "windows", "plugins", "module_utils"))
    standins = [(os.path.join(HERE, "standins", d, f), "%s.%s" % STANDIN_COLLECTIONS[d])
                for d in sorted(STANDIN_COLLECTIONS) for f in sorted(os.listdir(os.path.join(HERE, "standins", d)))
                if f.endswith(".py")]
    for src, fqcn in standins + list(extra_standins):
        ns, coll = fqcn.split(".")
        dst = os.path.join(root, ns, coll, "plugins", "modules", os.path.basename(src))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy(src, dst)
    for ns, coll in (("ansible", "windows"), ("microsoft", "ad")):
        os.makedirs(os.path.join(root, ns, coll, "meta"), exist_ok=True)
        with open(os.path.join(root, ns, coll, "meta", "runtime.yml"), "w") as f:
            f.write("---\nrequires_ansible: '>=2.16.0'\n")
    shutil.copytree(os.path.join(HERE, "sim"), os.path.join(root, "entra_lab", "sim"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    return root


def build(lab, scenarios, domains_dir=os.path.join(HERE, "domains"), scale=0, extra_standins=(),
          real_collections=os.path.join(REPO, ".venv", "collections")):
    """Build the lab in ``lab`` for ``scenarios`` (name -> host file); returns the hosts.json map."""
    pwsh = find_pwsh()
    for sub in ("state", "bin", "reports", "runtime"):
        shutil.rmtree(os.path.join(lab, sub), ignore_errors=True)
    pshome = run_pwsh(pwsh, "New-WinSimLabRuntime.ps1", Destination=os.path.join(lab, "runtime"), ModuleUtils=os.path.join(REPO, "plugins", "module_utils"))
    domains = sorted(n[:-5] for n in os.listdir(domains_dir) if n.endswith(".json"))
    os.makedirs(os.path.join(lab, "state", "domains"))
    for d in domains:
        shutil.copy(os.path.join(domains_dir, d + ".json"), os.path.join(lab, "state", "domains", d + ".json"))
    plan = plan_hosts(scenarios, domains, scale)
    names = sorted(plan)
    # one pwsh start for every host (a start costs about a second)
    run_pwsh(pwsh, "Export-WinSimHost.ps1", Path=[plan[n][0] for n in names],
             Destination=os.path.join(lab, "state", "hosts"), Name=names)
    manifest = {}
    for host in names:
        path, domain = plan[host]
        state_file = os.path.join(lab, "state", "hosts", host + ".json")
        description = load_json(state_file)
        if host.startswith("dc-") and path.endswith("_dc.json"):
            # one description for every DC: its name and domain are the lab's
            description.setdefault("computer", {}).update(name=host.upper(), domain=domain)
            with open(state_file, "w", encoding="utf-8") as f:
                json.dump(description, f, indent=1)
        domain = domain or (description.get("computer") or {}).get("domain")
        write_wrappers(lab, pwsh, pshome, host, description, domain)
        scenario = load_json(path)
        manifest[host] = {"scenario": os.path.basename(path)[:-5], "domain": domain,
                          "description": scenario.get("description", ""),
                          "expect": scenario.get("expect") or {"outcome": "none"}}
    with open(os.path.join(lab, "hosts.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
    build_collections(lab, real_collections, extra_standins)
    os.makedirs(os.path.join(lab, "reports"))
    return manifest


def write_scale_inventory(lab, hosts):
    path = os.path.join(lab, "inventory_scale.yml")
    lines = ["---", "entra_sync_agents:", "  hosts:"]
    lines += ["    %s: {ansible_pwsh_interpreter: %s, ansible_python_interpreter: %s}"
              % (h, os.path.join(lab, "bin", h, "pwsh"), os.path.join(lab, "bin", h, "python")) for h in hosts]
    lines += ["  vars:", "    ansible_connection: local", "    entra_sync_become: false", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return path


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--lab-dir", default=os.environ.get("ENTRA_LAB_DIR") or os.path.join(REPO, ".cache", "lab"))
    p.add_argument("--real-collections", default=os.path.join(REPO, ".venv", "collections"))
    p.add_argument("--scale", type=int, default=0, help="N fresh compliant hosts (benchmarks)")
    args = p.parse_args(argv)
    lab = os.path.abspath(args.lab_dir)
    os.makedirs(lab, exist_ok=True)
    try:
        manifest = build(lab, load_scenarios(), scale=args.scale, real_collections=os.path.abspath(args.real_collections))
    except LabBuildError as e:
        print("lab build failed: %s" % e, file=sys.stderr)
        return 1
    if args.scale:
        write_scale_inventory(lab, sorted(h for h in manifest if not h.startswith("dc-")))
    print("lab ready in %s: %d hosts" % (lab, len(manifest)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build (or reset) the health lab: the simulated Windows lab of tests/lab with the Day-2 host states.

    .venv/bin/python tests/lab/health/build_health_lab.py [--lab-dir .cache/health-lab]

Reuses tests/lab/build_lab.py (same stand-ins, same fixture overlay through ``host_state``) in its own
directory, so it never disturbs the main lab. Adds what only the health role needs: the
``ansible.windows.win_command`` stand-in (``sc.exe managedaccount``) and the host states of
``tests/lab/health/hosts``. Events without ``time_created`` are stamped one hour ago (inside the
default 24-hour window, before the first check).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.dirname(HERE)
sys.path.insert(0, LAB)

import build_lab  # noqa: E402  (tests/lab/build_lab.py)

EXTRA_STANDINS = {"win_command.py": "ansible.windows.win_command"}


def scenarios():
    out = {}
    for name in sorted(os.listdir(os.path.join(HERE, "hosts"))):
        if name.endswith(".json"):
            with open(os.path.join(HERE, "hosts", name)) as f:
                out[name[:-5]] = json.load(f)
    return out


def build(lab_dir, real_collections):
    root = build_lab.build_collections(lab_dir, real_collections)
    docs = build_lab.real_docs(sorted(EXTRA_STANDINS.values()), real_collections)
    for fname, fqcn in EXTRA_STANDINS.items():
        ns, coll, mod = fqcn.split(".")
        with open(os.path.join(HERE, "standins", fname)) as f:
            text = build_lab.render_standin(fqcn, docs[fqcn], f.read())
        with open(os.path.join(root, ns, coll, "plugins", "modules", mod + ".py"), "w") as f:
            f.write(text)
    sdir = os.path.join(lab_dir, "state")
    shutil.rmtree(sdir, ignore_errors=True)
    os.makedirs(os.path.join(sdir, "hosts"))
    os.makedirs(os.path.join(sdir, "domains"))
    for name in os.listdir(os.path.join(LAB, "domains")):
        shutil.copy(os.path.join(LAB, "domains", name), os.path.join(sdir, "domains", name))
    stamp = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H:%M:%S.0000000Z")
    hosts = scenarios()
    for host, scen in hosts.items():
        state = build_lab.host_state(host, scen)
        for event in state.get("events", []):
            event.setdefault("time_created", stamp)
        with open(os.path.join(sdir, "hosts", host + ".json"), "w") as f:
            json.dump(state, f, indent=1, sort_keys=True)
    reports = os.path.join(lab_dir, "reports")
    shutil.rmtree(reports, ignore_errors=True)
    os.makedirs(reports)
    return sorted(hosts)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--lab-dir", default=os.path.join(build_lab.REPO, ".cache", "health-lab"))
    p.add_argument("--real-collections", default=os.path.join(build_lab.REPO, ".venv", "collections"))
    args = p.parse_args(argv)
    lab = os.path.abspath(args.lab_dir)
    os.makedirs(lab, exist_ok=True)
    try:
        hosts = build(lab, os.path.abspath(args.real_collections))
    except build_lab.LabBuildError as e:
        print("health lab build failed: %s" % e, file=sys.stderr)
        return 1
    print("health lab ready in %s: %d hosts" % (lab, len(hosts)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark (printed, not a timed test): secret leaks over every lab scenario at -vvvv.

Builds a fresh lab and runs, at ``-vvvv``: ``install_agent.yml`` in check mode, for real,
again (rerun), ``connect_sync_services.yml``, ``preflight.yml`` and ``uninstall_agent.yml``.
Then looks for every lab credential value (the tenant and domain passwords of
``tests/lab/inventory.yml``) in:

* the output (stdout and stderr) of every run;
* every report file under the lab's ``reports/``;
* every lab host and domain state file, and separately every recorded installer,
  uninstaller and cmdlet command line in the states.

Prints the number of places scanned and leaks found; the goal is 0 leaks (exit 1 otherwise).

    .venv/bin/python tests/benchmarks/lab_secret_leaks.py [--lab-dir .cache/lab-leaks]
"""

from __future__ import annotations

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lab"))
from lab_common import REPO, build, playbook  # noqa: E402  pylint: disable=wrong-import-position
from build_lab import lab_secrets  # noqa: E402  pylint: disable=wrong-import-position,import-error


RUNS = [
    ("install_agent.yml --check", "playbooks/install_agent.yml", ["--check"]),
    ("install_agent.yml", "playbooks/install_agent.yml", []),
    ("install_agent.yml (rerun)", "playbooks/install_agent.yml", []),
    ("connect_sync_services.yml", "playbooks/connect_sync_services.yml", []),
    ("preflight.yml", "playbooks/preflight.yml", []),
    ("uninstall_agent.yml", "playbooks/uninstall_agent.yml", ["-e", "entra_sync_target=installed_registered"]),
]


def find(secrets, text):
    return [s for s in secrets if s in text]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--lab-dir", default=os.path.join(REPO, ".cache", "lab-leaks"))
    args = p.parse_args(argv)
    lab = os.path.abspath(args.lab_dir)
    build(lab)
    secrets = sorted(lab_secrets().values())
    places = {"output": 0, "report file": 0, "state file": 0, "recorded command line": 0}
    leaks = []
    for label, path, extra in RUNS:
        rc, out, secs = playbook(lab, path, args=["-vvvv", *extra])
        places["output"] += 1
        print("%-28s rc=%d %6.1f s %8d bytes of output" % (label, rc, secs, len(out)))
        leaks += [("output of " + label, s) for s in find(secrets, out)]
    for root, kind in ((os.path.join(lab, "reports"), "report file"), (os.path.join(lab, "state"), "state file")):
        for d, _dirs, files in os.walk(root):
            for fn in files:
                full = os.path.join(d, fn)
                with open(full, encoding="utf-8", errors="replace") as f:
                    text = f.read()
                places[kind] += 1
                leaks += [(full, s) for s in find(secrets, text)]
                if kind == "state file" and fn.endswith(".json"):
                    try:
                        commands = json.loads(text).get("commands", [])
                    except ValueError:
                        commands = []
                    for c in commands:
                        places["recorded command line"] += 1
                        leaks += [("%s: %s command" % (fn, c.get("kind")), s) for s in find(secrets, c.get("command", ""))]
    print("\nplaces scanned: %d (%s)" % (sum(places.values()), ", ".join("%s: %d" % kv for kv in places.items())))
    for where, secret in leaks:
        print("LEAK %s...: %s" % (secret[:4], where))
    print("leaks found: %d (goal 0)" % len(leaks))
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark (printed, not a timed test): module executions on the target per host.

Builds a fresh lab, runs the playbooks through the lab's ``module_counter`` callback
and prints the counts per playbook and host:

* ``install_agent.yml`` on fresh hosts (goal: a fresh install at most 8 executions,
  host and delegated domain-controller reads together);
* ``install_agent.yml`` again (goal: a steady-state rerun on an installed, compliant
  host at most 3);
* ``preflight.yml`` and ``connect_sync_services.yml``.

Exit 1 when a goal is missed.

    .venv/bin/python tests/benchmarks/lab_module_counts.py [--lab-dir .cache/lab-bench]
"""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lab_common import REPO, build, playbook  # noqa: E402  pylint: disable=wrong-import-position

FRESH_MAX = 8
STEADY_MAX = 3
# hosts that start fresh and compliant, and the host that starts installed and registered
FRESH_HOSTS = ("fresh_compliant",)
STEADY_HOSTS = ("fresh_compliant", "installed_registered")


def per_host(counts_run):
    """{host: total}, delegated executions added to the host that asked for them."""
    totals = {}
    for key, value in counts_run.items():
        host = key.split(" -> ")[0]
        totals[host] = totals.get(host, 0) + value["total"]
    return totals


def expected_registered(lab):
    """Hosts whose scenario ends installed and registered."""
    with open(os.path.join(lab, "hosts.json")) as f:
        return sorted(h for h, entry in json.load(f).items() if entry["expect"]["outcome"] == "registered")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--lab-dir", default=os.path.join(REPO, ".cache", "lab-bench"))
    args = p.parse_args(argv)
    lab = os.path.abspath(args.lab_dir)
    build(lab)
    counts_file = os.path.join(lab, "module_counts.json")
    env = {"ENTRA_LAB_COUNTS_FILE": counts_file}
    runs = [("install_agent.yml (fresh lab)", "playbooks/install_agent.yml"),
            ("install_agent.yml (rerun)", "playbooks/install_agent.yml"),
            ("preflight.yml", "playbooks/preflight.yml"),
            ("connect_sync_services.yml", "playbooks/connect_sync_services.yml")]
    results = {}
    for label, path in runs:
        if os.path.exists(counts_file):
            os.remove(counts_file)
        rc, out, secs = playbook(lab, path, env=env)
        if rc != 0:
            print(out[-3000:])
            sys.exit("%s failed (rc %d)" % (label, rc))
        with open(counts_file) as f:
            data = json.load(f)
        results[label] = per_host(data[os.path.basename(path)][-1])
        print("\n%s: %.1f s" % (label, secs))
        for host, total in sorted(results[label].items()):
            print("  %-34s %3d" % (host, total))
    bad = []
    fresh = results["install_agent.yml (fresh lab)"]
    rerun = results["install_agent.yml (rerun)"]
    for host in FRESH_HOSTS:
        print("\nfresh install   %-20s %d executions (goal <= %d)" % (host, fresh.get(host, 0), FRESH_MAX))
        if fresh.get(host, 0) > FRESH_MAX:
            bad.append(host)
    for host in STEADY_HOSTS:
        print("steady rerun    %-20s %d executions (goal <= %d)" % (host, rerun.get(host, 0), STEADY_MAX))
        if rerun.get(host, 0) > STEADY_MAX:
            bad.append(host)
    registered = expected_registered(lab)
    worst = max((rerun.get(h, 0), h) for h in registered)
    print("steady rerun, every host that ends registered (%d): at most %d (%s)" % (len(registered), worst[0], worst[1]))
    if worst[0] > STEADY_MAX:
        bad.append(worst[1])
    print("RESULT: %s" % ("goals met" if not bad else "goals missed by " + ", ".join(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark (printed, not a timed test): preflight.yml against ping at scale.

Builds a lab of --hosts (default 200) fresh hosts and measures, in the same run and
with the same --forks (default 20), the controller wall time of ``playbooks/preflight.yml``
and of a one-task ``ansible.builtin.ping`` playbook over the same hosts (best of
--repeat runs each, alternating). Prints both times and their ratio.

    .venv/bin/python tests/benchmarks/lab_scale.py [--hosts 200] [--forks 20] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lab_common import REPO, build, playbook  # noqa: E402  pylint: disable=wrong-import-position

PING = """---
- name: Ping every lab host
  hosts: entra_sync_agents
  gather_facts: false
  tasks:
    - name: Ping
      ansible.builtin.ping:
"""


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--lab-dir", default=os.path.join(REPO, ".cache", "lab-scale"))
    p.add_argument("--hosts", type=int, default=200)
    p.add_argument("--forks", type=int, default=20)
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args(argv)
    lab = os.path.abspath(args.lab_dir)
    build(lab, "--scale", str(args.hosts))
    inventory = os.path.join(lab, "inventory_scale.yml")
    best = {"ping": float("inf"), "preflight": float("inf")}
    with tempfile.TemporaryDirectory() as tmp:
        ping = os.path.join(tmp, "ping.yml")
        with open(ping, "w") as f:
            f.write(PING)
        for i in range(args.repeat):
            for name, path, extra in (("ping", ping, []),
                                      ("preflight", "playbooks/preflight.yml",
                                       ["-e", "entra_sync_report_dir=%s" % os.path.join(lab, "reports")])):
                rc, out, secs = playbook(lab, path, inventory=inventory, args=extra,
                                         env={"ANSIBLE_CALLBACKS_ENABLED": None}, forks=args.forks)
                if rc != 0:
                    print(out[-3000:])
                    sys.exit("%s failed (rc %d)" % (name, rc))
                print("run %d %-10s %6.1f s" % (i + 1, name, secs))
                best[name] = min(best[name], secs)
    print("\n%d hosts, %d forks: ping %.1f s, preflight.yml %.1f s, ratio preflight/ping %.2f"
          % (args.hosts, args.forks, best["ping"], best["preflight"], best["preflight"] / best["ping"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

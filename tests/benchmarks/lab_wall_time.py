#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark (printed, not a timed test): the wall and CPU time of `make lab`'s job, now and at a git ref.

For each of the working tree and ``--ref`` (default 7787466, the last commit whose lab ran Python
stand-ins in place of the collection's modules), runs that tree's ``hack/lab.sh`` in a lab directory
of its own and prints its wall time, the CPU time of everything it started, and its exit status.
The ref is checked out as a temporary git worktree that borrows this checkout's ``.venv``.

    .venv/bin/python tests/benchmarks/lab_wall_time.py [--ref 7787466] [--skip-ref]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_lab(tree: str, lab_dir: str) -> tuple[float, float, int]:
    env = dict(os.environ, ENTRA_LAB_DIR=lab_dir, ANSIBLE_NOCOLOR="1")
    env.pop("ENTRA_LAB_PS_COVERAGE_DIR", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(["bash", "hack/lab.sh"], cwd=tree, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    tail = [line for line in proc.stdout.splitlines() if line.startswith(("lab:", "module calls"))]
    print("   " + "\n   ".join(tail[-3:]))
    return wall, cpu, proc.returncode


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--ref", default="7787466")
    p.add_argument("--skip-ref", action="store_true", help="only the working tree")
    args = p.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="entra-lab-wall-") as work:
        print(f"working tree ({REPO}):")
        rows.append(("working tree", *run_lab(REPO, os.path.join(work, "lab-now"))))
        if not args.skip_ref:
            tree = os.path.join(work, "ref")
            subprocess.run(["git", "worktree", "add", "--detach", tree, args.ref], cwd=REPO, check=True,
                           capture_output=True)
            try:
                os.symlink(os.path.join(REPO, ".venv"), os.path.join(tree, ".venv"))
                print(f"{args.ref}:")
                rows.append((args.ref, *run_lab(tree, os.path.join(work, "lab-ref"))))
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", tree], cwd=REPO, check=False, capture_output=True)
    print(f"make lab's job on {os.cpu_count()} cores:")
    for name, wall, cpu, rc in rows:
        print(f"  {name:14} wall {wall:7.1f} s   CPU {cpu:7.1f} s   exit {rc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

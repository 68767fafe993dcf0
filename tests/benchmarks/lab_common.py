# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared by the lab benchmarks: build the simulated lab, run a playbook against it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV_BIN = os.path.join(REPO, ".venv", "bin")
LAB_INVENTORY = os.path.join(REPO, "tests", "lab", "inventory.yml")


def build(lab_dir, *extra):
    """Build (reset) the lab in lab_dir; returns nothing, raises on failure."""
    cmd = [os.path.join(VENV_BIN, "python"), os.path.join(REPO, "tests", "lab", "build_lab.py"),
           "--lab-dir", lab_dir, *extra]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit("lab build failed:\n%s%s" % (proc.stdout, proc.stderr))


def playbook(lab_dir, path, inventory=LAB_INVENTORY, args=(), env=None, forks=20):
    """Run ansible-playbook against the lab; returns (rc, output, seconds). ``env``: None unsets."""
    run_env = dict(os.environ,
                   ANSIBLE_COLLECTIONS_PATH=os.path.join(lab_dir, "collections"),
                   ANSIBLE_CALLBACKS_ENABLED="entra_lab.sim.module_counter",
                   ANSIBLE_FORKS=str(forks), ANSIBLE_NOCOLOR="1",
                   ENTRA_LAB_DIR=lab_dir, ENTRA_LAB_REPORT_DIR=os.path.join(lab_dir, "reports"))
    for key, value in (env or {}).items():
        if value is None:
            run_env.pop(key, None)
        else:
            run_env[key] = value
    cmd = [os.path.join(VENV_BIN, "ansible-playbook"), "-i", inventory, path, *args]
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env=run_env, check=False)
    return proc.returncode, proc.stdout + proc.stderr, time.monotonic() - start

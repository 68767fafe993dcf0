#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark (printed, not a timed test): the cost of one module call in the lab.

Runs, alternating, --repeat times each with ``ansible -c local`` against one simulated host:

* a collection PowerShell module (default ``logon_right_info``) through Ansible's own exec
  wrapper on pwsh (``ansible_pwsh_interpreter``), the simulated Windows below it, as the lab does;
* ``ansible.builtin.ping``, a Python module, through the same connection.

Prints wall time and CPU time (user + system of every child process) per call, best and median.

    .venv/bin/python tests/benchmarks/module_call_cost.py [--repeat 5] [--module logon_right_info]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV_BIN = os.path.dirname(sys.executable)


def find_pwsh() -> str:
    proc = subprocess.run(["bash", "-c", '. hack/pwsh.sh >/dev/null 2>&1; printf %s "$PWSH"'],
                          cwd=REPO, capture_output=True, text=True, check=False)
    if not proc.stdout:
        sys.exit("module_call_cost: no pwsh found (hack/pwsh.sh); set PWSH=/path/to/pwsh")
    return proc.stdout


def build(work: str, pwsh: str) -> tuple[str, str]:
    """A one-host lab: runtime, collections tree, host description, pwsh wrapper."""
    runtime = os.path.join(work, "runtime")
    subprocess.run([pwsh, "-NoProfile", "-File", os.path.join(REPO, "tests", "windows_sim", "lab", "New-WinSimLabRuntime.ps1"),
                    "-Destination", runtime, "-ModuleUtils", os.path.join(REPO, "plugins", "module_utils")],
                   check=True, stdout=subprocess.DEVNULL)
    ours = os.path.join(work, "collections", "ansible_collections", "hybrid_identity", "entra_sync")
    os.makedirs(os.path.join(ours, "plugins"))
    for entry in ("meta", "galaxy.yml"):
        os.symlink(os.path.join(REPO, entry), os.path.join(ours, entry))
    for sub in ("modules", "action", "doc_fragments", "plugin_utils", "filter"):
        if os.path.exists(os.path.join(REPO, "plugins", sub)):
            os.symlink(os.path.join(REPO, "plugins", sub), os.path.join(ours, "plugins", sub))
    os.symlink(os.path.join(runtime, "module_utils"), os.path.join(ours, "plugins", "module_utils"))
    windows = os.path.join(REPO, ".venv", "collections", "ansible_collections", "ansible")
    os.symlink(windows, os.path.join(work, "collections", "ansible_collections", "ansible"))
    state = os.path.join(work, "host.json")
    shutil.copy(os.path.join(REPO, "tests", "windows_sim", "hosts", "member_server.json"), state)
    wrapper = os.path.join(work, "pwsh")
    with open(wrapper, "w", encoding="utf-8") as f:
        f.write("#!/bin/sh\n"
                f"export WINSIM_SCENARIO='{state}' PSModulePath='{runtime}/psmodules'\n"
                "export COMPUTERNAME=AGENT01 USERNAME='AGENT01$' SystemRoot='C:\\Windows' "
                "ProgramData='C:\\ProgramData' ProgramFiles='C:\\Program Files'\n"
                f'exec "{pwsh}" "$@"\n')
    os.chmod(wrapper, 0o755)
    return os.path.join(work, "collections"), wrapper


def one_call(module: str, collections: str, wrapper: str) -> tuple[float, float]:
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_NOCOLOR="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([os.path.join(VENV_BIN, "ansible"), "all", "-i", "agent01,", "-c", "local",
                           "-e", f"ansible_pwsh_interpreter={wrapper}", "-e", f"ansible_python_interpreter={sys.executable}",
                           "-m", module], env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"module_call_cost: {module} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--module", default="logon_right_info", help="a module of this collection")
    args = p.parse_args(argv)
    pwsh = find_pwsh()
    with tempfile.TemporaryDirectory(prefix="entra-call-cost-") as work:
        collections, wrapper = build(work, pwsh)
        modules = {"powershell": f"hybrid_identity.entra_sync.{args.module}", "python": "ansible.builtin.ping"}
        samples: dict[str, list[tuple[float, float]]] = {k: [] for k in modules}
        for _run in range(args.repeat):
            for kind, module in modules.items():
                samples[kind].append(one_call(module, collections, wrapper))
    print(f"one module call through `ansible -c local` ({args.repeat} runs each, {os.cpu_count()} cores)")
    for kind, module in modules.items():
        walls = [wall for wall, _cpu in samples[kind]]
        cpus = [cpu for _wall, cpu in samples[kind]]
        print(f"  {kind:10} {module:45} wall best {min(walls):5.2f} s, median {statistics.median(walls):5.2f} s;"
              f" CPU median {statistics.median(cpus):5.2f} s")
    ratio = (statistics.median(wall for wall, _cpu in samples["powershell"])
             / statistics.median(wall for wall, _cpu in samples["python"]))
    print(f"  PowerShell / Python wall (medians): {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

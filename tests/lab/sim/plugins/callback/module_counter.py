# -*- coding: utf-8 -*-
# Lab only: counts module executions on each target, per playbook.
from __future__ import annotations

DOCUMENTATION = r"""
name: module_counter
type: aggregate
short_description: Count module executions per host (entra_sync lab benchmark)
description:
  - Counts every module that really ran on a target (results that are not
    skipped), attributing delegated tasks to the host that was acted on.
  - Controller-only actions (C(set_fact), C(assert), C(debug), C(include_*),
    C(set_stats), C(meta), C(fail)) are not module executions on the target and are not counted;
    an action plugin that runs modules on the target (C(preflight)) reports how many
    it ran in C(_lab_module_executions) when available, otherwise counts as its modules.
  - Prints a table and writes JSON to E(ENTRA_LAB_COUNTS_FILE) when set.
requirements:
  - enable in callbacks_enabled
options: {}
"""

import json
import os
from collections import defaultdict

from ansible.plugins.callback import CallbackBase

CONTROLLER_ONLY = {
    "set_fact", "assert", "debug", "include_role", "import_role", "include_tasks",
    "import_tasks", "set_stats", "meta", "fail", "add_host", "group_by", "pause",
    "include_vars", "stat", "file", "copy", "template", "slurp", "find", "command",
    "diagnose", "ping",
}
# Action plugins of this collection that run modules on the target: how many each runs.
MODULES_PER_ACTION = {"preflight": 2}


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "entra_lab.sim.module_counter"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.counts = defaultdict(lambda: defaultdict(int))
        self.playbook = None

    def v2_playbook_on_start(self, playbook):
        self.playbook = os.path.basename(playbook._file_name)

    def _count(self, result):
        task = result._task
        action = task.action.split(".")[-1]
        if action in CONTROLLER_ONLY and task.delegate_to in (None, "localhost") or action in ("set_fact", "assert", "debug", "meta", "fail", "set_stats"):
            return
        if task.delegate_to == "localhost" or task._role is None and task.delegate_to == "localhost":
            return
        target = task.delegate_to or result._host.get_name()
        n = result._result.get("_lab_module_executions")
        if n is None:
            n = MODULES_PER_ACTION.get(action, 1)
            if action == "preflight":
                args = task.args
                n = int("host_info" not in args) + int("logon_rights" not in args)
        key = "%s -> %s" % (result._host.get_name(), target) if target != result._host.get_name() else target
        self.counts[key][action] += n

    def v2_runner_on_ok(self, result):
        self._count(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._count(result)

    def v2_runner_item_on_ok(self, result):
        pass

    def v2_playbook_on_stats(self, stats):
        totals = {h: sum(c.values()) for h, c in self.counts.items()}
        self._display.display("MODULE EXECUTIONS ON TARGETS (%s)" % self.playbook)
        for host in sorted(self.counts):
            detail = ", ".join("%s=%d" % kv for kv in sorted(self.counts[host].items()))
            self._display.display("  %-40s %3d  (%s)" % (host, totals[host], detail))
        out = os.environ.get("ENTRA_LAB_COUNTS_FILE")
        if out:
            data = {}
            if os.path.exists(out):
                with open(out) as f:
                    data = json.load(f)
            data.setdefault(self.playbook, []).append(
                {h: {"total": totals[h], "by_module": dict(c)} for h, c in self.counts.items()})
            with open(out, "w") as f:
                json.dump(data, f, indent=1, sort_keys=True)

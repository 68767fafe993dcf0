# -*- coding: utf-8 -*-
# Lab only: counts module executions on each target, per playbook.
from __future__ import annotations

DOCUMENTATION = r"""
name: module_counter
type: aggregate
short_description: Count module executions per host (entra_sync lab benchmark)
description:
  - Counts every module that really ran on a target (results that are not skipped,
    one per loop item), attributing delegated tasks to the host that was acted on
    (shown as C(host -> delegate)).
  - Controller-only actions (C(set_fact), C(assert), C(debug), C(include_*), C(set_stats),
    C(meta), C(fail), C(validate_argument_spec), C(diagnose) ...) are not counted.
    The C(preflight) action runs C(agent_host_info) and C(logon_right_info) on the target
    unless it is given their results, and counts as the modules it ran.
  - Prints a table at the end of each playbook and appends JSON to E(ENTRA_LAB_COUNTS_FILE) when set.
requirements:
  - enable in callbacks_enabled
options: {}
"""

import json
import os
from collections import defaultdict

from ansible.plugins.callback import CallbackBase

CONTROLLER_ONLY = frozenset((
    "set_fact", "assert", "debug", "include_role", "import_role", "include_tasks", "import_tasks",
    "set_stats", "meta", "fail", "add_host", "group_by", "pause", "include_vars", "validate_argument_spec",
    "diagnose", "noop",
))
# Modules run on the target when these run against localhost are not target executions either.
LOCAL_NAMES = frozenset(("localhost", "127.0.0.1"))


def target_executions(action, args):
    """How many modules a task with this action and these args ran on its target."""
    if action in CONTROLLER_ONLY:
        return 0
    if action == "preflight":
        return int("host_info" not in args) + int("logon_rights" not in args)
    return 1


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

    def _count(self, result, loop_item=False):
        task = result._task
        res = result._result
        if res.get("skipped"):
            return
        if not loop_item and isinstance(res.get("results"), list) and task.loop is not None:
            return  # counted per item
        action = task.action.split(".")[-1]
        n = target_executions(action, task.args)
        host = result._host.get_name()
        delegate = task.delegate_to
        if n == 0 or (delegate in LOCAL_NAMES) or (delegate is None and host in LOCAL_NAMES):
            return
        key = "%s -> %s" % (host, delegate) if delegate and delegate != host else host
        self.counts[key][action] += n

    def v2_runner_on_ok(self, result):
        self._count(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._count(result)

    def v2_runner_item_on_ok(self, result):
        self._count(result, loop_item=True)

    def v2_runner_item_on_failed(self, result):
        self._count(result, loop_item=True)

    def v2_playbook_on_stats(self, stats):
        totals = {h: sum(c.values()) for h, c in self.counts.items()}
        self._display.display("MODULE EXECUTIONS ON TARGETS (%s)" % self.playbook)
        for host in sorted(self.counts):
            detail = ", ".join("%s=%d" % kv for kv in sorted(self.counts[host].items()))
            self._display.display("  %-45s %3d  (%s)" % (host, totals[host], detail))
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

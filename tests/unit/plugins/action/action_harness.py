# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run an action plugin with a fake _execute_module that answers from the module contract fixtures."""
from __future__ import annotations

import json
import os
from unittest.mock import MagicMock

from ansible.playbook.task import Task
from ansible.template import Templar

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))


def fixture(module, scenario):
    with open(os.path.join(ROOT, 'tests', 'fixtures', 'module_results', module, scenario + '.json')) as fh:
        return json.load(fh)


def make(cls, args, modules=None):
    """Return (action, calls): calls records every (module_name, module_args) the action ran on the target."""
    task = Task()
    task.args = args
    task.async_val = 0
    conn = MagicMock()
    conn._shell.tmpdir = None
    play_context = MagicMock()
    play_context.check_mode = False
    action = cls(task, conn, play_context, loader=None, templar=Templar(loader=None), shared_loader_obj=None)
    calls = []

    def fake_execute_module(module_name=None, module_args=None, task_vars=None, **kw):
        calls.append((module_name, module_args))
        return json.loads(json.dumps(modules[module_name.rsplit('.', 1)[-1]]))
    action._execute_module = fake_execute_module
    return action, calls

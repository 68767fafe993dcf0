# -*- coding: utf-8 -*-
# Lab only: never shipped, never referenced by a production file.
from __future__ import annotations

DOCUMENTATION = r"""
name: host
short_description: Run tasks against a simulated Windows host of the entra_sync lab
description:
  - Runs everything on the controller like C(ansible.builtin.local), and exports
    E(ENTRA_LAB_HOST) (the target's C(ansible_host)) and E(ENTRA_LAB_STATE_DIR)
    into every command so that the lab stand-in modules act on that host's JSON state.
  - With C(delegate_to) the delegated host's C(ansible_host) is used, as a real
    connection would reach the delegated host.
author: hybrid_identity maintainers
options:
  lab_host:
    description:
      - Name of the lab host whose state the stand-ins use; defaults to the host the
        connection is for (the delegated host with C(delegate_to)).
      - Not taken from C(inventory_hostname), which names the original host in a delegated task.
    type: str
    vars:
      - name: ansible_host
  state_dir:
    description:
      - Directory with C(hosts/<name>.json) and C(domains/<name>.json).
      - Defaults to C(state) next to the C(collections) tree the lab was built in.
    type: str
    env:
      - name: ENTRA_LAB_STATE_DIR
    vars:
      - name: entra_lab_state_dir
"""

import os
import shlex

from ansible.plugins.connection.local import Connection as LocalConnection


def _default_state_dir():
    # <lab>/collections/ansible_collections/entra_lab/sim/plugins/connection/host.py
    here = os.path.realpath(__file__)
    for _level in range(7):
        here = os.path.dirname(here)
    return os.path.join(here, "state")


class Connection(LocalConnection):
    transport = "entra_lab.sim.host"

    def exec_command(self, cmd, in_data=None, sudoable=True):
        host = self.get_option("lab_host") or self._play_context.remote_addr
        state_dir = self.get_option("state_dir") or _default_state_dir()
        prefix = "ENTRA_LAB_HOST=%s ENTRA_LAB_STATE_DIR=%s " % (shlex.quote(host), shlex.quote(state_dir))
        return super().exec_command(prefix + cmd, in_data=in_data, sudoable=sudoable)

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Base for the action plugins that read the target with this collection's info modules."""
from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

NS = 'hybrid_identity.entra_sync.'


class GatheringAction(ActionBase):
    """An action plugin that runs read-only modules of this collection on the target and judges on the controller."""

    def _gather(self, name, args, task_vars):
        """Run hybrid_identity.entra_sync.<name>; a failed module fails the action with its message."""
        res = self._execute_module(module_name=NS + name, module_args=args, task_vars=task_vars)
        if res.get('failed'):
            raise AnsibleActionFail('Failed to gather %s: %s' % (name, res.get('msg', 'unknown error')), result=res)
        return res

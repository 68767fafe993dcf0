# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Base for the action plugins that read the target with this collection's info modules."""
from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase

NS = 'hybrid_identity.entra_sync.'
COLLECTION = 'hybrid_identity.entra_sync'
REMOVED_IN = '2.0.0'

# Role and playbook variables renamed for one naming pattern (units in the name, one target variable,
# the cloud's own names). The old name is still read (roles default the new one from it); the actions
# that every role runs first say so with a deprecation warning.
RENAMED_VARIABLES: dict[str, str] = {
    'entra_sync_reboot_timeout': 'entra_sync_reboot_timeout_seconds',
    'entra_sync_health_min_version': 'entra_sync_health_minimum_version',
    'entra_sync_adsync_target': 'entra_sync_target',
}
RENAMED_VALUES: dict[str, dict[str, str]] = {
    'entra_sync_cloud': {'public': 'AzureCloud', 'us_government': 'AzureUSGovernment'},
}


def deprecations(task_vars: dict | None) -> list[dict]:
    """Deprecation warnings for every old variable name or value the play still uses."""
    found = []
    variables = task_vars or {}
    for old, new in sorted(RENAMED_VARIABLES.items()):
        if old in variables:
            found.append({'msg': 'The variable %s is renamed %s; set the new name.' % (old, new),
                          'version': REMOVED_IN, 'collection_name': COLLECTION})
    for name, values in sorted(RENAMED_VALUES.items()):
        value = variables.get(name)
        if isinstance(value, str) and value in values:
            found.append({'msg': '%s=%s is deprecated; use %s.' % (name, value, values[value]),
                          'version': REMOVED_IN, 'collection_name': COLLECTION})
    return found


class GatheringAction(ActionBase):
    """An action plugin that runs read-only modules of this collection on the target and judges on the controller."""

    def _gather(self, name: str, args: dict, task_vars: dict | None) -> dict[str, Any]:
        """Run hybrid_identity.entra_sync.<name>; a failed module fails the action with its message."""
        res = self._execute_module(module_name=NS + name, module_args=args, task_vars=task_vars)
        if res.get('failed'):
            raise AnsibleActionFail('Failed to gather %s: %s' % (name, res.get('msg', 'unknown error')), result=res)
        return res

    def _gather_rights(self, args: dict, task_vars: dict | None) -> dict[str, Any]:
        """logon_right_info's result; when LSA could not be read, ``{'rights': {}, 'read_error': <message>}``:
        then no right is known (every rights rule is skipped, never passed) and ``logon_rights_unreadable`` says why,
        so the run ends with a report instead of a task error."""
        try:
            return self._gather('logon_right_info', args, task_vars)
        except AnsibleActionFail as e:
            return {'rights': {}, 'read_error': to_native(e.message)}

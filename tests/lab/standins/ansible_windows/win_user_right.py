#!/usr/bin/python
# Lab stand-in (tests/lab/README.md): the real module calls LSA (advapi32), which Linux lacks.
from __future__ import annotations

DOCUMENTATION = """
module: win_user_right
short_description: Lab stand-in of ansible.windows.win_user_right on the WinSim host description
description: [Changes the SID list of O(name) in the description's C(rights); names resolve through C(accounts).]
options: {name: {type: str}, users: {type: list}, action: {type: str}}
"""

from ansible_collections.entra_lab.sim.plugins.module_utils.winsim import run_standin

SPEC = {"name": {"type": "str", "required": True},
        "users": {"type": "list", "elements": "str", "required": True},
        "action": {"type": "str", "default": "set", "choices": ["add", "remove", "set"]}}


def gpo_holders(host, right):
    """SIDs a GPO (RSoP precedence 1, not the local policy) sets for the right, or None."""
    for setting in host.section("cim", {}).get("root\\rsop\\computer:RSOP_UserPrivilegeRight") or []:
        if setting.get("UserRight") == right and setting.get("precedence") == 1 and setting.get("GPOID") != "LocalGPO":
            return [host.sid_of(a) for a in setting.get("AccountList") or [] if a]
    return None


def behave(module, host):
    p = module.params
    rights = host.section("rights", {})
    before = list(rights.get(p["name"]) or [])
    wanted = [host.sid_of(u) for u in p["users"]]
    if p["action"] == "add":
        after = before + [s for s in wanted if s not in before]
    elif p["action"] == "remove":
        after = [s for s in before if s not in wanted]
    else:
        after = wanted
    added = [host.name_of(s) for s in after if s not in before]
    removed = [host.name_of(s) for s in before if s not in after]
    # LSA takes the change; a GPO that defines the right puts its own list back at the next
    # policy refresh, which the lab makes happen at once (the grant does not last).
    policy = gpo_holders(host, p["name"])
    rights[p["name"]] = after if policy is None else policy
    return bool(added or removed), {"added": added, "removed": removed}


if __name__ == "__main__":
    run_standin(SPEC, behave)

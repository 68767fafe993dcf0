#!/usr/bin/python
# Lab stand-in (tests/lab/README.md): the real module needs the Windows registry provider.
from __future__ import annotations

DOCUMENTATION = """
module: win_regedit
short_description: Lab stand-in of ansible.windows.win_regedit on the WinSim host description
description:
  - Sets or removes a value in the description's C(registry). The LocalMachine execution policy value is
    the description's C(execution_policy.LocalMachine), which Get-ExecutionPolicy reads there.
options: {path: {type: str}, name: {type: str}, data: {type: raw}, type: {type: str}, state: {type: str}}
"""

from ansible_collections.entra_lab.sim.plugins.module_utils.winsim import StandinFailure, run_standin

SPEC = {"path": {"type": "str", "required": True, "aliases": ["key"]},
        "name": {"type": "str", "aliases": ["entry", "value"]},
        "data": {"type": "raw"},
        "type": {"type": "str", "default": "string", "aliases": ["datatype"],
                 "choices": ["none", "binary", "dword", "expandstring", "multistring", "string", "qword"]},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]}}
POLICY_KEY = "HKLM:\\SOFTWARE\\Microsoft\\PowerShell\\1\\ShellIds\\Microsoft.PowerShell"


def behave(module, host):
    p = module.params
    if not p["name"]:
        raise StandinFailure("lab: win_regedit without a value name is not simulated")
    data = p["data"]
    if p["type"] in ("dword", "qword") and data is not None:
        data = int(str(data), 0)
    present = p["state"] == "present"
    if host.registry_path(p["path"]).lower() == POLICY_KEY.lower() and p["name"].lower() == "executionpolicy":
        policy = host.section("execution_policy", {})
        before = policy.get("LocalMachine", "Undefined")
        policy["LocalMachine"] = data if present else "Undefined"
        return before != policy["LocalMachine"], {"data_changed": before != policy["LocalMachine"],
                                                  "data_type_changed": False}
    key, values = host.registry_key(p["path"], create=present)
    name = next((n for n in values or {} if n.lower() == p["name"].lower()), p["name"])
    before = (values or {}).get(name)
    if not present:
        if values is None or name not in values:
            return False, {"data_changed": False, "data_type_changed": False}
        del values[name]
        return True, {"data_changed": True, "data_type_changed": False}
    if key is None:
        raise StandinFailure("lab: registry key %s not created" % p["path"])
    values[name] = data
    return before != data, {"data_changed": before != data, "data_type_changed": False}


if __name__ == "__main__":
    run_standin(SPEC, behave)

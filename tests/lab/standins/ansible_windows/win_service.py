#!/usr/bin/python
# Lab stand-in (tests/lab/README.md): the real module drives the Service Control Manager (advapi32).
from __future__ import annotations

DOCUMENTATION = """
module: win_service
short_description: Lab stand-in of ansible.windows.win_service on the WinSim host description
description: [Start mode and state of a service of the description's C(services) list.]
options: {name: {type: str}, start_mode: {type: str}, state: {type: str}}
"""

from ansible_collections.entra_lab.sim.plugins.module_utils.winsim import StandinFailure, run_standin

SPEC = {"name": {"type": "str", "required": True},
        "start_mode": {"type": "str", "choices": ["auto", "delayed", "disabled", "manual"]},
        "state": {"type": "str", "choices": ["absent", "paused", "started", "stopped", "restarted"]}}
START_TYPES = {"auto": "Automatic", "delayed": "AutomaticDelayedStart", "manual": "Manual", "disabled": "Disabled"}


def behave(module, host):
    p = module.params
    svc = host.service(p["name"])
    if svc is None:
        if p["state"] == "absent":
            return False, {"exists": False, "name": p["name"]}
        raise StandinFailure("Service '%s' is not installed, need to set 'path' to create a new service"
                             % p["name"], exists=False)
    before = dict(svc)
    if p["start_mode"]:
        svc["StartType"] = START_TYPES[p["start_mode"]]
    if p["state"] in ("started", "restarted"):
        if svc.get("StartType") == "Disabled" or svc.get("start_error"):
            raise StandinFailure("Failed to start service %s: %s" % (
                p["name"], svc.get("start_error") or "the service is disabled"))
        svc["Status"] = "Running"
    elif p["state"] == "stopped":
        svc["Status"] = "Stopped"
    changed = svc != before or p["state"] == "restarted"
    return changed, {"exists": True, "name": svc["Name"], "state": svc["Status"].lower(),
                     "start_mode": {v: k for k, v in START_TYPES.items()}.get(svc.get("StartType"), "")}


if __name__ == "__main__":
    run_standin(SPEC, behave)

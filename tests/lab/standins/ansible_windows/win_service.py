from __future__ import annotations

DOCUMENTATION = RETURN = None  # replaced by tests/lab/build_lab.py with the real module's docs

from ansible_collections.entra_lab.sim.plugins.module_utils.lab_host import (
    StandinFailure, find_service, run_standin)

_MODES = {"auto": "Auto", "delayed": "Auto", "manual": "Manual", "disabled": "Disabled"}


def behave(module, host):
    p = module.params
    svc = find_service(host, p["name"])
    if svc is None:
        if p["state"] == "absent":
            return False, {"exists": False, "name": p["name"]}
        raise StandinFailure("Service '%s' is not installed, need to set 'path' to create a new service"
                             % p["name"], exists=False)
    changed = False
    if p["start_mode"] and svc.get("start_mode") != _MODES[p["start_mode"]]:
        svc["start_mode"] = _MODES[p["start_mode"]]
        changed = True
    if p["state"] in ("started", "restarted"):
        if svc.get("start_mode") == "Disabled":
            raise StandinFailure("Failed to start service %s: the service is disabled" % p["name"])
        if svc.get("state") != "Running" or p["state"] == "restarted":
            svc["state"] = "Running"
            changed = True
    elif p["state"] == "stopped" and svc.get("state") != "Stopped":
        svc["state"] = "Stopped"
        changed = True
    if changed:
        host.record("service", "Set-Service -Name %s (start_mode=%s, state=%s)"
                    % (p["name"], p["start_mode"], p["state"]))
    return changed, {"exists": True, "name": p["name"], "start_mode": (svc.get("start_mode") or "").lower(),
                     "state": (svc.get("state") or "").lower()}


if __name__ == "__main__":
    run_standin(DOCUMENTATION, RETURN, behave)

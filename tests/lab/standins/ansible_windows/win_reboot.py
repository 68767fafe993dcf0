from __future__ import annotations

DOCUMENTATION = RETURN = None  # replaced by tests/lab/build_lab.py with the real module's docs

from ansible_collections.entra_lab.sim.plugins.module_utils.lab_host import run_standin


def behave(module, host):
    info = host.state["host_info"]
    info["pending_reboot"] = {"required": False, "reasons": []}
    for svc in info.get("services", []):
        if svc.get("exists") and svc.get("start_mode") == "Auto" and svc.get("state") in ("Stopped", "StartPending"):
            svc["state"] = "Running"
    host.state["boots"] = host.state.get("boots", 0) + 1
    host.record("reboot", "shutdown.exe /r /t %d /c \"%s\"" % (int(module.params["pre_reboot_delay"]), module.params["msg"]))
    return True, {"rebooted": True, "elapsed": 1.0}


if __name__ == "__main__":
    run_standin(DOCUMENTATION, RETURN, behave)

#!/usr/bin/python
# Lab stand-in (tests/lab/README.md): the real one is an action plugin that reboots the host and waits
# for it over the connection; the lab has no host to restart.
from __future__ import annotations

DOCUMENTATION = """
module: win_reboot
short_description: Lab stand-in of ansible.windows.win_reboot on the WinSim host description
description:
  - What a restart changes in the description; the pending-reboot markers are gone and every automatic
    service that can start is running.
options: {reboot_timeout: {type: float}, msg: {type: str}, pre_reboot_delay: {type: float}}
"""

from ansible_collections.entra_lab.sim.plugins.module_utils.winsim import run_standin

SPEC = {"reboot_timeout": {"type": "float", "default": 600}, "msg": {"type": "str", "default": "Reboot initiated by Ansible"},
        "pre_reboot_delay": {"type": "float", "default": 2}}
PENDING_KEYS = ("HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending",
                "HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired")


def behave(module, host):
    registry = host.section("registry", {})
    for pending in PENDING_KEYS:
        key, dummy = host.registry_key(pending)
        if key is not None:
            del registry[key]
    dummy, session = host.registry_key("HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Session Manager")
    if session:
        session.pop("PendingFileRenameOperations", None)
    for svc in host.section("services", []):
        if svc.get("StartType") in ("Automatic", "AutomaticDelayedStart") and not svc.get("start_error"):
            svc["Status"] = "Running"
    return True, {"rebooted": True, "elapsed": 0.0}


if __name__ == "__main__":
    run_standin(SPEC, behave, supports_check_mode=True)

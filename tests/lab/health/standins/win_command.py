#!/usr/bin/python
# Lab stand-in (tests/lab/README.md): the real module starts a Windows process (CreateProcess); the one
# command the roles run, sc.exe, is a Windows program.
from __future__ import annotations

DOCUMENTATION = """
module: win_command
short_description: Lab stand-in of ansible.windows.win_command on the WinSim host description
description:
  - Only what the health role runs, C(sc.exe managedaccount <service> TRUE|FALSE); it sets the service's
    C(ServiceAccountManaged) value (REG_BINARY) under its Services key, where sc.exe qmanagedaccount reads it.
options: {argv: {type: list}}
"""

from ansible_collections.entra_lab.sim.plugins.module_utils.winsim import StandinFailure, run_standin

SPEC = {"argv": {"type": "list", "elements": "str"}, "_raw_params": {"type": "str"}, "cmd": {"type": "str"}}


def behave(module, host):
    words = module.params["argv"] or (module.params["cmd"] or module.params["_raw_params"] or "").split()
    if not (len(words) == 4 and words[0].lower() in ("sc.exe", "sc") and words[1].lower() == "managedaccount"
            and words[3].upper() in ("TRUE", "FALSE")):
        raise StandinFailure("lab: command not simulated: %s" % " ".join(words), rc=1, stdout="", stderr="")
    svc = host.service(words[2])
    if svc is None:
        raise StandinFailure("non-zero return code", rc=1060, stderr="", stdout=(
            "[SC] OpenService FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n"))
    dummy, values = host.registry_key("HKLM:\\SYSTEM\\CurrentControlSet\\Services\\" + svc["Name"], create=True)
    for name in [n for n in values if n.lower() == "serviceaccountmanaged"]:
        del values[name]
    values["ServiceAccountManaged"] = {"type": "binary", "value": [int(words[3].upper() == "TRUE"), 0, 0, 0]}
    svc["ManagedAccount"] = words[3].upper() == "TRUE"
    return True, {"rc": 0, "stdout": "[SC] ChangeServiceConfig2 SUCCESS\r\n", "stderr": "", "cmd": " ".join(words)}


if __name__ == "__main__":
    run_standin(SPEC, behave, supports_check_mode=False)

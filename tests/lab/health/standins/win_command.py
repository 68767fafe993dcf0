from __future__ import annotations

DOCUMENTATION = RETURN = None  # replaced by tests/lab/build_lab.py with the real module's docs

import shlex  # noqa: E402

from ansible_collections.entra_lab.sim.plugins.module_utils.lab_host import (  # noqa: E402
    StandinFailure, find_service, opt, run_standin)


def behave(module, host):
    """Only the commands the collection's roles run: ``sc.exe managedaccount <service> TRUE|FALSE``."""
    argv = opt(module, "argv") or shlex.split(opt(module, "cmd", "_raw_params", default="") or "", posix=False)
    words = [str(w) for w in argv]
    if len(words) == 4 and words[0].lower() in ("sc.exe", "sc") and words[1].lower() == "managedaccount" \
            and words[3].upper() in ("TRUE", "FALSE"):
        svc = find_service(host, words[2])
        if svc is None:
            raise StandinFailure("[SC] OpenService FAILED 1060:\r\n\r\nThe specified service does not exist as an "
                                 "installed service.", rc=1060, stdout="", stderr="")
        svc["managed_account"] = words[3].upper() == "TRUE"
        host.record("command", " ".join(words))
        return True, {"rc": 0, "stdout": "[SC] ChangeServiceConfig2 SUCCESS\r\n", "stderr": "",
                      "cmd": " ".join(words)}
    raise StandinFailure("lab: command not simulated: %s" % " ".join(words), rc=1, stdout="", stderr="")


if __name__ == "__main__":
    run_standin(DOCUMENTATION, RETURN, behave, supports_check_mode=False)

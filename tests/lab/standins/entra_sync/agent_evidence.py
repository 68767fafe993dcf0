from __future__ import annotations

DOCUMENTATION = RETURN = None  # replaced by tests/lab/build_lab.py with the real module's docs

import copy

from ansible_collections.entra_lab.sim.plugins.module_utils.lab_host import run_standin


def behave(module, host):
    events = copy.deepcopy(host.state.get("events", []))
    files = copy.deepcopy(host.state.get("evidence_files", []))
    managed = []
    for svc in host.state["host_info"].get("services", []):
        if svc.get("exists"):
            flag = svc.get("managed_account")
            managed.append({"service": svc["name"], "managed": flag,
                            "output": "[SC] QueryServiceConfig2 SUCCESS\n\nSERVICE_NAME: %s\n        "
                                      "Account Managed : %s" % (svc["name"], "TRUE" if flag else "FALSE")})
    size = sum(len(f.get("content", "")) for f in files) + sum(len(e.get("message", "")) for e in events)
    return False, {"events": events, "files": files, "managed_accounts": managed,
                   "since": host.state.get("lab", {}).get("created", "2025-01-01T00:00:00+00:00"),
                   "collected_bytes": size}


if __name__ == "__main__":
    run_standin(DOCUMENTATION, RETURN, behave)

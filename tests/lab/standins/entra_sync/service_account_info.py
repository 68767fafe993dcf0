from __future__ import annotations

DOCUMENTATION = RETURN = None  # replaced by tests/lab/build_lab.py with the real module's docs

import copy

from ansible_collections.entra_lab.sim.plugins.module_utils.lab_host import opt, run_standin


def behave(module, host):
    names = opt(module, "name", "names", "services", default=None) or ["ADSync"]
    if isinstance(names, str):
        names = [names]
    known = {k.lower(): v for k, v in host.state.get("service_accounts", {}).items()}
    services = []
    for n in names:
        svc = known.get(n.lower())
        services.append(copy.deepcopy(svc) if svc else {
            "name": n, "exists": False, "state": None, "start_mode": None, "start_name": None,
            "managed_account": None, "account": None})
    return False, {"services": services}


if __name__ == "__main__":
    run_standin(DOCUMENTATION, RETURN, behave)

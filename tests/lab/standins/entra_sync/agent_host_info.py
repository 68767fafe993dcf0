from __future__ import annotations

DOCUMENTATION = RETURN = None  # replaced by tests/lab/build_lab.py with the real module's docs

import copy

from ansible_collections.entra_lab.sim.plugins.module_utils.lab_host import opt, run_standin


def behave(module, host):
    result = copy.deepcopy(host.state["host_info"])
    probes = opt(module, "probe", default=[]) or []
    if probes:
        blocked = host.state.get("lab", {}).get("network_blocked", False)
        result["reachability"] = [
            {"host": p.rsplit(":", 1)[0], "port": int(p.rsplit(":", 1)[1]), "route": "direct", "proxy": None,
             "reachable": not blocked, "error": "timed out" if blocked else None, "proxy_status": None,
             "elapsed_ms": 30} for p in probes]
    return False, result


if __name__ == "__main__":
    run_standin(DOCUMENTATION, RETURN, behave)

from __future__ import annotations

DOCUMENTATION = RETURN = None  # replaced by tests/lab/build_lab.py with the real module's docs

import copy

from ansible_collections.entra_lab.sim.plugins.module_utils.lab_host import opt, run_standin


def behave(module, host):
    wanted = opt(module, "rights", "name", default=None) or list(host.state["rights"])
    rights = {}
    for r in wanted:
        data = copy.deepcopy(host.state["rights"].get(r) or {
            "name": r, "display_name": r, "holders": [],
            "gpo": {"defined": False, "name": None, "id": None, "precedence": None, "account_list": []}})
        gpo = data.get("gpo") or {}
        gpo.pop("holders", None)
        data["gpo"] = gpo
        rights[r] = data
    return False, {"rights": rights, "rsop_available": host.state.get("rsop_available", True)}


if __name__ == "__main__":
    run_standin(DOCUMENTATION, RETURN, behave)

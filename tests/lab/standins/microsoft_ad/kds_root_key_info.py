from __future__ import annotations

DOCUMENTATION = RETURN = None  # replaced by tests/lab/build_lab.py with the real module's docs

from ansible_collections.entra_lab.sim.plugins.module_utils.lab_host import StandinFailure, run_standin


def behave(module, host):
    domain = host.domain
    if domain is None:
        raise StandinFailure("Failed to get KDS root keys: this host is not in a lab domain")
    keys = domain.get("kds_root_keys", [])
    if module.params.get("key_id"):
        keys = [k for k in keys if k["key_id"] == module.params["key_id"]]
    return False, {"kds_root_keys": keys}


if __name__ == "__main__":
    run_standin(DOCUMENTATION, RETURN, behave)

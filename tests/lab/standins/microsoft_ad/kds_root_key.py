from __future__ import annotations

DOCUMENTATION = RETURN = None  # replaced by tests/lab/build_lab.py with the real module's docs

import datetime
import uuid

from ansible_collections.entra_lab.sim.plugins.module_utils.lab_host import StandinFailure, run_standin


def behave(module, host):
    p = module.params
    domain = host.domain
    if domain is None or not host.state["host_info"]["domain"].get("is_domain_controller"):
        raise StandinFailure("Failed to manage KDS root keys: run this against a domain controller")
    keys = domain.setdefault("kds_root_keys", [])
    if p["state"] == "absent":
        raise StandinFailure("the lab does not remove KDS root keys")
    if p["match_by"] == "any" and keys:
        return False, {}
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    effective = now + datetime.timedelta(hours=p["effective_time_hours"] - 10)
    key = {"key_id": str(uuid.uuid4()), "effective_time": effective.isoformat(), "creation_time": now.isoformat(),
           "version_number": 1}
    keys.append(key)
    host.record("cmdlet", "Add-KdsRootKey -EffectiveTime '%s'" % effective.isoformat())
    return True, {"key_id": key["key_id"]}


if __name__ == "__main__":
    run_standin(DOCUMENTATION, RETURN, behave)

#!/usr/bin/python
# Lab stand-in (tests/lab/README.md): the real module calls Add-KdsRootKey on a domain controller.
from __future__ import annotations

DOCUMENTATION = """
module: kds_root_key
short_description: Lab stand-in of microsoft.ad.kds_root_key on the lab domain file
description: [Adds a key to the domain file's C(kds_root_keys), as the real module does (effective O(effective_time_hours) - 10 hours from now).]
options: {effective_time_hours: {type: int}, match_by: {type: str}, state: {type: str}}
"""

import datetime
import uuid

from ansible_collections.entra_lab.sim.plugins.module_utils.winsim import StandinFailure, run_standin

SPEC = {"effective_time_hours": {"type": "int", "default": 10},
        "match_by": {"type": "str", "default": "any", "choices": ["any", "key_id", "never"]},
        "key_id": {"type": "str"}, "state": {"type": "str", "default": "present", "choices": ["present", "absent"]}}


def behave(module, host):
    p = module.params
    if p["state"] != "present" or p["match_by"] == "key_id":
        raise StandinFailure("lab: only state=present with match_by any/never is simulated")
    keys = host.domain().setdefault("kds_root_keys", [])
    if p["match_by"] == "any" and keys:
        return False, {"key_id": "00000000-0000-0000-0000-000000000000"}
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    # microsoft.ad: "EffectiveImmediately does not work", so it asks for now + hours - 10
    effective = now + datetime.timedelta(hours=p["effective_time_hours"] - 10)
    key = {"KeyId": str(uuid.uuid4()), "EffectiveTime": effective.strftime("%Y-%m-%dT%H:%M:%SZ"),
           "CreationTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "VersionNumber": 1}
    keys.append(key)
    return True, {"key_id": key["KeyId"]}


if __name__ == "__main__":
    run_standin(SPEC, behave)

#!/usr/bin/python
# Lab stand-in (tests/lab/README.md): the real module calls Get-KdsRootKey on a domain controller.
from __future__ import annotations

DOCUMENTATION = """
module: kds_root_key_info
short_description: Lab stand-in of microsoft.ad.kds_root_key_info on the lab domain file
description: [The domain file's C(kds_root_keys), in the real module's return format.]
options: {key_id: {type: str}}
"""

from ansible_collections.entra_lab.sim.plugins.module_utils.winsim import run_standin

SPEC = {"key_id": {"type": "str"}}


def behave(module, host):
    keys = [{"key_id": k.get("KeyId"), "effective_time": k.get("EffectiveTime"),
             "creation_time": k.get("CreationTime", k.get("EffectiveTime")), "version_number": k.get("VersionNumber", 1)}
            for k in host.domain().get("kds_root_keys") or []]
    if module.params["key_id"]:
        keys = [k for k in keys if k["key_id"] == module.params["key_id"]]
    return False, {"kds_root_keys": keys}


if __name__ == "__main__":
    run_standin(SPEC, behave)

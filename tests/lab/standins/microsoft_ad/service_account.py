#!/usr/bin/python
# Lab stand-in (tests/lab/README.md): the real module calls Set-ADServiceAccount on a domain controller.
from __future__ import annotations

DOCUMENTATION = """
module: service_account
short_description: Lab stand-in of microsoft.ad.service_account on the lab domain file
description: [Only what the roles use; the Kerberos encryption types of an existing gMSA (C(msDS-SupportedEncryptionTypes) of its object).]
options: {identity: {type: str}, kerberos_encryption_types: {type: dict}}
"""

from ansible_collections.entra_lab.sim.plugins.module_utils.winsim import StandinFailure, run_standin

SPEC = {"identity": {"type": "str"}, "name": {"type": "str"},
        "kerberos_encryption_types": {"type": "dict", "options": {"set": {"type": "list", "elements": "str"}}}}
BITS = {"des": 3, "rc4": 4, "aes128": 8, "aes256": 16}


def behave(module, host):
    p = module.params
    wanted = (p["identity"] or p["name"] or "").lower()
    objects = host.domain().get("objects") or {}
    dn = next((dn for dn, obj in objects.items() if wanted in (
        dn.lower(), str(obj.get("sAMAccountName", "")).lower(), str(obj.get("sAMAccountName", "")).lower().rstrip("$"),
        dn.split(",")[0][3:].lower())), None)
    if dn is None:
        raise StandinFailure("Failed to find service account '%s'" % wanted)
    obj = objects[dn]
    types = (p["kerberos_encryption_types"] or {}).get("set")
    changed = False
    if types:
        bits = sum(BITS[t.lower()] for t in types)
        changed = obj.get("msDS-SupportedEncryptionTypes") != bits
        obj["msDS-SupportedEncryptionTypes"] = bits
    return changed, {"distinguished_name": dn, "sid": obj.get("objectSid")}


if __name__ == "__main__":
    run_standin(SPEC, behave)

from __future__ import annotations

DOCUMENTATION = RETURN = None  # replaced by tests/lab/build_lab.py with the real module's docs

from ansible_collections.entra_lab.sim.plugins.module_utils.lab_host import StandinFailure, run_standin

_BITS = {"des": 3, "rc4": 4, "aes128": 8, "aes256": 16}


def behave(module, host):
    # Only what the roles use: Kerberos encryption types of an existing gMSA.
    p = module.params
    name = p.get("identity") or p.get("name")
    domain = host.domain or {}
    obj = domain.get("gmsas", {}).get(name) or domain.get("gmsas", {}).get((name or "") + "$")
    if obj is None:
        raise StandinFailure("Failed to find service account '%s'" % name)
    enc = p.get("kerberos_encryption_types") or {}
    if not enc.get("set"):
        return False, {"distinguished_name": "CN=%s,CN=Managed Service Accounts" % name.rstrip("$")}
    want = 0
    for t in enc["set"]:
        want |= _BITS[t.lower()]
    changed = obj.get("encryption_types") != want
    obj["encryption_types"] = want
    if changed:
        host.record("cmdlet", "Set-ADServiceAccount -Identity %s -KerberosEncryptionType %s" % (name, ",".join(enc["set"])))
    return changed, {"distinguished_name": "CN=%s,CN=Managed Service Accounts" % name.rstrip("$")}


if __name__ == "__main__":
    run_standin(DOCUMENTATION, RETURN, behave)

from __future__ import annotations

DOCUMENTATION = RETURN = None  # replaced by tests/lab/build_lab.py with the real module's docs

from ansible_collections.entra_lab.sim.plugins.module_utils.lab_host import opt, run_standin


def read_gmsa(module, host):
    """The gmsa_host_info result on the lab host: raw values, no overlap judgement (Python rules do that)."""
    name = opt(module, "name", default="provAgentgMSA$")
    domain = host.domain or {}
    obj = domain.get("gmsas", {}).get(name)
    host_enc = host.state["host_info"]["kerberos"].get("supported_encryption_types")
    result = {"name": name, "exists": obj is not None, "usable": False, "installed": False,
              "host_encryption_types": host_enc, "account_encryption_types": None,
              "can_retrieve_password": None, "principals_allowed_to_retrieve": [],
              "ad_module_available": True, "ad_error": None}
    if obj is None:
        return result
    acc = obj.get("encryption_types", 0x1C)
    overlap = (host_enc if host_enc is not None else 0x1C) & acc & 0x1F
    computer = "%s\\%s$" % (domain.get("netbios", "CONTOSO"), host.state["host_info"]["domain"]["computer_name"])
    principals = obj.get("principals", [])
    can = not principals or computer in principals
    installed = name in host.state.get("installed_gmsas", [])
    result.update(account_encryption_types=acc, can_retrieve_password=can, principals_allowed_to_retrieve=principals,
                  usable=bool(overlap) and can, installed=installed)
    return result


def behave(module, host):
    return False, read_gmsa(module, host)


if __name__ == "__main__":
    run_standin(DOCUMENTATION, RETURN, behave)

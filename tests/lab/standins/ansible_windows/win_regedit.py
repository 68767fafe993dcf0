from __future__ import annotations

DOCUMENTATION = RETURN = None  # replaced by tests/lab/build_lab.py with the real module's docs

from ansible_collections.entra_lab.sim.plugins.module_utils.lab_host import registry_get, registry_set, run_standin


def behave(module, host):
    p = module.params
    if p["state"] == "absent":
        before = registry_get(host, p["path"], p["name"])
        if before is None:
            return False, {"data_changed": False, "data_type_changed": False}
        registry_set(host, p["path"], p["name"], None)
        return True, {"data_changed": True, "data_type_changed": False}
    data = p["data"]
    if p["type"] in ("dword", "qword") and data is not None:
        data = int(str(data), 0)
    before = registry_get(host, p["path"], p["name"])
    if before == data:
        return False, {"data_changed": False, "data_type_changed": False}
    registry_set(host, p["path"], p["name"], data)
    host.record("registry", "Set-ItemProperty -Path '%s' -Name '%s' -Value %r" % (p["path"], p["name"], data))
    return True, {"data_changed": True, "data_type_changed": False,
                  "diff": {"before": {p["name"]: before}, "after": {p["name"]: data}}}


if __name__ == "__main__":
    run_standin(DOCUMENTATION, RETURN, behave)

from __future__ import annotations

DOCUMENTATION = RETURN = None  # replaced by tests/lab/build_lab.py with the real module's docs

import hashlib

from ansible_collections.entra_lab.sim.plugins.module_utils.lab_host import run_standin


def behave(module, host):
    p = module.params
    files = host.state.setdefault("files", {})
    key = p["dest"].lower()
    checksum = hashlib.sha1(p["url"].encode()).hexdigest()
    if key in files and not p["force"] or files.get(key, {}).get("url") == p["url"]:
        return False, {"dest": p["dest"], "url": p["url"], "status_code": 200, "checksum_dest": checksum,
                       "msg": "file already exists"}
    files[key] = {"path": p["dest"], "checksum": checksum, "size": 1024, "url": p["url"]}
    host.record("download", "Invoke-WebRequest -Uri '%s' -OutFile '%s'" % (p["url"], p["dest"]))
    return True, {"dest": p["dest"], "url": p["url"], "status_code": 200, "checksum_dest": checksum,
                  "msg": "OK", "size": 1024}


if __name__ == "__main__":
    run_standin(DOCUMENTATION, RETURN, behave)

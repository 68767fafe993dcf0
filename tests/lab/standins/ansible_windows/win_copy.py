from __future__ import annotations

DOCUMENTATION = RETURN = None  # replaced by tests/lab/build_lab.py with the real module's docs

import hashlib
import os

from ansible_collections.entra_lab.sim.plugins.module_utils.lab_host import StandinFailure, run_standin


def behave(module, host):
    # The real win_copy is an action plugin that transfers a controller file; in the
    # lab the "host" shares the controller's file system, so the source is read directly.
    p = module.params
    if p["content"] is not None:
        data = p["content"].encode()
    else:
        if not p["src"] or not os.path.isfile(p["src"]):
            raise StandinFailure("Cannot find or access src '%s' on the controller" % p["src"])
        with open(p["src"], "rb") as f:
            data = f.read()
    checksum = hashlib.sha1(data).hexdigest()
    files = host.state.setdefault("files", {})
    key = p["dest"].lower()
    changed = files.get(key, {}).get("checksum") != checksum and (p["force"] or key not in files)
    if changed:
        files[key] = {"path": p["dest"], "checksum": checksum, "size": len(data), "source": p["src"]}
    return changed, {"dest": p["dest"], "checksum": checksum, "size": len(data), "src": p["src"],
                     "operation": "file_copy", "original_basename": os.path.basename(p["src"] or "content")}


if __name__ == "__main__":
    run_standin(DOCUMENTATION, RETURN, behave)

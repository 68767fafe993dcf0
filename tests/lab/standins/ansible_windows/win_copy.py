#!/usr/bin/python
# Lab stand-in (tests/lab/README.md): the real one is an action plugin that transfers the file over the
# connection to a C:\ path, which Linux has no drive for.
from __future__ import annotations

DOCUMENTATION = """
module: win_copy
short_description: Lab stand-in of ansible.windows.win_copy on the WinSim host description
description: [The controller file O(src) (or O(content)) becomes O(dest) in the description's C(files).]
options: {src: {type: path}, dest: {type: path}, content: {type: str}, force: {type: bool}}
"""

import hashlib
import os

from ansible_collections.entra_lab.sim.plugins.module_utils.winsim import StandinFailure, run_standin

# type str for dest: a Windows path must not get POSIX ~/$VAR expansion
SPEC = {"src": {"type": "path"}, "dest": {"type": "str", "required": True}, "content": {"type": "str", "no_log": True},
        "force": {"type": "bool", "default": True}}


def behave(module, host):
    p = module.params
    if p["content"] is not None:
        data = p["content"].encode()
    elif p["src"] and os.path.isfile(p["src"]):
        with open(p["src"], "rb") as f:
            data = f.read()
    else:
        raise StandinFailure("Cannot find or access src '%s' on the controller" % p["src"])
    files = host.section("files", {})
    key = next((k for k in files if k.lower() == p["dest"].lower()), p["dest"])
    entry = {"content": data.decode("utf-8", "replace")}
    changed = files.get(key) != entry and (p["force"] or key not in files)
    if changed:
        files[key] = entry
    return changed, {"dest": p["dest"], "src": p["src"], "checksum": hashlib.sha1(data).hexdigest(), "size": len(data)}


if __name__ == "__main__":
    run_standin(SPEC, behave)

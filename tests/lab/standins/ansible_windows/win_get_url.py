#!/usr/bin/python
# Lab stand-in (tests/lab/README.md): the real module downloads with .NET onto a C:\ path; the lab has
# neither the Internet nor the drive.
from __future__ import annotations

DOCUMENTATION = """
module: win_get_url
short_description: Lab stand-in of ansible.windows.win_get_url on the WinSim host description
description: [O(dest) appears in the description's C(files), its content naming O(url).]
options: {url: {type: str}, dest: {type: path}, force: {type: bool}, checksum: {type: str}, checksum_algorithm: {type: str}}
"""

from ansible_collections.entra_lab.sim.plugins.module_utils.winsim import run_standin

SPEC = {"url": {"type": "str", "required": True}, "dest": {"type": "str", "required": True},
        "force": {"type": "bool", "default": True}, "checksum": {"type": "str"},
        "checksum_algorithm": {"type": "str", "default": "sha1", "choices": ["md5", "sha1", "sha256", "sha384", "sha512"]}}


def behave(module, host):
    p = module.params
    files = host.section("files", {})
    key = next((k for k in files if k.lower() == p["dest"].lower()), p["dest"])
    entry = {"content": "downloaded from %s" % p["url"]}
    changed = files.get(key) != entry and (p["force"] or key not in files)
    if changed:
        files[key] = entry
    return changed, {"dest": p["dest"], "url": p["url"], "status_code": 200, "msg": "OK" if changed else "file already exists"}


if __name__ == "__main__":
    run_standin(SPEC, behave)

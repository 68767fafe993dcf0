#!/usr/bin/env python3
"""Check every lab host against its scenario's expected outcome (molecule lab verify).

A host expected ``registered`` must end with the agent installed, registered to the
lab tenant and its service running under a gMSA. A host expected ``failed`` must not
be registered, and its reports (``<lab>/reports/<host>/``) must name one of the
expected root-cause ids. No lab secret may appear in a state or report file.
Exit status 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from build_lab import lab_secrets  # noqa: E402


def ids_in(obj, found):
    if isinstance(obj, dict):
        if isinstance(obj.get("id"), str):
            found.add(obj["id"])
        for v in obj.values():
            ids_in(v, found)
    elif isinstance(obj, list):
        for v in obj:
            ids_in(v, found)
    return found


def report_ids(report_dir):
    found = set()
    for root, _, files in os.walk(report_dir):
        for name in files:
            if name.endswith(".json"):
                with open(os.path.join(root, name)) as f:
                    try:
                        ids_in(json.load(f), found)
                    except ValueError:
                        pass
    return found


def registered(state):
    agent = state["host_info"]["agent"]
    svc = next((s for s in state["host_info"]["services"] if s.get("role") == "agent"), {})
    return bool(agent.get("installed") and agent.get("registered") and agent.get("tenant_id")
                and str(svc.get("start_name", "")).endswith("$") and svc.get("state") == "Running")


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--lab-dir", default=os.path.join(os.path.dirname(__file__), "..", "..", ".cache", "lab"))
    args = p.parse_args(argv)
    hosts_dir = os.path.join(args.lab_dir, "state", "hosts")
    bad = 0
    for name in sorted(os.listdir(hosts_dir)):
        with open(os.path.join(hosts_dir, name)) as f:
            state = json.load(f)
        exp = state["lab"]["expect"]
        host = name[:-5]
        if exp["outcome"] == "none":
            continue
        ids = report_ids(os.path.join(args.lab_dir, "reports", host))
        if exp["outcome"] == "registered":
            ok = registered(state)
            got = "registered" if ok else "NOT registered (report ids: %s)" % (", ".join(sorted(ids)) or "none")
        else:
            wanted = set(exp["root_causes"])
            hit = wanted & ids
            ok = bool(hit) and not (exp["playbook"] == "install_agent" and registered(state))
            got = "failed with %s" % ", ".join(sorted(hit)) if ok else "expected one of %s, report ids: %s" % (
                sorted(wanted), ", ".join(sorted(ids)) or "none")
        bad += not ok
        print("%-4s %-32s %-22s %s" % ("OK" if ok else "FAIL", host, exp["playbook"], got))
    secrets = list(lab_secrets().values())
    scanned = leaks = 0
    for root in (os.path.join(args.lab_dir, "state"), os.path.join(args.lab_dir, "reports")):
        for d, _, files in os.walk(root):
            for fn in files:
                scanned += 1
                with open(os.path.join(d, fn), "rb") as f:
                    data = f.read()
                for s in secrets:
                    if s.encode() in data:
                        leaks += 1
                        print("LEAK %s in %s" % (s[:4] + "...", os.path.join(d, fn)))
    print("secret scan: %d files scanned (states incl. recorded command lines, reports), %d leaks" % (scanned, leaks))
    print("%d host(s) not as expected" % bad)
    return 1 if bad or leaks else 0


if __name__ == "__main__":
    sys.exit(main())

"""Check every lab host against its scenario's expected outcome (molecule lab verify).

A host expected ``registered`` must end with the agent installed, registered to the
lab tenant and its service running under a gMSA. A host expected ``healthy`` (Connect
Sync) must have a report without blockers. A host expected ``failed`` must not be
registered, and its reports (``<lab>/reports/<host>/``) must name one of the expected
root-cause ids as a root cause or blocker finding. No lab secret may appear in a state or report file.
Exit status 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from build_lab import lab_secrets  # noqa: E402


def report_ids(report_dir):
    """Ids a host's reports blame: every root cause and every blocker finding."""
    found = set()
    for root, _dirs, files in os.walk(report_dir):
        for name in files:
            if name != "report.json":
                continue
            with open(os.path.join(root, name)) as f:
                try:
                    report = json.load(f)
                except ValueError:
                    continue
            found.update(c["id"] for c in report.get("root_causes", []))
            found.update(c["id"] for c in report.get("findings", []) if c.get("severity") == "blocker")
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
    bad = checked = 0
    print("%-4s %-32s %-22s %s" % ("", "host", "playbook", "outcome"))
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
            got = "installed+registered" if ok else "NOT registered (report ids: %s)" % (", ".join(sorted(ids)) or "none")
        elif exp["outcome"] == "healthy":
            has_report = os.path.exists(os.path.join(args.lab_dir, "reports", host, "report.json"))
            ok = has_report and not ids
            got = "healthy (report without blockers)" if ok else "NOT healthy (report %s, ids: %s)" % (
                "written" if has_report else "missing", ", ".join(sorted(ids)) or "none")
        else:
            wanted = set(exp["root_causes"])
            hit = wanted & ids
            ok = bool(hit) and not (exp["playbook"] == "install_agent" and registered(state))
            got = "failed with %s" % ", ".join(sorted(hit)) if ok else "expected one of %s, report ids: %s" % (
                sorted(wanted), ", ".join(sorted(ids)) or "none")
        bad += not ok
        print("%-4s %-32s %-22s %s" % ("OK" if ok else "FAIL", host, exp["playbook"], got))
        checked += 1
    secrets = list(lab_secrets().values())
    scanned = leaks = 0
    for root in (os.path.join(args.lab_dir, "state"), os.path.join(args.lab_dir, "reports")):
        for d, _dirs, files in os.walk(root):
            for fn in files:
                scanned += 1
                with open(os.path.join(d, fn), "rb") as f:
                    data = f.read()
                for s in secrets:
                    if s.encode() in data:
                        leaks += 1
                        print("LEAK %s in %s" % (s[:4] + "...", os.path.join(d, fn)))
    print("secret scan: %d files scanned (states incl. recorded command lines, reports), %d leaks" % (scanned, leaks))
    print("%d of %d host(s) as expected" % (checked - bad, checked))
    return 1 if bad or leaks else 0


if __name__ == "__main__":
    sys.exit(main())

"""Check every lab host against its scenario's expected outcome (molecule lab verify).

The hosts' states are their WinSim descriptions after the run (``<lab>/state/hosts``, changed by
the real modules through WinSim and by the stand-ins), their expectations ``<lab>/hosts.json``.
A host expected ``registered`` must end with the agent's service present and running under a
gMSA, the agent's TenantID the lab tenant's and its AD domain registered with the agent. A host expected ``healthy`` (Connect
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


def report_ids(report_dir, every_finding=False):
    """Ids a host's reports blame: every root cause and every blocker finding (or every finding)."""
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
            found.update(c["id"] for c in report.get("findings", []) if every_finding or c.get("severity") == "blocker")
    return found


AGENT_SERVICE = "AADConnectProvisioningAgent"
AGENT_KEY = "HKLM:\\SOFTWARE\\Microsoft\\Azure AD Connect Agents\\Azure AD Connect Provisioning Agent"


def registered(state):
    """What the description shows of an installed, registered agent (Agent.ps1, Services.ps1)."""
    svc = next((s for s in state.get("services") or [] if s.get("Name") == AGENT_SERVICE), {})
    agent_key = next((v for k, v in (state.get("registry") or {}).items() if k.lower() == AGENT_KEY.lower()), None) or {}
    cloud = state.get("cloud_sync") or {}
    tenant = (cloud.get("tenant") or {}).get("id")
    return bool(svc.get("Status") == "Running" and str(svc.get("StartName", "")).endswith("$")
                and tenant and agent_key.get("TenantID") == tenant and cloud.get("registered_domains"))


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--lab-dir", default=os.path.join(os.path.dirname(__file__), "..", "..", ".cache", "lab"))
    args = p.parse_args(argv)
    with open(os.path.join(args.lab_dir, "hosts.json")) as f:
        manifest = json.load(f)
    bad = checked = 0
    print("%-4s %-32s %-22s %s" % ("", "host", "playbook", "outcome"))
    for host, entry in sorted(manifest.items()):
        with open(os.path.join(args.lab_dir, "state", "hosts", host + ".json"), encoding="utf-8-sig") as f:
            state = json.load(f)
        exp = entry["expect"]
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
        elif exp["outcome"] == "inconclusive":
            # a read that failed must end as its *_unreadable finding, never as healthy or absent
            found = report_ids(os.path.join(args.lab_dir, "reports", host), every_finding=True)
            missing = set(exp["unknowns"]) - found
            ok = not missing and not registered(state)
            got = "inconclusive: %s" % ", ".join(sorted(exp["unknowns"])) if ok else "expected %s, report ids: %s%s" % (
                sorted(exp["unknowns"]), ", ".join(sorted(found)) or "none", " (registered)" if registered(state) else "")
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
    print("secret scan: %d files scanned (host and domain descriptions, reports), %d leaks" % (scanned, leaks))
    print("%d of %d host(s) as expected" % (checked - bad, checked))
    return 1 if bad or leaks else 0


if __name__ == "__main__":
    sys.exit(main())

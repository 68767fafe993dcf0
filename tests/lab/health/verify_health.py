"""Verify the health lab after the molecule converge (one health run, read-only).

1. every host reports exactly the ids of its scenario (``expect.ids``); the healthy host reports nothing;
   ``health_summary.json`` has one line per host with the matching status;
2. a second run in check mode changes no host state, and the SCM events already reported are not new any more;
3. with ``entra_sync_health_fail_on_blocker=true`` exactly the hosts with a blocker fail (warnings do not);
4. ``entra_sync_health_repair=true`` leaves ``expect.after_repair`` and never re-grants a right a GPO defines;
5. a second repair run changes nothing on any host.
Runs 2-5 go over the hosts that show what each checks (a module run costs seconds of CPU: the whole
lab five times over would take most of CI's budget): events, a blocker, a warning, a healthy host;
and for the repairs every host with something to repair or a right a GPO defines.
Exit status 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
EVENTS_ID = "agent_service_control_events"


def states(lab):
    """host -> (digest, WinSim description) of every host the health playbook runs on."""
    out = {}
    with open(os.path.join(lab, "hosts.json")) as f:
        hosts = [h for h, entry in json.load(f).items() if entry["expect"].get("outcome") == "health"]
    for host in sorted(hosts):
        with open(os.path.join(lab, "state", "hosts", host + ".json"), "rb") as f:
            data = f.read()
        out[host] = (hashlib.sha256(data).hexdigest(), json.loads(data.decode("utf-8-sig")))
    return out


def expectations(lab):
    with open(os.path.join(lab, "hosts.json")) as f:
        return {h: entry["expect"] for h, entry in json.load(f).items() if entry["expect"].get("outcome") == "health"}


def gpo_defines(state, right):
    """Whether a GPO (RSoP, precedence 1, not the local policy) defines the right on this host."""
    return any(s.get("UserRight") == right and s.get("precedence") == 1 and s.get("GPOID") != "LocalGPO"
               for s in (state.get("cim") or {}).get("root\\rsop\\computer:RSOP_UserPrivilegeRight") or [])


def reported(lab, host):
    path = os.path.join(lab, "reports", host, "report.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        report = json.load(f)
    return sorted(f["id"] for f in report["findings"])


def playbook(lab, *extra):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(lab, "collections"), ENTRA_HEALTH_LAB_DIR=lab,
               ENTRA_LAB_REPORT_DIR=os.path.join(lab, "reports"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    env.pop("ANSIBLE_CALLBACKS_ENABLED", None)
    extra = list(extra)
    if "--limit" in extra:
        # the playbook's first play (no host matched: fail) runs on localhost
        extra[extra.index("--limit") + 1] += ",localhost"
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i",
           os.path.join(HERE, "inventory.yml"), os.path.join(REPO, "playbooks", "health.yml")] + extra
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, check=False)
    recap = {}
    for m in re.finditer(r"^(\S+)\s*: ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", proc.stdout, re.M):
        recap[m.group(1)] = {"changed": int(m.group(2)), "unreachable": int(m.group(3)), "failed": int(m.group(4))}
    return proc.returncode, recap, proc.stdout + proc.stderr


class Checker:
    def __init__(self):
        self.bad = 0
        self.checked = 0

    def check(self, ok, label, got):
        self.checked += 1
        self.bad += not ok
        print("%-4s %-34s %s" % ("OK" if ok else "FAIL", label, got))


# The hosts each later run needs (see the docstring); the first run covers every host.
CHECK_MODE_HOSTS = ("health_ok", "health_right_removed_by_gpo", "health_service_stopped")
EXIT_STATUS_HOSTS = ("health_ok", "health_right_at_risk_from_gpo", "health_service_stopped",
                     "health_version_below_minimum")


def repair_hosts(expect, first):
    """Hosts a repair may change (after_repair differs) or must leave alone (a GPO defines the right)."""
    return tuple(sorted(h for h, exp in expect.items()
                        if exp["after_repair"] != exp["ids"] or gpo_defines(first[h][1], "SeServiceLogonRight")))


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--lab-dir", default=os.path.join(REPO, ".cache", "health-lab"))
    lab = os.path.abspath(p.parse_args(argv).lab_dir)
    c = Checker()
    first = states(lab)
    expect = expectations(lab)
    with open(os.path.join(lab, "reports", "health_summary.json")) as f:
        summary = json.load(f)

    print("== 1. first run: ids per host")
    for host, exp in expect.items():
        got = reported(lab, host)
        c.check(got == exp["ids"], host, "ids %s (expected %s)" % (got, exp["ids"]))
        line = summary.get(host) or {}
        ids = sorted(line.get("blockers", []) + line.get("warnings", []))
        c.check(ids == exp["ids"] and line.get("status") in ("healthy", "warning", "blocker")
                and (line["status"] == "healthy") == (not exp["ids"]), host + " summary", line.get("status"))

    print("== 2. check-mode rerun: read-only, events reported once")
    rc, recap, out = playbook(lab, "--check", "--limit", ",".join(CHECK_MODE_HOSTS))
    c.check(rc == 0, "check-mode run", "rc %d" % rc if rc == 0 else out[-2000:])
    after = states(lab)
    for host, exp in ((h, expect[h]) for h in CHECK_MODE_HOSTS):
        c.check(after[host][0] == first[host][0], host + " state", "unchanged" if after[host][0] == first[host][0]
                else "CHANGED in check mode")
        want = [i for i in exp["ids"] if i != EVENTS_ID]
        got = reported(lab, host)
        c.check(got == want, host + " rerun", "ids %s (expected %s)" % (got, want))

    print("== 3. exit status: only blockers fail")
    rc, recap, out = playbook(lab, "-e", "entra_sync_health_fail_on_blocker=true", "--limit", ",".join(EXIT_STATUS_HOSTS))
    with open(os.path.join(lab, "reports", "health_summary.json")) as f:
        summary = json.load(f)
    blocked = sorted(h for h, line in summary.items() if line["status"] == "blocker" and h in EXIT_STATUS_HOSTS)
    failed = sorted(h for h, r in recap.items() if r["failed"])
    c.check(rc == 2 and failed == blocked and "health_ok" not in failed, "failed hosts",
            "rc %d, failed %s (blockers %s)" % (rc, failed, blocked))

    print("== 4. repair: safe local fixes only")
    before = states(lab)
    repairable = repair_hosts(expect, before)
    rc, recap, out = playbook(lab, "-e", "entra_sync_health_repair=true", "--limit", ",".join(repairable))
    c.check(rc == 0, "repair run", "rc %d" % rc if rc == 0 else out[-2000:])
    repaired = states(lab)
    for host, exp in ((h, expect[h]) for h in repairable):
        got = reported(lab, host)
        c.check(got == exp["after_repair"], host + " repaired", "ids %s (expected %s)" % (got, exp["after_repair"]))
        if gpo_defines(before[host][1], "SeServiceLogonRight"):
            # the repair must not even try: a grant would only last until the next refresh
            was, now = (s[host][1].get("rights", {}).get("SeServiceLogonRight") for s in (before, repaired))
            unchanged = was == now and before[host][1]["cim"] == repaired[host][1]["cim"]
            c.check(unchanged, host + " GPO untouched", "no local grant, RSoP unchanged" if unchanged
                    else "holders %s -> %s" % (was, now))

    print("== 5. repair again: nothing left to change")
    rc, recap, out = playbook(lab, "-e", "entra_sync_health_repair=true", "--limit", ",".join(repairable))
    again = states(lab)
    changed = sorted(h for h in repairable if again[h][0] != repaired[h][0])
    c.check(rc == 0 and not changed, "second repair", "rc %d, hosts changed: %s" % (rc, changed or "none"))

    print("%d of %d checks as expected" % (c.checked - c.bad, c.checked))
    return 1 if c.bad else 0


if __name__ == "__main__":
    sys.exit(main())

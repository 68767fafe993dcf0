from __future__ import annotations

DOCUMENTATION = RETURN = None  # replaced by tests/lab/build_lab.py with the real module's docs

from ansible_collections.entra_lab.sim.plugins.module_utils.lab_host import resolve_sid, run_standin


def behave(module, host):
    p = module.params
    right = host.state["rights"].setdefault(p["name"], {
        "name": p["name"], "display_name": p["name"], "holders": [],
        "gpo": {"defined": False, "name": None, "id": None, "precedence": None, "account_list": []}})
    current = {h["sid"]: h for h in right["holders"]}
    # Accounts this host knows (service accounts, current holders): a SID resolves to its name,
    # a name to its SID, as LookupAccountSid/LookupAccountName would on the real host.
    known = {}
    for svc in host.state.get("service_accounts", {}).values():
        acct = svc.get("account") or {}
        if acct.get("sid") and acct.get("name"):
            known[acct["sid"].upper()] = acct["name"]
    for r in host.state["rights"].values():
        for h in r.get("holders", []):
            known.setdefault(h["sid"].upper(), h["name"])
    by_name = {n.lower(): s for s, n in known.items()}
    wanted = {}
    for user in p["users"] or []:
        if user.lower() in by_name:
            sid, name = by_name[user.lower()], user
        else:
            sid, name = resolve_sid(user)
            name = known.get(sid, name)
        wanted[sid] = {"sid": sid, "name": name}
    before = sorted(h["name"] for h in current.values())
    if p["action"] == "add":
        added = [wanted[s]["name"] for s in wanted if s not in current]
        removed = []
        new = dict(current, **wanted)
    elif p["action"] == "remove":
        added = []
        removed = [current[s]["name"] for s in wanted if s in current]
        new = {s: h for s, h in current.items() if s not in wanted}
    else:
        added = [wanted[s]["name"] for s in wanted if s not in current]
        removed = [current[s]["name"] for s in current if s not in wanted]
        new = wanted
    right["holders"] = list(new.values())
    changed = bool(added or removed)
    if changed:
        host.record("secedit", "LsaAddAccountRights/LsaRemoveAccountRights %s add=%s remove=%s"
                    % (p["name"], added, removed))
    return changed, {"added": added, "removed": removed,
                     "diff": {"before": {p["name"]: before},
                              "after": {p["name"]: sorted(h["name"] for h in new.values())}}}


if __name__ == "__main__":
    run_standin(DOCUMENTATION, RETURN, behave)

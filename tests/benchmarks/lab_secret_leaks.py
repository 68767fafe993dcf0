#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark (printed, not a timed test): secret leaks over every playbook at -v and -vvvv.

The secrets are derived from the specs, not listed by hand: every role variable
(``roles/*/meta/argument_specs.yml``) and every module option (the modules'
DOCUMENTATION) that is ``no_log`` or named like a secret, nested ones included
(``entra_sync_domains[].password``). Each role variable gets its own random
value with special characters, passed with ``-e @file`` as a user or AWX would;
the lab tenant accepts the scan's tenant password, except on one host, where
registration fails on it (a failure path with the secret in play). Every
module secret option must be fed by a scanned role variable in some role task,
or the scan says which one is not covered.

Each playbook runs at ``-v`` and at ``-vvvv`` with ``ANSIBLE_LOG_PATH`` set; the lab
itself has failing hosts (KDS, MFA, 1603, ...), so rescue and diagnosis run too.
Each value is looked for raw, JSON-escaped, as a Python repr, base64, URL-encoded,
HTML-escaped and PowerShell-quoted, in:

* the output (stdout and stderr) and the ``ANSIBLE_LOG_PATH`` file of every run, each
  hit named with the task it was printed under;
* every report file under the lab's ``reports/``;
* every lab host and domain description (WinSim's, after the runs: files, registry, Burn logs included).

Prints the secrets derived, places scanned and every leak; exits 1 on any leak.
Leaks already known (``KNOWN_LEAKS``) are marked as such but still fail the scan;
a known leak that is no longer seen is reported, so that its entry is deleted.

    .venv/bin/python tests/benchmarks/lab_secret_leaks.py [--lab-dir .cache/lab-leaks] [--quick]
"""

from __future__ import annotations

import argparse
import base64
import glob
import html
import json
import os
import re
import secrets as random_source
import sys
import urllib.parse

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from lab_common import REPO, build, playbook  # noqa: E402  pylint: disable=wrong-import-position

SECRET_NAME = re.compile(r"(password|passwd|secret|token|credential|_pass$|^pass$)", re.I)
# Characters that quoting, escaping and encoding treat differently; no '{' (Jinja would template it).
SPECIAL = "'\"\\$%&<>;| é+/=#!`"

RUNS = [
    ("install_agent.yml --check", "playbooks/install_agent.yml", ["--check"]),
    ("install_agent.yml", "playbooks/install_agent.yml", []),
    ("install_agent.yml (rerun)", "playbooks/install_agent.yml", []),
    ("connect_sync_services.yml", "playbooks/connect_sync_services.yml", []),
    ("preflight.yml", "playbooks/preflight.yml", []),
    ("health.yml", "playbooks/health.yml", []),
    ("health.yml (repair)", "playbooks/health.yml", ["-e", "entra_sync_health_repair=true"]),
    ("diagnose.yml (hosts)", "playbooks/diagnose.yml", ["-e", "entra_sync_target_group=entra_sync_agents",
                                                        "-e", "report_dir={lab}/reports/diagnose"]),
    ("uninstall_agent.yml", "playbooks/uninstall_agent.yml", ["-e", "entra_sync_target=installed_registered"]),
]
VERBOSITIES = ("-v", "-vvvv")

# (secret, task printed under) -> why it is known. Remove an entry once its fix is merged;
# the scan says when an entry is no longer seen.
KNOWN_LEAKS: dict = {}


# ------------------------------------------------------------------ secrets from the specs
def secret_options(options, prefix=""):
    """(path, spec) of every option, suboptions included, that is no_log or named like a secret."""
    for name, spec in sorted((options or {}).items()):
        spec = spec or {}
        path = prefix + name
        if spec.get("no_log") or (SECRET_NAME.search(name) and spec.get("type", "str") not in ("bool", "int")):
            yield path, spec
        sub = spec.get("options") or spec.get("suboptions")
        if sub:
            yield from secret_options(sub, path + ("[]." if spec.get("type") == "list" else "."))


def role_secrets(repo=REPO):
    """{variable path: [role, ...]} over every role's argument specs."""
    found = {}
    for spec_file in sorted(glob.glob(os.path.join(repo, "roles", "*", "meta", "argument_specs.yml"))):
        role = spec_file.split(os.sep)[-3]
        with open(spec_file, encoding="utf-8") as f:
            specs = yaml.safe_load(f)["argument_specs"]
        for entry in specs.values():
            for path, dummy in secret_options(entry.get("options")):
                found.setdefault(path, []).append(role)
    return found


def module_secrets(repo=REPO):
    """{module: [option path, ...]} from the DOCUMENTATION of every module."""
    found = {}
    for doc_file in sorted(glob.glob(os.path.join(repo, "plugins", "modules", "*.py"))):
        with open(doc_file, encoding="utf-8") as f:
            text = f.read()
        m = re.search(r"DOCUMENTATION\s*=\s*r?'''(.*?)'''", text, re.S)
        if not m:
            continue
        doc = yaml.safe_load(m.group(1)) or {}
        paths = [p for p, dummy in secret_options(doc.get("options"))]
        if paths:
            found[doc.get("module") or os.path.basename(doc_file)[:-3]] = paths
    return found


def module_option_coverage(mod_secrets, role_vars, repo=REPO):
    """(uncovered, unset): module secret options a role task sets from no scanned role
    variable, and those no role task sets at all (no value, nothing to leak)."""
    tasks = ""
    for path in glob.glob(os.path.join(repo, "roles", "*", "tasks", "*.yml")):
        with open(path, encoding="utf-8") as f:
            tasks += f.read() + "\n"
    top = set(p.split("[]")[0].split(".")[0] for p in role_vars)
    uncovered, unset = [], []
    for module, paths in sorted(mod_secrets.items()):
        for path in paths:
            option = path.split("[]")[0].split(".")[0]
            lines = [ln for ln in tasks.splitlines() if re.match(r"\s*%s:\s" % re.escape(option), ln)]
            if not lines:
                unset.append("%s.%s" % (module, path))
            elif "[]" in path:
                if not any(p.endswith("[]." + path.split("[].")[-1]) for p in role_vars):
                    uncovered.append("%s.%s" % (module, path))
            elif not any(v in ln for ln in lines for v in top):
                uncovered.append("%s.%s" % (module, path))
    return uncovered, unset


def scan_values(role_vars, seed=None):
    """A distinct random value, with special characters, per secret variable path."""
    rng = random_source.SystemRandom() if seed is None else __import__("random").Random(seed)
    values = {}
    for i, path in enumerate(sorted(role_vars)):
        token = "".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for dummy in range(10))
        values[path] = "Sc%d-%s-%s" % (i, token, SPECIAL)
    return values


def extra_vars(values, domain="contoso.com"):
    """The -e @file content: top-level variables directly, list element secrets in one element."""
    out = {}
    for path, value in values.items():
        if "[]." in path:
            top, leaf = path.split("[].", 1)
            elem = out.setdefault(top, [{"name": domain}])[0]
            elem[leaf] = value
        elif "." in path:
            top, leaf = path.split(".", 1)
            out.setdefault(top, {})[leaf] = value
        else:
            out[path] = value
    return out


def forms(value):
    """Every form a value may take in output, logs and files: {form name: text}."""
    raw = value.encode("utf-8")
    found = {
        "raw": value,
        "json": json.dumps(value)[1:-1],
        "json-ascii": json.dumps(value, ensure_ascii=True)[1:-1],
        "json-unicode": json.dumps(value, ensure_ascii=False)[1:-1],
        "repr": repr(value)[1:-1],
        "base64": base64.b64encode(raw).decode(),
        "base64-utf16": base64.b64encode(value.encode("utf-16-le")).decode(),
        "url": urllib.parse.quote(value, safe=""),
        "url-plus": urllib.parse.quote_plus(value),
        "html": html.escape(value),
        "powershell": value.replace("'", "''"),
    }
    unique = {}
    for name, text in found.items():
        if text not in unique.values():
            unique[name] = text
    return unique


def find_leaks(values, text):
    """[(secret path, form, position)] of every occurrence of every form of every value."""
    hits = []
    for path, value in values.items():
        for form, needle in forms(value).items():
            start = text.find(needle)
            while start >= 0:
                hits.append((path, form, start))
                start = text.find(needle, start + 1)
    return hits


# At a line start in the output; after "INFO| " in ANSIBLE_LOG_PATH.
_TASK = re.compile(r"^(?:.*?\| )?TASK \[(?:hybrid_identity\.entra_sync\.)?(.*?)\] \*", re.M)


def task_at(text, pos):
    """The task (role-relative) a position of ansible-playbook output or ANSIBLE_LOG_PATH was printed under."""
    name = None
    for m in _TASK.finditer(text, 0, pos):
        name = m.group(1)
    return name


def output_leaks(values, text, where):
    """{(secret, task, form, where): count} for a run's output or log."""
    out = {}
    for path, form, pos in find_leaks(values, text):
        key = (path, task_at(text, pos), form, where)
        out[key] = out.get(key, 0) + 1
    return out


def merge(leaks, more):
    for key, count in more.items():
        leaks[key] = leaks.get(key, 0) + count


def is_known(secret, task):
    return KNOWN_LEAKS.get((secret, task))


# ------------------------------------------------------------------ the run
def file_leaks(values, root, kind, places):
    leaks = {}
    for d, dummy, files in os.walk(root):
        for fn in files:
            full = os.path.join(d, fn)
            with open(full, encoding="utf-8", errors="replace") as f:
                text = f.read()
            places[kind] = places.get(kind, 0) + 1
            for path, form, dummy_pos in find_leaks(values, text):
                key = (path, None, form, full)
                leaks[key] = leaks.get(key, 0) + 1
    return leaks


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--lab-dir", default=os.path.join(REPO, ".cache", "lab-leaks"))
    p.add_argument("--quick", action="store_true", help="install_agent.yml only, at -vvvv")
    args = p.parse_args(argv)
    lab = os.path.abspath(args.lab_dir)

    role_vars = role_secrets()
    mod_vars = module_secrets()
    values = scan_values(role_vars)
    print("secret role variables (from roles/*/meta/argument_specs.yml):")
    for path, roles in sorted(role_vars.items()):
        print("  %-40s %s" % (path, ", ".join(roles)))
    print("secret module options (from the module docs): %s" % "; ".join(
        "%s: %s" % (m, ", ".join(o)) for m, o in sorted(mod_vars.items())))
    uncovered, unset = module_option_coverage(mod_vars, role_vars)
    print("module secret options set by no role task (nothing to leak): %s" % (", ".join(unset) or "none"))
    print("module secret options a role sets from no scanned variable: %s" % (", ".join(uncovered) or "none"))

    places = {}
    leaks = {}
    runs = RUNS[1:2] if args.quick else RUNS
    # A fresh lab per verbosity, so that each one sees the first install and its failures.
    for verbosity in (VERBOSITIES[-1:] if args.quick else VERBOSITIES):
        build(lab)
        vars_file = os.path.join(lab, "scan_secrets.json")
        with open(vars_file, "w", encoding="utf-8") as f:
            json.dump(extra_vars(values), f)
        logs = os.path.join(lab, "logs")
        os.makedirs(logs, exist_ok=True)
        for label, path, extra in runs:
            log = os.path.join(logs, "%s %s.log" % (re.sub(r"\W+", "_", label), verbosity))
            rc, out, secs = playbook(lab, path, args=[verbosity, "-e", "@" + vars_file,
                                                      *[a.format(lab=lab) for a in extra]],
                                     env={"ANSIBLE_LOG_PATH": log})
            places["output"] = places.get("output", 0) + 1
            print("%-28s %-5s rc=%d %6.1f s %9d bytes of output" % (label, verbosity, rc, secs, len(out)))
            merge(leaks, output_leaks(values, out, "output of %s %s" % (label, verbosity)))
            if os.path.exists(log):
                places["ANSIBLE_LOG_PATH"] = places.get("ANSIBLE_LOG_PATH", 0) + 1
                with open(log, encoding="utf-8", errors="replace") as f:
                    merge(leaks, output_leaks(values, f.read(), "ANSIBLE_LOG_PATH of %s %s" % (label, verbosity)))
        merge(leaks, file_leaks(values, os.path.join(lab, "reports"), "report file", places))
        merge(leaks, file_leaks(values, os.path.join(lab, "state"), "state file", places))

    print("\nplaces scanned: %d (%s)" % (sum(places.values()), ", ".join("%s: %d" % kv for kv in places.items())))
    seen_known = set()
    for (secret, task, form, where), count in sorted(leaks.items(), key=lambda kv: [str(x) for x in kv[0]]):
        known = is_known(secret, task)
        if known:
            seen_known.add((secret, task))
        print("LEAK%s %s (%s) x%d in %s%s" % (" (known)" if known else "", secret, form, count, where,
                                              ", task [%s]" % task if task else ""))
    for key, why in KNOWN_LEAKS.items():
        if key in seen_known:
            print("known leak still present: %s in task [%s]: %s" % (key[0], key[1], why))
        else:
            print("known leak NO LONGER SEEN: %s in task [%s]; delete its KNOWN_LEAKS entry" % key)
    total = sum(leaks.values())
    new = sum(c for k, c in leaks.items() if not is_known(k[0], k[1]))
    print("leaks found: %d (%d known, %d new; goal 0); uncovered module secret options: %d"
          % (total, total - new, new, len(uncovered)))
    return 1 if total or uncovered else 0


if __name__ == "__main__":
    sys.exit(main())

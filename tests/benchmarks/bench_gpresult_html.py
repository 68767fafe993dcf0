#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, hybrid_identity maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark (printed, not a timed test): hostile gpresult HTML of 1 MB read in linear time.

gpresult HTML was parsed with a backtracking regex; many unclosed ``<tr>``/``<td>``
took 38 s on 80 KB (issue 13, item 5). Each shape below is written as a 1 MB
``gpresult.html`` and diagnosed; the real row planted at its end must still be
found, and each file must take under ``--limit`` seconds (default 5). For scale,
the old regex is timed on the shape it choked on at 10, 20 and 40 KB.

    .venv/bin/python tests/benchmarks/bench_gpresult_html.py [--size-mb 1] [--limit 5]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, ".venv", "collections"))
from ansible_collections.hybrid_identity.entra_sync.plugins.plugin_utils import _diagnosis  # noqa: E402

HEAD = '<html><head><title>Group Policy Results</title></head><body><div>User Rights Assignment</div><table>'
TAIL = ('<tr><td>Log on as a service</td><td>BUILTIN\\Administrators</td><td>Tier0 Server Hardening</td></tr>'
        '</table></body></html>')
# shape: (repeated unit, whether the planted row stays visible: after an unclosed
# comment or attribute value a browser shows nothing more either)
SHAPES = {
    "unclosed <tr><td>": ("<tr><td>x", True),
    "unclosed <td> only": ("<td>Log on as a service", True),
    "one row, unclosed <td>": ("<td>x", True),
    "'<tr' without '>'": ("<tr ", True),
    "deep nesting": ("<table><tr><td><div>", True),
    "entities": ("&amp;&#36;&#x41;&bogus;", True),
    "unclosed comments": ("<!-- ", False),
    "unclosed attributes": ('<td class="', False),
}


def hostile(unit, size):
    return HEAD + unit * ((size - len(HEAD) - len(TAIL)) // len(unit)) + TAIL


def old_regex_rows(text):
    """The parser before the fix, kept only to show its growth."""
    out = []
    for row in re.findall(r'<tr[^>]*>(.*?)</tr>', text, re.I | re.S):
        out.append(re.findall(r'<td[^>]*>(.*?)</td>', row, re.I | re.S))
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--size-mb", type=float, default=1.0)
    p.add_argument("--limit", type=float, default=5.0)
    args = p.parse_args(argv)
    size = int(args.size_mb * 1024 * 1024)
    slow = missed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, (unit, visible) in SHAPES.items():
            path = os.path.join(tmp, "gpresult.html")
            with open(path, "w", encoding="utf-8") as f:
                f.write(hostile(unit, size))
            start = time.monotonic()
            res = _diagnosis.diagnose([path])
            secs = time.monotonic() - start
            rec = res["inputs"][0]
            found = any(c["id"] == "service_logon_right_removed_by_gpo" for c in res["root_causes"])
            slow += secs > args.limit
            missed += found != visible
            print("%-22s %8d bytes %6.2f s  kind=%s status=%s planted row found: %s%s" % (
                name, os.path.getsize(path), secs, rec["kind"], rec["status"], "yes" if found else "no",
                "" if found == visible else " (WRONG)"))
    for kb in (10, 20, 40):
        # one closed row of cells never closed: each '<td' searched to the end for '</td>'
        text = HEAD + "<tr>" + "<td>x" * (kb * 1024 // 5) + "</tr></table></body></html>"
        start = time.monotonic()
        old_regex_rows(text)
        print("old regex parser, one row of unclosed <td> at %d KB: %.2f s" % (kb, time.monotonic() - start))
    print("over %.0f s: %d; planted row missed: %d (goal 0 and 0)" % (args.limit, slow, missed))
    return 1 if slow or missed else 0


if __name__ == "__main__":
    sys.exit(main())

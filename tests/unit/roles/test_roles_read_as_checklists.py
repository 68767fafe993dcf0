"""Roles judge nothing in Jinja: every set_fact and vars value is a literal or one short lookup.

Judgement lives in the actions (plugins/plugin_utils); a role gathers, calls an action, applies the
plan it returns and fails with the message it returns. A value that branches (if, for), builds data
(combine, list concatenation) or is long is judgement in disguise, and this test names it.
"""

from __future__ import annotations

import pathlib
import re
from collections.abc import Iterator

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "guards" / "roles"
MAX_EXPRESSION = 100
ONE_EXPRESSION = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\{\{|\}\}).)*)\}\}\s*$", re.S)
JUDGEMENT = re.compile(r"\bif\b|\bfor\b|\bcombine\b|\+\s*\[|\]\s*\+|\{%")
SET_FACT = ("set_fact", "ansible.builtin.set_fact")
# Values that cannot be simple until another plugin changes, each with the reason. Keep it short.
WAITING: set = set()


def why_not_simple(value: object) -> str | None:
    """None when ``value`` is a literal or one short lookup; otherwise what is wrong with it."""
    if isinstance(value, dict):
        return next((why for why in map(why_not_simple, value.values()) if why), None)
    if isinstance(value, list):
        return next((why for why in map(why_not_simple, value) if why), None)
    if not isinstance(value, str) or ("{{" not in value and "{%" not in value):
        return None
    match = ONE_EXPRESSION.match(value)
    if not match:
        return "more than one expression"
    expression = " ".join(match.group("expr").split())
    if JUDGEMENT.search(expression):
        return "judges (if/for/combine/list building): %s" % expression[:80]
    if len(expression) > MAX_EXPRESSION:
        return "longer than %d characters: %s..." % (MAX_EXPRESSION, expression[:80])
    return None


def tasks_of(items: list | None) -> Iterator[dict]:
    for task in items or []:
        if isinstance(task, dict):
            yield task
            for key in ("block", "rescue", "always"):
                yield from tasks_of(task.get(key))


def offences(role_dir: pathlib.Path) -> list[str]:
    """'<file>: <task>: <variable>: <why>' for every value that is not simple."""
    found = []
    for path in sorted((role_dir / "tasks").glob("*.yml")):
        for task in tasks_of(yaml.safe_load(path.read_text())):
            values = dict(task.get("vars") or {})
            for key in SET_FACT:
                if isinstance(task.get(key), dict):
                    values.update(task[key])
            for name, value in values.items():
                why = why_not_simple(value)
                if why and (role_dir.name, path.name, task.get("name"), name) not in WAITING:
                    found.append("%s: %s: %s: %s" % (path.name, task.get("name"), name, why))
    role_vars = role_dir / "vars" / "main.yml"
    if role_vars.exists():
        for name, value in (yaml.safe_load(role_vars.read_text()) or {}).items():
            why = why_not_simple(value)
            if why:
                found.append("vars/main.yml: %s: %s" % (name, why))
    return found


ROLES = sorted(p for p in (REPO / "roles").iterdir() if (p / "tasks").is_dir())


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_role_sets_no_fact_that_judges(role):
    assert offences(role) == []


def test_a_role_that_reads_as_a_checklist_passes():
    assert offences(FIXTURES / "checklist") == []


def test_a_role_that_judges_in_jinja_is_named():
    found = offences(FIXTURES / "judging")
    assert [line.split(": ")[2] for line in found] == ["__cleared", "__facts", "__msg"], found


@pytest.mark.parametrize("value, simple", [
    ("{{ entra_sync_preflight.message }}", True),
    ("plain text", True),
    (3, True),
    ("{{ a if b else c }}", False),
    ("{{ a }} and {{ b }}", False),
    ("{{ " + "x." * 60 + "y }}", False),
])
def test_what_counts_as_a_simple_value(value, simple):
    assert (why_not_simple(value) is None) is simple

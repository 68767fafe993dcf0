"""Every module of an action group takes the options the group exists for.

A ``module_defaults`` group default is passed to every member, so a member without the option fails
with "Unsupported parameters". Each group below names the options it is for.
"""

from __future__ import annotations

import pathlib

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[3]
GROUP_OPTIONS = {"domain": {"domain_server", "domain_username", "domain_password"}}


def _documentation(path: pathlib.Path, name: str = "DOCUMENTATION") -> dict:
    namespace: dict = {}
    exec(compile(path.read_text().split("EXAMPLES =")[0], str(path), "exec"), namespace)   # the doc strings only
    found = namespace.get(name) or namespace["ModuleDocFragment"].__dict__[name]
    return yaml.safe_load(found)


def module_options(name: str) -> set[str]:
    """The options a module documents, its own and those of this collection's doc fragments."""
    documentation = _documentation(REPO / "plugins" / "modules" / (name + ".py"))
    options = set(documentation.get("options") or {})
    prefix = "hybrid_identity.entra_sync."
    for fragment in documentation.get("extends_documentation_fragment") or []:
        if fragment.startswith(prefix):
            fragment_file = REPO / "plugins" / "doc_fragments" / (fragment[len(prefix):] + ".py")
            options |= set(_documentation(fragment_file).get("options") or {})
    return options


def groups_lacking_options(runtime: dict) -> list[str]:
    problems = []
    for group, members in (runtime.get("action_groups") or {}).items():
        wanted = GROUP_OPTIONS.get(group)
        if wanted is None:
            problems.append("%s: no shared options named for this group" % group)
            continue
        problems.extend("%s: %s lacks %s" % (group, m, ", ".join(sorted(wanted - module_options(m))))
                        for m in members if wanted - module_options(m))
    return problems


def test_every_group_member_takes_the_group_options():
    assert groups_lacking_options(yaml.safe_load((REPO / "meta" / "runtime.yml").read_text())) == []


@pytest.mark.parametrize("runtime, problem", [
    ({"action_groups": {"domain": ["gmsa_host", "agent_host_info"]}}, "domain: agent_host_info lacks"),
    ({"action_groups": {"agent": ["agent_host_info", "logon_right_info"]}}, "agent: no shared options"),
])
def test_a_group_of_modules_that_share_nothing_is_named(runtime, problem):
    assert any(p.startswith(problem) for p in groups_lacking_options(runtime))

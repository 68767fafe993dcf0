"""Every public role variable is prefixed, declared with a description, defaulted, and secrets are no_log."""

from __future__ import annotations

import pathlib

import pytest
import yaml

ROLES = sorted(pathlib.Path(__file__).resolve().parents[3].joinpath("roles").iterdir())
SECRET_WORDS = ("password", "secret", "token")


def role_variables(role):
    defaults = yaml.safe_load((role / "defaults" / "main.yml").read_text()) or {}
    specs = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    options = {}
    for entry_point in specs.values():
        options.update(entry_point.get("options") or {})
    return defaults, options


@pytest.mark.parametrize("role", ROLES, ids=[role.name for role in ROLES])
def test_variables_are_prefixed_declared_described_and_defaulted(role):
    defaults, options = role_variables(role)
    assert options, f"{role.name} declares no variables"
    assert [name for name in {*defaults, *options} if not name.startswith("entra_sync_")] == []
    assert sorted(set(defaults) - set(options)) == [], "defaulted but not declared in meta/argument_specs.yml"
    assert sorted(name for name in set(options) - set(defaults) if not options[name].get("required")) == [], \
        "declared optional but not defaulted in defaults/main.yml"
    assert [name for name, spec in options.items() if not spec.get("description")] == []


def secret_options(options, prefix=""):
    """Yield (path, spec) of every option, suboptions included, that holds a secret value."""
    for name, spec in options.items():
        if any(word in name for word in SECRET_WORDS) and spec.get("type", "str") != "bool":
            yield prefix + name, spec
        yield from secret_options(spec.get("options") or {}, prefix + name + ".")


@pytest.mark.parametrize("role", ROLES, ids=[role.name for role in ROLES])
def test_secret_variables_are_no_log(role):
    dummy, options = role_variables(role)
    assert [path for path, spec in secret_options(options) if not spec.get("no_log")] == []


def test_the_secret_scan_sees_nested_options():
    options = {"entra_sync_domains": {"type": "list", "options": {"password": {"type": "str"}}},
               "entra_sync_password_writeback": {"type": "bool"}}
    assert [path for path, dummy in secret_options(options)] == ["entra_sync_domains.password"]

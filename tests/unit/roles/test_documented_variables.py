"""Every entra_sync_ variable the README and docs name exists: a role declares it, or a playbook reads it.

A misspelt variable is silently ignored by Ansible (the README once passed entra_sync_tenant_admin_username,
which nothing reads), so the documents are checked against the argument specs.
"""

from __future__ import annotations

import pathlib
import re

import yaml

REPO = pathlib.Path(__file__).resolve().parents[3]
VARIABLE = re.compile(r"\bentra_sync_[a-z0-9_]*[a-z0-9]\b")
# Read by the playbooks themselves (play keywords), not by a role; the survey_ ones are AWX survey answers.
PLAYBOOK_VARIABLES = {"entra_sync_target", "entra_sync_serial"}
PREFIXES_NOT_VARIABLES = ("entra_sync_survey_", "entra_sync_agents", "entra_sync_adsync_servers")
DEPRECATED = {"entra_sync_reboot_timeout", "entra_sync_health_min_version", "entra_sync_adsync_target"}
# Facts and set_stats keys the roles publish (documented as outputs, not inputs).
OUTPUTS = {"entra_sync_preflight", "entra_sync_results", "entra_sync_adsync", "entra_sync_health",
           "entra_sync_diagnosis", "entra_sync_uninstall"}


def declared() -> set[str]:
    names = set()
    for spec in REPO.glob("roles/*/meta/argument_specs.yml"):
        for entry in yaml.safe_load(spec.read_text())["argument_specs"].values():
            names.update(entry.get("options") or {})
    return names


def documents() -> list[pathlib.Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def unknown_variables(text: str, known: set[str]) -> list[str]:
    return sorted({name for name in VARIABLE.findall(text)
                   if name not in known and not name.startswith(PREFIXES_NOT_VARIABLES)})


def awx_setup_variables() -> set[str]:
    """Variables of the AWX configuration as code (extensions/awx), documented in docs/awx.md."""
    return {name for path in (REPO / "extensions" / "awx").rglob("*.yml")
            for name in VARIABLE.findall(path.read_text()) if name.startswith("entra_sync_awx_")}


def known() -> set[str]:
    return declared() | PLAYBOOK_VARIABLES | DEPRECATED | OUTPUTS | awx_setup_variables()


def test_every_variable_the_documents_name_exists():
    assert {doc.name: unknown_variables(doc.read_text(), known()) for doc in documents()} == \
        {doc.name: [] for doc in documents()}


def test_a_misspelt_variable_is_named():
    text = "ansible-playbook ... -e entra_sync_tenant_admin_username=admin@contoso.onmicrosoft.com"
    assert unknown_variables(text, known()) == ["entra_sync_tenant_admin_username"]


def test_the_readme_inventory_has_the_groups_the_playbooks_target():
    readme = (REPO / "README.md").read_text()
    inventory = yaml.safe_load(readme.split("# inventory.yml", 1)[1].split("```", 1)[0])
    groups = set(inventory["all"]["children"])
    targeted = set()
    for playbook in (REPO / "playbooks").glob("*.yml"):
        targeted.update(re.findall(r"hosts: .*default\('(entra_sync_[a-z_]+)'\)", playbook.read_text()))
    assert targeted and targeted <= groups, sorted(targeted - groups)

"""Job templates, surveys and credential types against the roles' argument specs.

A survey question sets either a role variable directly (its type and choices
must fit the role's), or an `entra_sync_survey_*` input that the template's own
extra_vars turn into a role variable (AWX surveys give strings only). Secrets
come from the credential types, never from a survey. The mappings are rendered
with Ansible's templar and the result is validated with Ansible's own
argument-spec validator, as the role does at run time.
"""

from __future__ import annotations

import re

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

from awx_config import AWX, ROOT, load_config, role_spec

# The roles each playbook runs. preflight.yml calls the preflight action directly
# with the prerequisites role's variables.
PLAYBOOK_ROLES = {
    "playbooks/install_agent.yml": ["prerequisites", "provisioning_agent"],
    "playbooks/preflight.yml": ["prerequisites"],
    "playbooks/diagnose.yml": ["diagnose"],
    "playbooks/connect_sync_services.yml": ["connect_sync_services"],
}
SURVEY_TYPES_FOR = {
    "str": {"text", "textarea", "password", "multiplechoice"},
    "path": {"text", "textarea"},
    "int": {"integer"},
    "float": {"float"},
    "list": {"multiselect"},
}
# Secrets the roles can run without (per their argument specs): offered by a credential
# type, attached at launch.
OPTIONAL_SECRETS = {"entra_sync_enterprise_admin_username", "entra_sync_enterprise_admin_password"}
REQUIRED_TEMPLATES = {"install_agent", "preflight", "diagnose", "connect_sync_services"}


def _options(playbook):
    merged = {}
    for role in PLAYBOOK_ROLES[playbook]:
        for name, spec in role_spec(role).items():
            merged.setdefault(name, spec)
    return merged


def _choices(question):
    choices = question.get("choices") or []
    return choices.split("\n") if isinstance(choices, str) else list(choices)


def _mapping_inputs(template):
    """role variable -> survey variables its extra_vars expression reads."""
    survey_vars = {q["variable"] for q in template.get("survey_spec", {}).get("spec", [])}
    found = {}
    for key, value in (template.get("extra_vars") or {}).items():
        if isinstance(value, str) and "{{" in value:
            found[key] = {v for v in survey_vars if re.search(r"\b%s\b" % re.escape(v), value)}
    return found


def _render(template, answers):
    """The extra vars the playbook sees: template extra_vars rendered over the survey answers."""
    variables = dict(answers)
    templar = Templar(loader=DataLoader(), variables=variables)
    rendered = dict(answers)
    for key, value in (template.get("extra_vars") or {}).items():
        rendered[key] = templar.template(trust_as_template(value)) if isinstance(value, str) else value
    return rendered


def _defaults(template):
    return {q["variable"]: q.get("default", "") for q in template["survey_spec"]["spec"]}


def test_the_four_templates_exist_and_run_playbooks_of_this_collection(templates):
    names = {t["playbook"].split("/")[-1].removesuffix(".yml") for t in templates}
    assert REQUIRED_TEMPLATES <= names
    for template in templates:
        assert (ROOT / template["playbook"]).is_file(), template["playbook"]
        assert template["playbook"] in PLAYBOOK_ROLES


def test_every_survey_question_sets_a_role_variable_or_a_mapped_survey_input(templates):
    for template in templates:
        options = _options(template["playbook"])
        mapped_inputs = set().union(*_mapping_inputs(template).values()) if _mapping_inputs(template) else set()
        for question in template["survey_spec"]["spec"]:
            var = question["variable"]
            where = f"{template['name']}: {var}"
            if var.startswith("entra_sync_survey_"):
                assert var in mapped_inputs, f"{where} is asked but no extra_vars mapping reads it"
                assert var not in options, where
                continue
            assert var in options, f"{where} is not a variable of {PLAYBOOK_ROLES[template['playbook']]}"
            spec = options[var]
            assert not spec.get("no_log"), f"{where}: secrets come from a credential, not a survey"
            assert question["type"] in SURVEY_TYPES_FOR[spec.get("type", "str")], where
            if question["type"] in ("multiplechoice", "multiselect") and spec.get("choices"):
                assert set(_choices(question)) <= set(spec["choices"]), where
            if question["type"] == "multiplechoice":
                assert question["default"] in _choices(question), where
            if question["type"] == "integer":
                assert question["min"] <= question["default"] <= question["max"], where


def test_every_template_extra_var_is_a_role_or_playbook_variable(templates):
    for template in templates:
        options = _options(template["playbook"])
        playbook_text = (ROOT / template["playbook"]).read_text()
        for key in template.get("extra_vars") or {}:
            assert key in options or re.search(r"\b%s\b" % key, playbook_text), f"{template['name']}: {key}"


def test_yes_no_questions_become_booleans_and_each_mapping_reads_one_question(templates):
    for template in templates:
        options = _options(template["playbook"])
        questions = {q["variable"]: q for q in template["survey_spec"]["spec"]}
        for role_var, inputs in _mapping_inputs(template).items():
            assert len(inputs) == 1, f"{template['name']}: {role_var} reads {inputs}"
            (survey_var,) = inputs
            expression = template["extra_vars"][role_var]
            if expression.rstrip().endswith("| bool }}"):
                assert options[role_var]["type"] == "bool"
                assert _choices(questions[survey_var]) == ["yes", "no"]
                assert questions[survey_var]["required"] is True


@pytest.mark.parametrize("answers", [
    {},  # the survey defaults
    {"entra_sync_survey_allow_reboot": "yes", "entra_sync_survey_remediate_tls": "no",
     "entra_sync_cloud": "AzureUSGovernment", "entra_sync_gmsa_name": "svcCloudSync$",
     "entra_sync_survey_domains": "contoso.com: dc01.contoso.com, dc02.contoso.com\n\n  fabrikam.com  \n"},
])
def test_rendered_answers_pass_the_roles_argument_specs(templates, answers):
    for template in templates:
        values = _defaults(template)
        values.update({k: v for k, v in answers.items() if k in values})
        rendered = _render(template, values)
        for role in PLAYBOOK_ROLES[template["playbook"]]:
            spec = role_spec(role)
            params = {k: v for k, v in rendered.items() if k in spec}
            result = ArgumentSpecValidator(spec).validate(params)
            assert not result.error_messages, f"{template['name']} / {role}: {result.error_messages}"
            for key, value in params.items():
                if spec[key].get("type") == "bool":
                    # The roles use these as conditionals, which must be real booleans.
                    assert isinstance(value, bool), f"{template['name']}: {key}={value!r}"


def test_domains_text_becomes_the_roles_list_of_domains(templates):
    (install,) = [t for t in templates if t["playbook"].endswith("install_agent.yml")]
    values = _defaults(install)
    assert _render(install, values)["entra_sync_domains"] == []
    values["entra_sync_survey_domains"] = "contoso.com: dc01.contoso.com, dc02.contoso.com\n\nfabrikam.com\n"
    assert _render(install, values)["entra_sync_domains"] == [
        {"name": "contoso.com", "preferred_domain_controllers": ["dc01.contoso.com", "dc02.contoso.com"]},
        {"name": "fabrikam.com", "preferred_domain_controllers": []},
    ]


def test_install_template_asks_what_the_issue_names(templates):
    (install,) = [t for t in templates if t["playbook"].endswith("install_agent.yml")]
    asked = {q["variable"] for q in install["survey_spec"]["spec"]} | set(install["extra_vars"])
    for var in ("entra_sync_cloud", "entra_sync_domains", "entra_sync_gmsa_name", "entra_sync_allow_reboot",
                "entra_sync_remediate_service_logon_right", "entra_sync_remediate_tls",
                "entra_sync_installer_url", "entra_sync_installer_path"):
        assert var in asked, var
    cloud = [q for q in install["survey_spec"]["spec"] if q["variable"] == "entra_sync_cloud"][0]
    assert _choices(cloud) == ["AzureCloud", "AzureUSGovernment"]
    # One install job at a time per tenant; the role throttles hosts inside the job.
    assert install["allow_simultaneous"] is False


def test_credential_types_inject_role_variables_as_extra_vars_only(credential_types):
    all_options = {}
    for role in ("prerequisites", "provisioning_agent", "diagnose", "connect_sync_services"):
        all_options.update(role_spec(role))
    for ctype in credential_types:
        assert set(ctype["injectors"]) == {"extra_vars"}, f"{ctype['name']}: env vars do not reach the target"
        fields = {f["id"]: f for f in ctype["inputs"]["fields"]}
        assert set(ctype["inputs"]["required"]) <= set(fields)
        for var, value in ctype["injectors"]["extra_vars"].items():
            assert var in all_options, f"{ctype['name']}: {var} is no role variable"
            (field,) = re.findall(r"\{\{\s*(\w+)\s*\}\}", value)
            assert field in fields, f"{ctype['name']}: {field} is not an input"
            # A role's no_log variable is filled from a secret input, and the other way round.
            assert bool(all_options[var].get("no_log")) == bool(fields[field].get("secret")), var


def test_every_secret_and_required_role_variable_is_answered(templates, credential_types, credentials):
    injected_by = {}
    for ctype in credential_types:
        for var in ctype["injectors"]["extra_vars"]:
            injected_by[var] = ctype["name"]
    type_of = {c["name"]: c["credential_type"] for c in credentials}
    for template in templates:
        if template["playbook"] == "playbooks/preflight.yml":
            continue  # report only: reads the host, needs no tenant or domain secret
        attached = {type_of[name] for name in template["credentials"]}
        answered = {q["variable"] for q in template["survey_spec"]["spec"]} | set(template.get("extra_vars") or {})
        for role in PLAYBOOK_ROLES[template["playbook"]]:
            for var, spec in role_spec(role).items():
                # A variable the role cannot run without, a secret, or the account name of a secret.
                secret_pair = var.endswith("_username") and var.removesuffix("_username") + "_password" in role_spec(role)
                needs = spec.get("required") or spec.get("no_log") or secret_pair
                if not needs:
                    continue
                if var in OPTIONAL_SECRETS:
                    assert var in injected_by, f"no credential type offers {var}"
                    assert template.get("ask_credential_on_launch"), f"{template['name']}: cannot attach {var}"
                elif var in injected_by:
                    assert injected_by[var] in attached, f"{template['name']}: attach {injected_by[var]} for {var}"
                else:
                    assert var in answered, f"{template['name']}: nothing answers {var}"


def test_credential_inputs_come_from_the_vault_not_from_this_repository(credentials):
    for credential in credentials:
        for value in credential["inputs"].values():
            assert value.startswith("{{") and value.endswith("}}"), credential["name"]


def test_setup_playbook_applies_every_configuration_list():
    setup = (AWX / "setup.yml").read_text()
    for name in ("controller_credential_types", "controller_credentials", "controller_execution_environments",
                 "controller_projects", "controller_inventories", "controller_groups", "controller_templates"):
        assert f'loop: "{{{{ {name} }}}}"' in setup, name
    platform = load_config("platform.yml")
    assert platform["controller_inventories"][0]["variables"]["ansible_psrp_auth"] == "kerberos"

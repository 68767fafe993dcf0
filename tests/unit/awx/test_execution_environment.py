"""The AWX execution environment: what ansible-builder makes of our definition.

`ansible-builder create` writes the build context (Containerfile plus _build/)
without a container engine, so it runs here; `ansible-builder build` needs
podman or docker and does not.

Two files are involved (docs/awx.md explains why):
- meta/execution-environment.yml: the collection-level requirements that
  ansible-builder reads from *every* collection it installs, paths relative to
  the collection root;
- extensions/awx/execution-environment.yml: the definition of this
  collection's own EE (base image, ansible-core, the collection tarball).
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = pathlib.Path(__file__).resolve().parents[3]
VENV_BIN = pathlib.Path(sys.executable).parent
EE_DEF = ROOT / "extensions" / "awx" / "execution-environment.yml"
COLLECTION_META = ROOT / "meta" / "execution-environment.yml"


def _tool(name):
    path = VENV_BIN / name
    if not path.exists():
        pytest.skip(f"{name} is not installed next to {sys.executable}; run 'make setup'")
    return str(path)


def _galaxy_version():
    return yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    """The collection built exactly as a release is built."""
    out = tmp_path_factory.mktemp("collection")
    subprocess.run(
        [_tool("ansible-galaxy"), "collection", "build", "--force", "--output-path", str(out), str(ROOT)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )
    (built,) = out.glob("hybrid_identity-entra_sync-*.tar.gz")
    return built


@pytest.fixture(scope="module")
def context(tmp_path_factory, tarball):
    """Run `ansible-builder create` on a copy of the repository layout the definition expects."""
    tree = tmp_path_factory.mktemp("tree")
    (tree / "extensions" / "awx").mkdir(parents=True)
    (tree / "meta").mkdir()
    (tree / "build" / "collection").mkdir(parents=True)
    for name in ("execution-environment.yml", "ee-collections.yml"):
        shutil.copy(ROOT / "extensions" / "awx" / name, tree / "extensions" / "awx" / name)
    for path in (ROOT / "meta").glob("ee-*"):
        shutil.copy(path, tree / "meta" / path.name)
    shutil.copy(tarball, tree / "build" / "collection" / tarball.name)

    ctx = tree / "context"
    result = subprocess.run(
        [_tool("ansible-builder"), "create", "-f", "extensions/awx/execution-environment.yml",
         "--context", str(ctx), "--output-filename", "Containerfile", "-v3"],
        check=False, capture_output=True, text=True, cwd=tree,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # A missing tarball is only a warning for ansible-builder; for us it is an error.
    assert "No matches" not in result.stdout + result.stderr
    return ctx


def test_containerfile_builds_from_the_base_image_with_pinned_ansible(context):
    containerfile = (context / "Containerfile").read_text()
    definition = yaml.safe_load(EE_DEF.read_text())
    base = definition["images"]["base_image"]["name"]
    assert f'ARG EE_BASE_IMAGE="{base}"' in containerfile
    assert "ansible-core>=2.21" in containerfile
    assert "ansible-runner>=2.4" in containerfile
    # The galaxy stage installs requirements.yml, the builder stage introspects
    # the collections, the final stage installs the system packages.
    assert 'ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml' in containerfile
    assert "introspect.py introspect --user-pip=requirements.txt --user-bindep=bindep.txt" in containerfile
    assert "/output/scripts/install-from-bindep" in containerfile


def test_context_carries_the_python_requirements(context):
    names = {}
    for line in (context / "_build" / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            req = Requirement(line)
            names[req.name.lower()] = req
    assert {"kerberos"} <= names["pywinrm"].extras
    assert {"kerberos"} <= names["pypsrp"].extras
    assert "evtx" in names


def test_context_carries_the_kerberos_system_packages(context):
    bindep = (context / "_build" / "bindep.txt").read_text()
    for package in ("krb5-libs", "krb5-workstation", "krb5-devel"):
        assert package in bindep


def test_context_installs_this_collection_from_its_tarball_and_its_dependencies(context, tarball):
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    by_name = {entry["name"]: entry for entry in requirements["collections"]}
    local = [entry for entry in requirements["collections"] if entry.get("type") == "file"]
    assert len(local) == 1
    # The galaxy stage runs in /build, which holds _build/: the path must exist there.
    assert (context / "_build" / local[0]["name"]).is_file()
    assert pathlib.Path(local[0]["name"]).name == tarball.name
    assert "ansible.windows" in by_name
    assert by_name["microsoft.ad"]["version"] == ">=1.11.0"


def test_tarball_name_follows_the_version_in_galaxy_yml():
    requirements = yaml.safe_load((ROOT / "extensions" / "awx" / "ee-collections.yml").read_text())
    (local,) = [entry for entry in requirements["collections"] if entry.get("type") == "file"]
    assert pathlib.Path(local["name"]).name == f"hybrid_identity-entra_sync-{_galaxy_version()}.tar.gz"


def test_collection_requirements_have_no_caps_or_pins():
    # A cap or pin in a collection's requirements breaks EEs that combine collections.
    for line in (ROOT / "meta" / "ee-requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            specifiers = Requirement(line).specifier
            assert all(spec.operator == ">=" for spec in specifiers), line


def test_bindep_file_parses_and_keeps_build_tools_out_of_the_final_image():
    from bindep.depends import Depends

    depends = Depends((ROOT / "meta" / "ee-bindep.txt").read_text())
    runtime = {rule[0] for rule in depends.active_rules(["platform:rpm", "platform:redhat"])}
    builder = {rule[0] for rule in depends.active_rules(["platform:rpm", "platform:redhat", "compile"])}
    assert {"krb5-libs", "krb5-workstation"} <= runtime
    assert not {"gcc", "krb5-devel"} & runtime
    assert {"gcc", "krb5-devel", "python3-devel"} <= builder
    debian = {rule[0] for rule in depends.active_rules(["platform:dpkg", "platform:debian"])}
    assert {"libkrb5-3", "krb5-user"} <= debian


def _introspect():
    from ansible_builder._target_scripts import introspect

    return introspect


@pytest.fixture()
def installed(tmp_path, tarball):
    """The tarball installed as the galaxy stage of any EE would install it."""
    subprocess.run(
        [_tool("ansible-galaxy"), "collection", "install", "--no-deps", "--force", "-p", str(tmp_path), str(tarball)],
        # Away from the repository's ansible.cfg, whose collections path already links this collection.
        check=True, capture_output=True, text=True, cwd=tmp_path,
    )
    return tmp_path


def test_other_ees_find_our_requirements_through_the_collection_metadata(installed):
    # This is what the builder stage of an EE that merely lists this collection runs.
    result = _introspect().process(data_dir=str(installed))
    assert "pywinrm[kerberos]>=0.5.0" in result["python"]["hybrid_identity.entra_sync"]
    assert "pypsrp[kerberos]>=0.9.0" in result["python"]["hybrid_identity.entra_sync"]
    assert any(line.startswith("krb5-workstation") for line in result["system"]["hybrid_identity.entra_sync"])


def test_introspection_guard_fails_when_the_metadata_paths_are_not_collection_relative(installed):
    # The broken fixture: the paths as they would be written relative to meta/.
    meta = installed / "ansible_collections" / "hybrid_identity" / "entra_sync" / "meta" / "execution-environment.yml"
    data = yaml.safe_load(meta.read_text())
    data["dependencies"] = {"python": "ee-requirements.txt", "system": "ee-bindep.txt"}
    meta.write_text(yaml.safe_dump(data))
    with pytest.raises(FileNotFoundError):
        _introspect().process(data_dir=str(installed))


def test_collection_metadata_is_valid_ee_schema_version_3():
    from ansible_builder.ee_schema import validate_schema

    data = yaml.safe_load(COLLECTION_META.read_text())
    assert data["version"] == 3
    validate_schema(data)
    for key in ("python", "system"):
        assert (ROOT / data["dependencies"][key]).is_file()

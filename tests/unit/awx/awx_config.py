"""Loaders shared by the AWX configuration-as-code tests."""

from __future__ import annotations

import pathlib

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[3]
AWX = ROOT / "extensions" / "awx"


class _UnsafeLoader(yaml.SafeLoader):
    """YAML loader that reads `!unsafe` scalars as plain strings (as the controller receives them)."""


_UnsafeLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def load_config(name):
    return yaml.load((AWX / "configuration" / name).read_text(), Loader=_UnsafeLoader)


def role_spec(role):
    path = ROOT / "roles" / role / "meta" / "argument_specs.yml"
    if not path.exists():
        pytest.skip(f"roles/{role}/meta/argument_specs.yml is missing")
    return yaml.safe_load(path.read_text())["argument_specs"]["main"]["options"]

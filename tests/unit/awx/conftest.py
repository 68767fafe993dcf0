"""Fixtures for the AWX configuration-as-code tests."""

from __future__ import annotations

import pytest

from awx_config import load_config


@pytest.fixture(scope="session")
def templates():
    return load_config("job_templates.yml")["controller_templates"]


@pytest.fixture(scope="session")
def credential_types():
    return load_config("credential_types.yml")["controller_credential_types"]


@pytest.fixture(scope="session")
def credentials():
    return load_config("credentials.yml")["controller_credentials"]

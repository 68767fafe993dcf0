"""The set-up command must fail fast, before touching anything, with a fix the user can act on."""

from __future__ import annotations

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]


def run_setup(tmp_path, **env):
    return subprocess.run(["bash", str(ROOT / "hack" / "setup.sh")], capture_output=True, text=True, check=False,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env}, timeout=60)


def test_a_python_that_is_not_312_is_refused_with_the_fix(tmp_path):
    fake = tmp_path / "python3.11"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    completed = run_setup(tmp_path, PYTHON=str(fake))
    assert completed.returncode == 1
    assert f"PYTHON={fake} is not a working Python 3.12" in completed.stderr
    assert "Fix:" in completed.stderr


def test_no_python_312_anywhere_names_how_to_get_one(tmp_path):
    if any(os.access(p, os.X_OK) for p in ("/usr/bin/python3.12", "/usr/local/bin/python3.12")):
        pytest.skip("this machine has a system Python 3.12, which the search would rightly find")
    completed = run_setup(tmp_path)
    assert completed.returncode == 1
    assert "Python 3.12 was not found" in completed.stderr
    assert "PYTHON=/path/to/python3.12 make setup" in completed.stderr

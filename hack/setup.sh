#!/usr/bin/env bash
# One-command development set-up: a Python 3.12 virtual environment with the
# pinned tool chain, ansible.windows and microsoft.ad taken from the `ansible`
# wheel on PyPI (Ansible Galaxy is not needed), and this collection linked
# onto the collections path. Safe to run again: it does only what is missing.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$root/.venv"
collections="$venv/collections/ansible_collections"
wheels="$root/.cache/wheels"
# The `ansible` package whose bundled collections we use (ansible.windows, microsoft.ad >= 1.11).
ansible_bundle_version=14.5.0
stamp="$venv/.setup-complete"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

is_python312() {
    command -v "$1" >/dev/null 2>&1 &&
        "$1" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null
}

find_python312() {
    local candidate
    for candidate in python3.12 "${PYENV_ROOT:-$HOME/.pyenv}/versions/"3.12*/bin/python3.12 /usr/bin/python3.12 /usr/local/bin/python3.12; do
        if is_python312 "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

if [ -n "${PYTHON:-}" ]; then
    is_python312 "$PYTHON" || die "PYTHON=$PYTHON is not a working Python 3.12 (with the venv module).
  Fix: point PYTHON at a Python 3.12 interpreter, or unset it to let the set-up search for one."
    python=$(command -v "$PYTHON")
else
    python=$(find_python312) || die "Python 3.12 was not found (ansible-core 2.21 needs it).
  Fix: install it ('pyenv install 3.12', or your distribution's python3.12 and python3.12-venv packages)
  or point to one: 'PYTHON=/path/to/python3.12 make setup'."
fi

python_version=$("$python" -c 'import sys; print(sys.version.split()[0])')
requirements_hash=$(cat "$root/requirements/dev.txt" "$root/requirements/constraints.txt" | sha256sum | cut -c1-16)
stamp_value() { sed -n "s/^$1=//p" "$stamp" 2>/dev/null; }

if [ -d "$venv" ] && [ ! -f "$stamp" ]; then
    say "found a half-built virtual environment at .venv (no completion stamp): rebuilding it"
    rm -rf "$venv"
elif [ -f "$stamp" ] && [ "$(stamp_value python)" != "$python_version" ]; then
    say ".venv was built with Python $(stamp_value python), not $python_version: rebuilding it"
    rm -rf "$venv"
elif [ -f "$stamp" ] && [ ! -x "$venv/bin/ansible-playbook" ]; then
    say ".venv is damaged (ansible-playbook missing): rebuilding it"
    rm -rf "$venv"
fi

if [ ! -d "$venv" ]; then
    say "creating .venv with $python"
    "$python" -m venv "$venv" || die "could not create .venv; install your distribution's python3.12-venv package and run again"
fi
if [ "$(stamp_value requirements)" != "$requirements_hash" ]; then
    say "installing the pinned tool chain (requirements/dev.txt)"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r "$root/requirements/dev.txt" -c "$root/requirements/constraints.txt" 2> >(grep -v '^WARNING: Location' >&2) ||
        die "pip install failed (see above); fix the cause and run 'make setup' again"
fi

# Collections: ansible.windows and microsoft.ad ship inside the `ansible` wheel on PyPI.
if [ "$(stamp_value bundle)" != "$ansible_bundle_version" ] ||
    [ ! -f "$collections/microsoft/ad/MANIFEST.json" ] || [ ! -f "$collections/ansible/windows/MANIFEST.json" ]; then
    rm -rf "$collections/ansible" "$collections/microsoft"
    mkdir -p "$wheels" "$collections"
    wheel="$wheels/ansible-$ansible_bundle_version-py3-none-any.whl"
    if [ ! -f "$wheel" ]; then
        say "downloading ansible==$ansible_bundle_version (for its bundled ansible.windows and microsoft.ad)"
        "$venv/bin/python" -m pip download --quiet --no-deps --disable-pip-version-check \
            -d "$wheels" "ansible==$ansible_bundle_version" 2> >(grep -v '^WARNING: Location' >&2) ||
            die "could not download ansible==$ansible_bundle_version from PyPI"
    fi
    say "extracting ansible.windows and microsoft.ad into .venv/collections"
    "$venv/bin/python" - "$wheel" "$collections" <<'PY'
import sys, zipfile, pathlib
wheel, target = sys.argv[1], pathlib.Path(sys.argv[2])
wanted = ("ansible_collections/ansible/windows/", "ansible_collections/microsoft/ad/")
with zipfile.ZipFile(wheel) as bundle:
    for member in bundle.namelist():
        if member.startswith(wanted) and not member.endswith("/"):
            relative = member[len("ansible_collections/"):]
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(bundle.read(member))
PY
fi

# This collection, on the collections path under its own name.
mkdir -p "$collections/hybrid_identity"
ln -sfn "$root" "$collections/hybrid_identity/entra_sync"

# ansible-test bootstraps pip in its sanity venvs with a script it downloads
# from a host that is unreachable here; its cache accepts a local stand-in.
pip_bootstrap_version=$("$venv/bin/python" - <<'PY'
import re, pathlib, ansible_test
source = pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
print(re.search(r"pip='([0-9.]+)'", source.read_text()).group(1))
PY
)
mkdir -p "$HOME/.ansible/test/cache"
cp "$root/tests/sanity/get_pip_standin.py" "$HOME/.ansible/test/cache/get_pip_${pip_bootstrap_version//./_}.py"

printf "python=%s\nrequirements=%s\nbundle=%s\n" "$python_version" "$requirements_hash" "$ansible_bundle_version" > "$stamp"
say "ready: $("$venv/bin/ansible" --version | sed -n 1p), ansible.windows $("$venv/bin/python" -c "import json;print(json.load(open('$collections/ansible/windows/MANIFEST.json'))['collection_info']['version'])"), microsoft.ad $("$venv/bin/python" -c "import json;print(json.load(open('$collections/microsoft/ad/MANIFEST.json'))['collection_info']['version'])")"

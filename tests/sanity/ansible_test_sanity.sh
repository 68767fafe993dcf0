#!/usr/bin/env bash
# Run `ansible-test sanity` on a collection source tree, with no route to
# ansible-test's pip bootstrap host.
#   usage: tests/sanity/ansible_test_sanity.sh SOURCE_DIR NAMESPACE NAME [ansible-test sanity options...]
# ansible-test needs the tree at .../ansible_collections/NAMESPACE/NAME, so the
# tracked and unignored files are copied there (outside the checkout); ansible.windows and
# microsoft.ad from .venv/collections are linked beside it.
# validate-modules runs with the real pwsh that hack/pwsh.sh finds; only where there is none,
# the tree-sitter $spec reader stands in for it (and says so). pslint is skipped: it installs
# PSScriptAnalyzer from the PowerShell Gallery, which is out of reach; tests/sanity/ps_analyze.ps1
# runs its rules (and the Windows PowerShell 5.1 compatibility rules) in the test chain instead.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source_dir=$(cd "$1" && pwd); namespace=$2; name=$3; shift 3
venv="$root/.venv"
# Outside this git checkout (inside it, ansible-test would list files with git
# and skip the ignored copy), and one folder per run so parallel runs cannot
# delete each other's copy.
work=$(mktemp -d "${TMPDIR:-/tmp}/entra_sync-ansible-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
target="$work/ansible_collections/$namespace/$name"

mkdir -p "$target"
if git -C "$source_dir" rev-parse --show-toplevel >/dev/null 2>&1 &&
    [ "$(git -C "$source_dir" rev-parse --show-toplevel)" = "$source_dir" ]; then
    (cd "$source_dir" && git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' path; do [ -e "$path" ] && printf '%s\0' "$path"; done |
        tar --null -T - -cf -) | tar -xf - -C "$target"
else
    (cd "$source_dir" && tar -cf - .) | tar -xf - -C "$target"
fi
for dependency in ansible/windows microsoft/ad; do
    mkdir -p "$work/ansible_collections/${dependency%/*}"
    ln -sfn "$venv/collections/ansible_collections/$dependency" "$work/ansible_collections/$dependency"
done

# shellcheck source=hack/pwsh.sh
. "$root/hack/pwsh.sh"
if [ -n "$PWSH" ]; then
    echo "ansible-test sanity: validate-modules uses $PWSH (from $PWSH_FROM)"
    pwsh_dir=$(mktemp -d "$work/pwsh-bin.XXXXXX")
    # A wrapper, not a link: a pwsh launcher script may find its runtime relative to $0.
    printf '#!/bin/sh\nexec "%s" "$@"\n' "$PWSH" > "$pwsh_dir/pwsh"
    chmod +x "$pwsh_dir/pwsh"
else
    echo "ansible-test sanity: $PWSH_MISSING; validate-modules reads \$spec with the tree-sitter stand-in instead"
    pwsh_dir="$root/tests/sanity/pwsh-spec-reader"
fi

cd "$target"
PATH="$pwsh_dir:$venv/bin:$PATH" \
    "$venv/bin/ansible-test" sanity --python 3.12 --color no --skip-test pslint "$@"

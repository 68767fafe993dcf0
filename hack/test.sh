#!/usr/bin/env bash
# The whole offline test chain, stopping at the first failure:
#   PowerShell's parser and C# compile, ansible-test sanity (validate-modules with the real pwsh),
#   PSScriptAnalyzer (pslint rules + Windows PowerShell 5.1 compatibility), Pester over the modules,
#   pytest units, ansible-lint (production profile), the molecule scenarios, the build.
# PowerShell is found by hack/pwsh.sh (PWSH, then PATH, then ../shared/tools/pwsh). Without it the
# PowerShell stages are skipped and say so; with CI=true they must run, so CI fails instead.
# Needs `make setup` first. Prints a summary table at the end.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 2
venv="$root/.venv"
[ -f "$venv/.setup-complete" ] || { echo "test: .venv is missing or half-built; run 'make setup' first" >&2; exit 2; }
export PATH="$venv/bin:$PATH"
export ANSIBLE_FORCE_COLOR=0 PY_COLORS=0

summary=()
stage_note=""
started_all=$(date +%s)
rm -f build/pester/coverage.txt build/pester/coverage.xml build/ps-coverage/summary.txt
# shellcheck source=hack/pwsh.sh
. "$root/hack/pwsh.sh"
pslint_settings=$(python -c 'import ansible_test, pathlib; print(pathlib.Path(ansible_test.__file__).parent / "_util/controller/sanity/pslint/settings.psd1")')
ansible_basic=$(python -c 'import ansible, pathlib; print(pathlib.Path(ansible.__file__).parent / "module_utils/csharp/Ansible.Basic.cs")')
if [ -n "$PWSH" ]; then
    # shellcheck disable=SC2016  # PowerShell's variable, expanded by pwsh
    echo "test: PowerShell $("$PWSH" -NoProfile -Command '$PSVersionTable.PSVersion.ToString()') from $PWSH_FROM ($PWSH)"
elif [ "${CI:-}" = "true" ]; then
    echo "test: CI=true but $PWSH_MISSING; CI must run the PowerShell stages (set PWSH=/path/to/pwsh)" >&2
    exit 2
else
    echo "test: $PWSH_MISSING."
    echo "test: SKIPPED for want of PowerShell: powershell-parse (the tree-sitter syntax check runs instead),"
    echo "      psscriptanalyzer and pester; validate-modules reads \$spec with a tree-sitter stand-in."
    echo "      Get PowerShell 7 (Microsoft's packages, or 'dotnet tool install --global PowerShell') and set PWSH."
fi

finish() {
    local status=$1
    echo
    echo "== summary =="
    printf '%s\n' "${summary[@]}"
    echo "total: $(($(date +%s) - started_all))s"
    # The merged PowerShell coverage (Pester + lab) when the chain got that far, else Pester's own.
    if [ -s build/ps-coverage/summary.txt ]; then
        echo
        cat build/ps-coverage/summary.txt
    elif [ -s build/pester/coverage.txt ]; then
        echo
        cat build/pester/coverage.txt
    fi
    exit "$status"
}

stage() {
    local name=$1; shift
    local started status
    stage_note=""
    echo
    echo "== $name =="
    started=$(date +%s)
    "$@"
    status=$?
    local elapsed=$(($(date +%s) - started))
    if [ "$status" -eq 0 ]; then
        summary+=("$(printf 'PASS  %-22s %4ss  %s' "$name" "$elapsed" "$stage_note")")
    else
        summary+=("$(printf 'FAIL  %-22s %4ss  (exit %s) %s' "$name" "$elapsed" "$status" "$stage_note")")
        finish 1
    fi
}

skip() {
    summary+=("$(printf 'SKIP  %-22s       (%s)' "$1" "$2")")
    echo
    echo "== $1 == SKIPPED: $2"
}

# shellcheck disable=SC2329  # called through stage
powershell_parse() {
    "$PWSH" -NoProfile -File tests/sanity/ps_parse.ps1 -AnsibleBasic "$ansible_basic" || return 1
    # C# as Windows PowerShell 5.1 compiles it (C# 5, .NET Framework, warnings as errors), where a checker is at hand.
    local winps51
    winps51="$(dirname "$PWSH")/../check-csharp-winps51.ps1"
    if [ -f "$winps51" ]; then
        "$PWSH" -NoProfile -File "$winps51" -AnsibleBasic "$ansible_basic" plugins/module_utils/*.cs || return 1
    elif command -v mcs >/dev/null 2>&1; then
        mcs -langversion:5 -target:library -nowarn:1591 -out:/dev/null -d:WINDOWS plugins/module_utils/*.cs >/dev/null || return 1
        echo "C# 5 (mcs -langversion:5): plugins/module_utils/*.cs compile"
    else
        echo "C# as Windows PowerShell 5.1 compiles it: SKIPPED (no check-csharp-winps51.ps1 beside pwsh and no mcs)"
    fi
}

# shellcheck disable=SC2329  # called through stage
run_pester() {
    local log=build/pester/output.log status
    mkdir -p build/pester
    "$PWSH" -NoProfile -File tests/unit/powershell/run.ps1 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    # The count and the per-file coverage go into the summary.
    stage_note=$(grep -E '^pester: ' "$log" | tail -n 1)
    sed -n '/^Pester code coverage/,/^$/p' "$log" > build/pester/coverage.txt
    return "$status"
}

# shellcheck disable=SC2329  # called through stage
run_pytest() {
    python -m pytest -q -p no:cacheprovider tests/unit
    local status=$?
    # Exit 5 means no test was collected: that is a failure of the chain, not a pass.
    [ "$status" -eq 5 ] && echo "pytest collected no tests" >&2
    return "$status"
}

# shellcheck disable=SC2329  # called through stage
build_collection() {
    rm -rf build/collection && mkdir -p build/collection
    ansible-galaxy collection build --force --output-path build/collection . || return 1
    python tests/sanity/check_build.py build/collection/hybrid_identity-entra_sync-*.tar.gz
}

if [ -n "$PWSH" ]; then
    stage "powershell-parse" powershell_parse
else
    stage "powershell-c#-syntax" python tests/sanity/ps_syntax_check.py
fi
stage "ansible-test-sanity" tests/sanity/ansible_test_sanity.sh . hybrid_identity entra_sync
if [ -z "$PWSH" ]; then
    skip psscriptanalyzer "$PWSH_MISSING"
    skip pester "$PWSH_MISSING"
else
    if pwsh_has_module PSScriptAnalyzer 1.19; then
        stage "psscriptanalyzer" "$PWSH" -NoProfile -File tests/sanity/ps_analyze.ps1 -PslintSettings "$pslint_settings"
    else
        skip psscriptanalyzer "PSScriptAnalyzer 1.19+ is not installed for $PWSH (Install-Module PSScriptAnalyzer)"
    fi
    if pwsh_has_module Pester 5.0; then
        stage "pester" run_pester
    else
        skip pester "Pester 5 is not installed for $PWSH (Install-Module Pester)"
    fi
fi
stage "pytest" run_pytest
stage "ansible-lint" ansible-lint --profile production --nocolor
# The lab's PowerShell coverage (issue 17): ansible-core's coverage wrapper, as ansible-test drives it, writes
# a file per PowerShell module run under ENTRA_LAB_PS_COVERAGE_DIR (_ANSIBLE_COVERAGE_REMOTE_OUTPUT is that
# folder plus a file prefix; the path filter keeps the breakpoints to this collection's files). Only for the
# lab stages: on the real host of molecule-windows the output path would be a Linux path on Windows.
# ps-coverage merges it with Pester's; ENTRA_PS_COVERAGE_REQUIRE_LAB=1 makes lab data required.
ps_coverage_lab="$root/.cache/ps-coverage/lab"
# ENTRA_TEST_LAB_FROM_MAKE_LAB=1 (.ci/run): `make lab` has just run the whole lab (main job, steady-state
# rerun, outcome check) with its coverage going here; the chain keeps that coverage and does not run the
# same lab a second time under molecule.
if [ "${ENTRA_TEST_LAB_FROM_MAKE_LAB:-0}" != 1 ]; then
    rm -rf "$ps_coverage_lab"
fi
mkdir -p "$ps_coverage_lab"
ps_coverage_env=(ENTRA_LAB_PS_COVERAGE_DIR="$ps_coverage_lab" _ANSIBLE_COVERAGE_REMOTE_OUTPUT="$ps_coverage_lab/lab"
    "_ANSIBLE_COVERAGE_REMOTE_PATH_FILTER=*/ansible_collections/hybrid_identity/entra_sync/plugins/*")
# shellcheck disable=SC2329  # called through stage
ps_coverage() {
    local log=build/ps-coverage/output.log status
    local options=(--lab-dir "$ps_coverage_lab" --summary build/ps-coverage/summary.txt)
    [ "${ENTRA_PS_COVERAGE_REQUIRE_LAB:-0}" = 1 ] && options+=(--require-lab)
    mkdir -p build/ps-coverage
    python tests/coverage/ps_coverage.py "${options[@]}" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    if grep -q '^  lab: NO DATA' "$log"; then
        stage_note="NO lab data: Pester's coverage alone"
    elif grep -q '^  lab: [0-9]' "$log"; then
        stage_note="Pester + lab"
    fi
    return "$status"
}
if [ "${ENTRA_TEST_LAB_FROM_MAKE_LAB:-0}" = 1 ]; then
    skip molecule-lab "make lab ran the whole lab just before in this run (ENTRA_TEST_LAB_FROM_MAKE_LAB=1, as .ci/run sets it)"
else
    stage "molecule-lab" env "${ps_coverage_env[@]}" bash -c 'cd extensions && molecule test -s lab'
fi
stage "molecule-health" env "${ps_coverage_env[@]}" bash -c 'cd extensions && molecule test -s health'
if [ -s build/pester/coverage.xml ]; then
    stage "ps-coverage" ps_coverage
else
    skip ps-coverage "no Pester coverage (build/pester/coverage.xml): the pester stage did not run"
fi
# Without ENTRA_SYNC_WINDOWS_HOST this only proves the real-host scenario loads and says it skipped.
stage "molecule-windows" bash -c 'cd extensions && env -u ENTRA_SYNC_WINDOWS_HOST molecule test -s windows'
stage "collection-build" build_collection
finish 0

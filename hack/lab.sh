#!/usr/bin/env bash
# The main job against the lab (tests/lab, see its README.md), as `make lab` runs it:
#   1. build (or reset) the lab: WinSim runtime, host descriptions, per-host pwsh/python wrappers,
#      collections tree (the collection's real modules; stand-ins only for ansible.windows/microsoft.ad);
#   2. playbooks/install_agent.yml over the agent hosts, playbooks/connect_sync_services.yml
#      over the ADSync hosts (the lab inventory reports failures instead of failing hosts);
#   3. the steady state: both playbooks again over the hosts expected to end installed or healthy;
#      no task may report a change (what molecule's idempotence step checks);
#   4. tests/lab/check_outcomes.py: a per-host table (installed and registered, or failed with
#      the expected root-cause id) and the secret scan of states and reports.
# Exit 0 only when every host matches its expected outcome, the rerun changed nothing and no secret leaked.
# Environment: ENTRA_LAB_DIR (default .cache/lab), ENTRA_LAB_FORKS (default 20), ANSIBLE_* as usual,
# PWSH (the pwsh to use; hack/pwsh.sh), ENTRA_LAB_PS_COVERAGE_DIR (Ansible's PowerShell coverage of
# every module run goes there, as <dir>/lab-*: _ANSIBLE_COVERAGE_REMOTE_OUTPUT, as ansible-test sets it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
if [[ ! -x "$PY" ]]; then
    echo "lab: $PY not found; run 'make setup' first" >&2
    exit 2
fi
# pwsh is a prerequisite of the lab, as Python is: stop before anything starts without one.
# shellcheck source=hack/pwsh.sh
. "$ROOT/hack/pwsh.sh"
if [[ -z "$PWSH" ]]; then
    echo "lab: $PWSH_MISSING." >&2
    echo "lab: the lab runs the collection's PowerShell modules on pwsh. Get PowerShell 7 from Microsoft's packages" >&2
    echo "     (https://learn.microsoft.com/powershell/scripting/install/installing-powershell-on-linux)," >&2
    echo "     or 'dotnet tool install --global PowerShell', then run again (with PWSH=/path/to/pwsh if not on PATH)." >&2
    exit 2
fi
export ENTRA_LAB_DIR="${ENTRA_LAB_DIR:-$ROOT/.cache/lab}"
LAB_DIR="$ENTRA_LAB_DIR"
START=$SECONDS

echo "== build the lab"
"$PY" tests/lab/build_lab.py --lab-dir "$LAB_DIR"

export ANSIBLE_COLLECTIONS_PATH="$LAB_DIR/collections"
export ANSIBLE_CALLBACKS_ENABLED="entra_lab.sim.module_counter"
export ANSIBLE_FORKS="${ENTRA_LAB_FORKS:-20}"
export ANSIBLE_NOCOLOR="${ANSIBLE_NOCOLOR:-1}"
export ENTRA_LAB_REPORT_DIR="$LAB_DIR/reports"
export ENTRA_LAB_COUNTS_FILE="$LAB_DIR/module_counts.json"
rm -f "$ENTRA_LAB_COUNTS_FILE"
if [[ -n "${ENTRA_LAB_PS_COVERAGE_DIR:-}" ]]; then
    mkdir -p "$ENTRA_LAB_PS_COVERAGE_DIR"
    export _ANSIBLE_COVERAGE_REMOTE_OUTPUT="$ENTRA_LAB_PS_COVERAGE_DIR/lab-"
    export _ANSIBLE_COVERAGE_REMOTE_PATH_FILTER='*/ansible_collections/hybrid_identity/entra_sync/plugins/*'
fi
LOG_DIR="$LAB_DIR/logs"
mkdir -p "$LOG_DIR"

rc=0
run_playbooks() {  # <log suffix> [ansible-playbook options...]
    local suffix=$1 pb
    shift
    for pb in install_agent connect_sync_services; do
        echo "== playbooks/$pb.yml $* (full output: $LOG_DIR/$pb$suffix.log)"
        if ! "$ROOT/.venv/bin/ansible-playbook" -i tests/lab/inventory.yml "playbooks/$pb.yml" "$@" \
                >"$LOG_DIR/$pb$suffix.log" 2>&1; then
            echo "lab: playbooks/$pb.yml $* failed:" >&2
            rc=1
        fi
        sed -n '/^PLAY RECAP/,$p' "$LOG_DIR/$pb$suffix.log"
    done
}
run_playbooks ""

# Steady state: a second run over the hosts that ended installed or healthy changes nothing.
steady=$("$PY" -c 'import json, sys
hosts = json.load(open(sys.argv[1]))
print(",".join(sorted(h for h, v in hosts.items() if v["expect"].get("outcome") in ("registered", "healthy"))))' \
    "$LAB_DIR/hosts.json")
if [[ -n "$steady" ]]; then
    run_playbooks ".rerun" --limit "$steady,localhost"
    changed=$(cat "$LOG_DIR"/*.rerun.log | sed -n '/^PLAY RECAP/,/^$/p' | grep -E 'changed=[1-9]' || true)
    if [[ -n "$changed" ]]; then
        echo "lab: the steady-state rerun changed hosts (not idempotent):" >&2
        echo "$changed" >&2
        rc=1
    else
        echo "lab: steady-state rerun over $(tr ',' '\n' <<<"$steady" | wc -l) hosts changed nothing"
    fi
fi

echo "== outcomes"
"$PY" tests/lab/check_outcomes.py --lab-dir "$LAB_DIR" || rc=1
"$PY" -c 'import json, sys
runs = json.load(open(sys.argv[1]))
print("module calls on targets: " + ", ".join("%s %d" % (pb, sum(v["total"] for v in r[-1].values())) for pb, r in runs.items()))' \
    "$ENTRA_LAB_COUNTS_FILE" || true
echo "lab: done in $((SECONDS - START)) s, $([[ $rc -eq 0 ]] && echo 'every host as expected' || echo 'FAILED')"
exit $rc

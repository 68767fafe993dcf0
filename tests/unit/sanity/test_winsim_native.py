"""The lab's native seam: the collection's C# util (_EntraSyncNative.cs, compiled as Ansible compiles it
on PowerShell 7) calls LSA and NetIsServiceAccount through [DllImport("advapi32.dll")] and
[DllImport("logoncli.dll")]; on Linux those names resolve to tests/windows_sim/native/winsim_native.c
built under them, which answers from a WinSim host description. These tests run the shipped C# against
it: holders round-trip through binary SIDs (so the util's own SID reader is exercised), a scripted
failure comes back with Windows' error number, an unknown right is refused as Windows refuses it.

Needs pwsh (hack/pwsh.sh) and a C compiler; skipped with the reason otherwise.
"""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
SOURCE = ROOT / "tests" / "windows_sim" / "native" / "winsim_native.c"
UTIL = ROOT / "plugins" / "module_utils" / "_EntraSyncNative.cs"
PWSH = subprocess.run(["bash", "-c", '. hack/pwsh.sh >/dev/null 2>&1; printf %s "$PWSH"'], cwd=ROOT,
                      capture_output=True, text=True, check=False).stdout
CC = shutil.which("cc") or shutil.which("gcc")

pytestmark = pytest.mark.skipif(not (PWSH and CC), reason="needs pwsh (hack/pwsh.sh) and a C compiler")

NAMESPACE = "ansible_collections.hybrid_identity.entra_sync.plugins.module_utils._EntraSyncNative"
PROBE = r"""
$source = "#define CORECLR`n" + (Get-Content -Raw -LiteralPath $env:ENTRA_UTIL)
Add-Type -TypeDefinition $source
$lsa = [type]"$env:ENTRA_NS.LsaRights"
$msa = [type]"$env:ENTRA_NS.ServiceAccountNative"
$out = [ordered]@{}
foreach ($right in $env:ENTRA_RIGHTS -split ',') {
    try { $out[$right] = @($lsa::GetHolders($right)) }
    catch { $inner = $_.Exception.InnerException; $out[$right] = @{ type = $inner.GetType().Name; code = $inner.NativeErrorCode; message = $inner.Message } }
}
foreach ($name in $env:ENTRA_ACCOUNTS -split ',') {
    try { $out[$name] = $msa::IsInstalled($name) }
    catch { $inner = $_.Exception.InnerException; $out[$name] = @{ type = $inner.GetType().Name; code = $inner.NativeErrorCode } }
}
$out | ConvertTo-Json -Depth 4 -Compress
"""


@pytest.fixture(scope="module")
def native_dir(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("native")
    subprocess.run([CC, "-shared", "-fPIC", "-O2", "-Wall", "-Werror", "-o", str(out / "advapi32.dll"), str(SOURCE)],
                   check=True)
    shutil.copy(out / "advapi32.dll", out / "logoncli.dll")
    return out


def _probe(native_dir: pathlib.Path, description: dict, rights: list[str], accounts: list[str]) -> dict:
    state = native_dir / "host.json"
    state.write_text(json.dumps(description), encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(native_dir), "LD_LIBRARY_PATH": str(native_dir),
           "WINSIM_SCENARIO": str(state), "ENTRA_UTIL": str(UTIL), "ENTRA_NS": NAMESPACE,
           "ENTRA_RIGHTS": ",".join(rights), "ENTRA_ACCOUNTS": ",".join(accounts)}
    done = subprocess.run([PWSH, "-NoProfile", "-NonInteractive", "-Command", PROBE], env=env,
                          capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


GMSA_SID = "S-1-5-21-1004336348-1177238915-682003330-4101"


def test_holders_and_installed_accounts_come_from_the_description(native_dir):
    answers = _probe(native_dir, {
        "rights": {"SeServiceLogonRight": ["S-1-5-80-0", GMSA_SID], "SeBatchLogonRight": []},
        "active_directory": {"installed_service_accounts": ["provAgentgMSA$"]},
    }, ["SeServiceLogonRight", "SeBatchLogonRight", "SeInteractiveLogonRight", "SeNoSuchThing"],
        ["provAgentgMSA$", "other$"])
    assert answers["SeServiceLogonRight"] == ["S-1-5-80-0", GMSA_SID]
    assert answers["SeBatchLogonRight"] == []
    # a right no one holds: STATUS_NO_MORE_ENTRIES, which the util turns into an empty list
    assert answers["SeInteractiveLogonRight"] == []
    # a name that is no right: STATUS_NO_SUCH_PRIVILEGE, which the util raises as ArgumentException
    assert answers["SeNoSuchThing"]["type"] == "ArgumentException"
    assert answers["provAgentgMSA$"] is True
    assert answers["other$"] is False


def test_a_scripted_failure_returns_windows_error_number(native_dir):
    answers = _probe(native_dir, {
        "rights": {"SeServiceLogonRight": ["S-1-5-80-0"], "SeDenyServiceLogonRight": []},
        "failures": [
            {"command": "Get-EntraSyncRightHolderSid", "error": "access_denied", "match": {"Right": "SeDeny*"}},
            {"command": "Test-EntraSyncServiceAccountInstalled", "error": "rpc_unavailable"},
        ],
    }, ["SeServiceLogonRight", "SeDenyServiceLogonRight"], ["provAgentgMSA$"])
    assert answers["SeServiceLogonRight"] == ["S-1-5-80-0"]  # the match limits the failure to SeDeny*
    assert answers["SeDenyServiceLogonRight"] == {
        "type": "Win32Exception", "code": 5,
        "message": "LsaEnumerateAccountsWithUserRight(SeDenyServiceLogonRight) failed"}
    assert answers["provAgentgMSA$"] == {"type": "Win32Exception", "code": 1722}

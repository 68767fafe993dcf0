"""Extract the Windows PowerShell 5.1 signatures of the Windows commands the lab simulates.

The simulated Windows (WinSim.psm1) answers for commands that Linux PowerShell lacks
(CIM, services, event log, KDS) and for the registry paths of the item cmdlets. Each
simulated command gets the parameter sets Windows PowerShell 5.1 really has, taken from
PSScriptAnalyzer's compatibility profiles of Windows Server 2016 and 2019, so that a
module calling a command with a parameter Windows does not have fails here too.

    python tests/windows_sim/extract_commands.py <the Server 2016 and 2019 profiles, not union_*.json> > tests/windows_sim/windows_commands.json

The output is committed (a user's PowerShell may not carry the profiles);
tests/unit/sanity/test_powershell_guards.py checks it against the profiles when they are present.
"""

from __future__ import annotations

import json
import sys

# module -> commands the collection's modules call (or may call) on Windows.
WANTED = {
    "CimCmdlets": ["Get-CimInstance", "Invoke-CimMethod"],
    "Microsoft.PowerShell.Management": [
        "Get-Service", "Start-Service", "Stop-Service", "Restart-Service", "Set-Service",
        "Get-Item", "Get-ItemProperty", "Get-ChildItem", "Test-Path", "New-Item", "New-ItemProperty",
        "Set-ItemProperty", "Remove-Item", "Remove-ItemProperty", "Get-Content", "Join-Path",
    ],
    "Microsoft.PowerShell.Diagnostics": ["Get-WinEvent"],
    "Microsoft.PowerShell.Security": ["Get-ExecutionPolicy"],
    "Kds": ["Get-KdsRootKey"],
}
NOT_POSITIONAL = -2147483648


def signature(cmdlet: dict) -> dict:
    parameters = {}
    for name, parameter in sorted(cmdlet.get("Parameters", {}).items()):
        sets = {}
        declared = parameter.get("ParameterSets")
        for set_name, info in sorted((declared or {"__AllParameterSets": {"Position": NOT_POSITIONAL}}).items()):
            # The profiles leave out a position of 0 (a default value); NOT_POSITIONAL marks named-only.
            position = info.get("Position", 0)
            sets[set_name] = {
                "mandatory": "Mandatory" in info.get("Flags", []),
                "position": None if position == NOT_POSITIONAL else position,
            }
        parameters[name] = {"type": parameter.get("Type", "System.Object"), "sets": sets}
    return {"default_set": cmdlet.get("DefaultParameterSet"), "parameters": parameters}


def main(profiles: list[str]) -> int:
    merged: dict[str, dict] = {}
    for path in profiles:
        with open(path, encoding="utf-8-sig") as handle:
            profile = json.load(handle)
        modules = profile["Runtime"]["Modules"]
        for module, commands in WANTED.items():
            versions = modules[module]
            cmdlets = versions[sorted(versions)[-1]].get("Cmdlets", {})
            for command in commands:
                found = signature(cmdlets[command])
                found["module"] = module
                # Keep a parameter only when every profile has it: the module must run on both.
                if command in merged:
                    kept = merged[command]["parameters"]
                    merged[command]["parameters"] = {k: v for k, v in kept.items() if k in found["parameters"]}
                else:
                    merged[command] = found
    names = sorted(path.rsplit("/", 1)[-1].removesuffix(".json") for path in profiles)
    print(json.dumps({"source": "PSScriptAnalyzer compatibility profiles", "profiles": names, "commands": merged},
                     indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Fail when a PowerShell file of the collection does not parse.

Uses the tree-sitter PowerShell grammar (no pwsh here). Checks every .ps1 and
.psm1 given on the command line, or every one under plugins/ and tests/integration/.
"""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from ps_spec_reader import syntax_errors  # noqa: E402  (sibling module, not a package)

ROOT = pathlib.Path(__file__).resolve().parents[2]


def powershell_files(arguments: list[str]) -> list[pathlib.Path]:
    if arguments:
        return [pathlib.Path(argument) for argument in arguments]
    found = []
    for folder in ("plugins", "tests/integration", "roles", "extensions"):
        found.extend(sorted((ROOT / folder).rglob("*.ps1")) + sorted((ROOT / folder).rglob("*.psm1")))
    return found


def main(arguments: list[str]) -> int:
    files = powershell_files(arguments)
    failures = 0
    for path in files:
        problems = syntax_errors(path.read_bytes())
        for problem in problems:
            print(f"{path}:{problem}")
        failures += bool(problems)
    print(f"powershell syntax: {len(files)} files checked, {failures} with errors")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

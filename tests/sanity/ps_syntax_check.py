"""Fail when a PowerShell (or C# module_utils) file of the collection does not parse.

Uses the tree-sitter PowerShell and C# grammars (no pwsh or .NET here). Checks
every .ps1, .psm1 and .cs given on the command line, or every one under
plugins/, roles/, extensions/ and tests/integration/. It proves syntax only:
nothing is compiled or run.
"""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import tree_sitter  # noqa: E402
import tree_sitter_c_sharp  # noqa: E402
from ps_spec_reader import syntax_errors  # noqa: E402  (sibling module, not a package)

CSHARP = tree_sitter.Parser(tree_sitter.Language(tree_sitter_c_sharp.language()))
SUFFIXES = (".ps1", ".psm1", ".cs")

ROOT = pathlib.Path(__file__).resolve().parents[2]


def powershell_files(arguments: list[str]) -> list[pathlib.Path]:
    if arguments:
        return [pathlib.Path(argument) for argument in arguments]
    found = []
    for folder in ("plugins", "tests/integration", "roles", "extensions"):
        found.extend(sorted(path for path in (ROOT / folder).rglob("*") if path.suffix in SUFFIXES))
    return found


def main(arguments: list[str]) -> int:
    files = powershell_files(arguments)
    failures = 0
    for path in files:
        source = path.read_bytes()
        problems = syntax_errors(source, CSHARP) if path.suffix == ".cs" else syntax_errors(source)
        for problem in problems:
            print(f"{path}:{problem}")
        failures += bool(problems)
    print(f"powershell/c# syntax: {len(files)} files checked, {failures} with errors")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

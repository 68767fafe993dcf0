"""Check that a built collection tarball ships what users need and nothing else.

Fails when tests, the lab, virtual environments, caches, build output or
developer-only files leak into the tarball, or when a required part is missing.
"""

from __future__ import annotations

import sys
import tarfile

REQUIRED = ("MANIFEST.json", "FILES.json", "README.md", "meta/runtime.yml")
REQUIRED_DIRS = ("plugins/",)
FORBIDDEN_PREFIXES = ("tests/", ".venv/", ".cache/", ".ansible/", "build/", "hack/", ".ci/", ".git/", "extensions/molecule/",
                      "requirements/")
FORBIDDEN_NAMES = ("ansible.cfg", "Makefile", ".gitignore")
FORBIDDEN_PARTS = ("__pycache__", ".pytest_cache")


def problems_in(names: list[str]) -> list[str]:
    problems = [f"missing {required}" for required in REQUIRED if required not in names]
    problems += [f"missing {folder}" for folder in REQUIRED_DIRS if not any(n.startswith(folder) for n in names)]
    for name in names:
        if name.startswith(FORBIDDEN_PREFIXES) or name in FORBIDDEN_NAMES or \
                any(part in FORBIDDEN_PARTS for part in name.split("/")) or name.endswith(".tar.gz"):
            problems.append(f"should not ship: {name}")
    return problems


def main(path: str) -> int:
    with tarfile.open(path) as archive:
        names = [member.name.removeprefix("./") for member in archive.getmembers()]
    problems = problems_in(names)
    for problem in problems:
        print(f"{path}: {problem}")
    print(f"collection build: {len(names)} entries, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

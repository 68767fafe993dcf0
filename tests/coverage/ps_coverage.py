"""Per-file line coverage of the collection's PowerShell, merged from Pester and from the lab.

    python tests/coverage/ps_coverage.py [--pester build/pester/coverage.xml]
        [--lab-dir .cache/ps-coverage/lab] [--allow tests/coverage/unreachable.yml]
        [--require-lab] [--threshold 80] [--summary build/ps-coverage/summary.txt]

Sources:

- Pester's code coverage over the Pester suite: the JaCoCo XML that
  tests/unit/powershell/run.ps1 has Pester write (``<line nr= mi= ci=>`` per line; a line is
  run when ``ci`` > 0). Pester names a file relative to a common parent
  (``<package name="plugins/modules">`` + ``<sourcefile name="modules/x.ps1">``), so a file is
  known by its folder and name.
- Ansible's own PowerShell coverage over the lab: with ``_ANSIBLE_COVERAGE_REMOTE_OUTPUT=<dir>/<prefix>``
  in the controller's environment, ansible-core's exec wrapper (coverage_wrapper.ps1) sets a
  breakpoint on every line where a command starts in the module and in each module_util it loads,
  and writes ``<prefix>=powershell-<version>=coverage.<host>.<pid>.<random>``: JSON
  ``{"<controller path>": [{"Line": n, "HitCount": k}, ...]}`` (a single entry is an object, not a
  list: PowerShell unrolls one-element arrays). The paths are those of the lab's collections tree:
  modules are links to the repository's files; module_utils are the lab's COPIES
  (tests/windows_sim/lab/New-WinSimLabRuntime.ps1), in which each boundary function of
  tests/windows_sim/boundary.psd1 has a simulated body. A copy's line is mapped back to the
  repository's file by a line diff of the two texts: lines the copy shares with the original map
  1:1 (after the offset the replaced bodies introduce); lines inside a replaced body have no
  original and are not credited. So the copy must still exist where the lab ran it.

Executable lines: the union of the lines either tool reports as coverable. Both take the lines
where a PowerShell ``CommandBaseAst`` starts (Pester's Get-CommandsInFile, Ansible's
New-CoverageBreakpointsForScriptBlock), so on the same text they agree; the union keeps a file
measurable when one source is absent (no lab data yet) and never lets a line count as executable
for one source and silently vanish for the other (a different PowerShell version, or a mapped
copy). A line is executed when either source hit it.

Check, per module (plugins/modules/*.ps1) and module_util (plugins/module_utils/*.psm1):
the file must appear in the data; at least ``--threshold`` percent of its executable lines
executed, or every unreached line explained in the allow-list (tests/coverage/unreachable.yml:
per file, ``functions: {name: reason}`` for functions no test can enter without Windows, and
``lines: {"Function-Name a-b": reason}`` (lines of that function, 1 = its ``Function`` line) or
``lines: {"a-b": reason}`` (lines of the file) for lines inside code that is otherwise reached). An allow-list entry that names no
unreached line, or a reached one, is itself an error: a claim the data contradicts.
With ``--require-lab`` every file must also be in the lab's data (every module runs in the lab).

Exit 0 when every check passes, 1 when one fails, 2 when an input cannot be read.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import pathlib
import re
import sys
from collections.abc import Iterable, Mapping
from xml.etree import ElementTree

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
COVERED_FOLDERS = {"modules": ".ps1", "module_utils": ".psm1"}
# ansible-core names each file <prefix>=powershell-<major.minor>=coverage.<host>.<pid>.<random>
ANSIBLE_COVERAGE_FILE = re.compile(r"=powershell-[0-9.]+=coverage\.")
# A controller path of one of our files, in the lab's collections tree or in the repository.
OUR_FILE = re.compile(r"(?:^|/)ansible_collections/hybrid_identity/entra_sync/plugins/(modules|module_utils)/([^/]+)$")
# Top-level functions: the collection's style writes them at column 0 and closes them with a
# lone "}" at column 0 (PSScriptAnalyzer's formatting rules hold it there).
FUNCTION_START = re.compile(r"^Function\s+([A-Za-z][\w-]*)\s*\{", re.IGNORECASE)
# "a-b" (lines of the file) or "Function-Name a-b" (lines of that function, 1 = its Function line).
LINE_RANGE = re.compile(r"^(?:([A-Za-z][\w-]*) )?(\d+)(?:-(\d+))?$")

LineHits = dict[int, int]


class CoverageInputError(Exception):
    """An input file is missing or not in the format its tool writes."""


def covered_files(root: pathlib.Path) -> list[str]:
    """Repository-relative paths of every file the coverage must name."""
    return sorted(
        str(path.relative_to(root))
        for folder, suffix in COVERED_FOLDERS.items()
        for path in (root / "plugins" / folder).glob(f"*{suffix}")
    )


def repo_path(folder: str, name: str) -> str | None:
    """plugins/<folder>/<name> when that is a file the coverage is about, else None."""
    suffix = COVERED_FOLDERS.get(folder)
    if suffix is None or not name.endswith(suffix):
        return None
    return f"plugins/{folder}/{name}"


# --- Pester -------------------------------------------------------------------------------------

def read_pester_jacoco(path: pathlib.Path) -> dict[str, LineHits]:
    """{repo path: {line: commands run on it}} from Pester's JaCoCo report (0 = coverable, not run)."""
    try:
        tree = ElementTree.parse(path)
    except (OSError, ElementTree.ParseError) as error:
        raise CoverageInputError(f"cannot read Pester's coverage {path}: {error}") from error
    result: dict[str, LineHits] = {}
    for package in tree.getroot().iter("package"):
        folder = package.get("name", "").rstrip("/").rsplit("/", 1)[-1]
        for source in package.iter("sourcefile"):
            name = source.get("name", "").rsplit("/", 1)[-1]
            file = repo_path(folder, name)
            if file is None:
                continue
            lines = result.setdefault(file, {})
            for line in source.iter("line"):
                number = int(line.get("nr", "0"))
                lines[number] = lines.get(number, 0) + int(line.get("ci", "0"))
    return result


# --- Ansible (lab) ------------------------------------------------------------------------------

def line_map(copy_text: str, original_text: str) -> dict[int, int]:
    """{copy line: original line} for the lines the copy shares with the original (1-based).

    A replaced function body is a block of the copy with no counterpart: its lines are absent.
    autojunk is off: lines such as "    }" are frequent and must still anchor the match.
    """
    copy_lines = [line.rstrip() for line in copy_text.splitlines()]
    original_lines = [line.rstrip() for line in original_text.splitlines()]
    matcher = difflib.SequenceMatcher(None, copy_lines, original_lines, autojunk=False)
    mapping: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            mapping[block.a + offset + 1] = block.b + offset + 1
    return mapping


def ansible_coverage_files(lab_dir: pathlib.Path) -> list[pathlib.Path]:
    """The files ansible-core's coverage wrapper wrote under lab_dir (any depth)."""
    if not lab_dir.is_dir():
        return []
    return sorted(path for path in lab_dir.rglob("*") if path.is_file() and ANSIBLE_COVERAGE_FILE.search(path.name))


def parse_ansible_hits(raw: object) -> LineHits:
    """One file's entry of a coverage file: [{"Line", "HitCount"}, ...], one such object, or null
    (PowerShell's ConvertTo-Json unrolls a one-element list and writes none as null)."""
    entries = raw if isinstance(raw, list) else [] if raw is None else [raw]
    hits: LineHits = {}
    for entry in entries:
        if not isinstance(entry, dict) or "Line" not in entry:
            raise CoverageInputError(f"not a breakpoint record: {entry!r}")
        hits[int(entry["Line"])] = hits.get(int(entry["Line"]), 0) + int(entry.get("HitCount") or 0)
    return hits


@dataclasses.dataclass
class LabData:
    """The lab's coverage mapped to repository files, and what could not be used."""

    lines: dict[str, LineHits] = dataclasses.field(default_factory=dict)
    files_read: int = 0
    empty_files: list[str] = dataclasses.field(default_factory=list)
    # (copy, line) of the simulated bodies in the lab's module_util copies: run, but not the shipped code
    unmapped_lines: set[tuple[str, int]] = dataclasses.field(default_factory=set)


def read_lab_coverage(lab_dir: pathlib.Path, root: pathlib.Path) -> LabData:
    """Every coverage file under lab_dir, mapped to the repository's files and summed."""
    data = LabData()
    maps: dict[str, tuple[str, dict[int, int]]] = {}
    for coverage_file in ansible_coverage_files(lab_dir):
        text = coverage_file.read_text(encoding="utf-8")
        if not text.strip():
            # A module killed while its coverage was being written leaves an empty file; say so, go on.
            data.empty_files.append(coverage_file.name)
            continue
        try:
            run = json.loads(text)
        except json.JSONDecodeError as error:
            raise CoverageInputError(f"{coverage_file}: not JSON: {error}") from error
        if not isinstance(run, dict):
            raise CoverageInputError(f"{coverage_file}: expected an object of paths")
        data.files_read += 1
        for controller_path, raw in run.items():
            match = OUR_FILE.search(controller_path.replace("\\", "/"))
            file = repo_path(*match.groups()) if match else None
            if file is None:
                continue  # ansible-core's own module_utils, other collections
            if controller_path not in maps:
                maps[controller_path] = (file, map_lab_file(pathlib.Path(controller_path), root / file))
            file, mapping = maps[controller_path]
            lines = data.lines.setdefault(file, {})
            for line, hits in parse_ansible_hits(raw).items():
                original = mapping.get(line)
                if original is None:
                    data.unmapped_lines.add((controller_path, line))
                    continue
                lines[original] = lines.get(original, 0) + hits
    return data


def map_lab_file(ran: pathlib.Path, original: pathlib.Path) -> dict[int, int]:
    """Line map of the file the lab ran (a link or a copy) onto the repository's file."""
    try:
        ran_text = ran.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise CoverageInputError(
            f"the lab ran {ran}, which is gone: its lines cannot be mapped to {original.name} "
            "(keep the lab's runtime until the coverage is merged)") from error
    original_text = original.read_text(encoding="utf-8-sig")
    if ran_text == original_text:
        return {line: line for line in range(1, original_text.count("\n") + 2)}
    return line_map(ran_text, original_text)


# --- the allow-list -----------------------------------------------------------------------------

def function_spans(text: str) -> dict[str, tuple[int, int]]:
    """{function name: (first line, last line)} of the top-level functions of a script."""
    lines = text.splitlines()
    spans: dict[str, tuple[int, int]] = {}
    for index, line in enumerate(lines):
        match = FUNCTION_START.match(line)
        if not match:
            continue
        end = next((j for j in range(index + 1, len(lines)) if lines[j].rstrip() == "}"), None)
        if end is not None:
            spans[match.group(1)] = (index + 1, end + 1)
    return spans


@dataclasses.dataclass(frozen=True)
class AllowEntry:
    """One explained stretch of a file: the lines it names and why no test reaches them."""

    file: str
    label: str  # "function X" or "lines a-b"
    lines: frozenset[int]
    reason: str


NOT_IN_LAB = "not_in_lab"


def read_allow_list(path: pathlib.Path, root: pathlib.Path, known_files: Iterable[str]) -> tuple[list[AllowEntry], list[str]]:
    """The allow-list's entries, and the errors in it (unknown file or function, no reason, bad range).
    A file's ``not_in_lab: reason`` comes back as an entry with no lines: --require-lab then accepts
    that no lab host ran the file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise CoverageInputError(f"cannot read the allow-list {path}: {error}") from error
    if not isinstance(raw, dict):
        raise CoverageInputError(f"{path}: expected a mapping of file -> {{functions, lines}}")
    known = set(known_files)
    entries: list[AllowEntry] = []
    errors: list[str] = []
    for file, sections in raw.items():
        if file not in known:
            errors.append(f"{path.name}: {file} is not a module or module_util")
            continue
        if not isinstance(sections, dict) or set(sections) - {"functions", "lines", NOT_IN_LAB}:
            errors.append(f"{path.name}: {file}: expected only 'functions', 'lines' and '{NOT_IN_LAB}'")
            continue
        if NOT_IN_LAB in sections:
            if _is_reason(sections[NOT_IN_LAB]):
                entries.append(AllowEntry(file, NOT_IN_LAB, frozenset(), sections[NOT_IN_LAB].strip()))
            else:
                errors.append(f"{path.name}: {file}: {NOT_IN_LAB} has no reason")
        text = (root / file).read_text(encoding="utf-8-sig")
        spans = function_spans(text)
        for name, reason in (sections.get("functions") or {}).items():
            if not _is_reason(reason):
                errors.append(f"{path.name}: {file}: function {name} has no reason")
            elif name not in spans:
                errors.append(f"{path.name}: {file} defines no function {name}")
            else:
                first, last = spans[name]
                entries.append(AllowEntry(file, f"function {name}", frozenset(range(first, last + 1)), reason.strip()))
        line_count = text.count("\n") + 1
        for stretch, reason in (sections.get("lines") or {}).items():
            match = LINE_RANGE.match(str(stretch))
            if not _is_reason(reason):
                errors.append(f"{path.name}: {file}: lines {stretch} have no reason")
            elif not match:
                errors.append(f"{path.name}: {file}: '{stretch}' is not 'a-b' or 'Function-Name a-b'")
            elif match.group(1) and match.group(1) not in spans:
                errors.append(f"{path.name}: {file} defines no function {match.group(1)}")
            else:
                # Lines counted within a function survive edits elsewhere in the file.
                base, limit = spans[match.group(1)] if match.group(1) else (1, line_count)
                first = base + int(match.group(2)) - 1
                last = base + int(match.group(3) or match.group(2)) - 1
                if not base <= first <= last <= limit:
                    errors.append(f"{path.name}: {file}: lines {stretch} are outside {match.group(1) or 'the file'}")
                else:
                    label = f"lines {stretch} ({compact(range(first, last + 1))})" if match.group(1) else f"lines {stretch}"
                    entries.append(AllowEntry(file, label, frozenset(range(first, last + 1)), reason.strip()))
    return entries, errors


def _is_reason(reason: object) -> bool:
    return isinstance(reason, str) and bool(reason.strip())


# --- merge and check ----------------------------------------------------------------------------

@dataclasses.dataclass
class FileReport:
    """One file's merged coverage and the verdict on it."""

    file: str
    executable: frozenset[int]
    by_pester: frozenset[int]
    by_lab: frozenset[int]
    in_pester: bool
    in_lab: bool
    explained: frozenset[int] = frozenset()
    problems: list[str] = dataclasses.field(default_factory=list)

    @property
    def executed(self) -> frozenset[int]:
        return self.by_pester | self.by_lab

    @property
    def unreached(self) -> frozenset[int]:
        return self.executable - self.executed

    @property
    def share(self) -> float:
        return 100.0 * len(self.executed) / len(self.executable) if self.executable else 0.0


def merge(files: Iterable[str], pester: Mapping[str, LineHits], lab: Mapping[str, LineHits]) -> list[FileReport]:
    """Per file: executable lines = union of both tools' coverable lines; executed = hit by either."""
    reports = []
    for file in files:
        pester_lines = pester.get(file, {})
        lab_lines = lab.get(file, {})
        reports.append(FileReport(
            file=file,
            executable=frozenset(pester_lines) | frozenset(lab_lines),
            by_pester=frozenset(line for line, hits in pester_lines.items() if hits > 0),
            by_lab=frozenset(line for line, hits in lab_lines.items() if hits > 0),
            in_pester=file in pester,
            in_lab=file in lab,
        ))
    return reports


def check(reports: list[FileReport], allow: list[AllowEntry], threshold: float, require_lab: bool) -> None:
    """Fill each report's explained lines and problems."""
    for report in reports:
        if not report.in_pester and not report.in_lab:
            report.problems.append("missing: neither Pester nor the lab reported this file")
            continue
        mine = [entry for entry in allow if entry.file == report.file]
        skips_lab = any(entry.label == NOT_IN_LAB for entry in mine)
        if require_lab and not report.in_lab and not skips_lab:
            report.problems.append("missing from the lab's data: no lab host ran it")
        elif skips_lab and report.in_lab:
            report.problems.append(f"allow-list {NOT_IN_LAB}: a lab host ran it now: remove the entry")
        explained: set[int] = set()
        for entry in (entry for entry in mine if entry.label != NOT_IN_LAB):
            named = entry.lines & report.executable
            reached = sorted(named & report.executed)
            if not named:
                report.problems.append(f"allow-list {entry.label} names no executable line")
            elif reached:
                report.problems.append(f"allow-list {entry.label} is reached at {compact(reached)}: narrow or remove it")
            else:
                explained |= named
        report.explained = frozenset(explained)
        unexplained = report.unreached - report.explained
        if report.share < threshold and unexplained:
            report.problems.append(
                f"{report.share:.1f}% < {threshold:g}% and {len(unexplained)} unreached line(s) not in the allow-list: {compact(unexplained)}")


def compact(lines: Iterable[int]) -> str:
    """1,2,3,7,9,10 -> '1-3, 7, 9-10'."""
    ranges: list[list[int]] = []
    for line in sorted(lines):
        if ranges and line == ranges[-1][1] + 1:
            ranges[-1][1] = line
        else:
            ranges.append([line, line])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges) or "-"


def render(reports: list[FileReport], threshold: float, lab_note: str) -> str:
    """The per-file table, then each file's unreached lines (explained ones marked)."""
    width = max(len(report.file) for report in reports)
    out = [
        f"PowerShell line coverage (Pester + lab), per file; threshold {threshold:g}% or every unreached line explained",
        f"  {lab_note}",
        f"  {'file':<{width}}  {'executed':>13}  {'share':>6}  {'pester-only':>11}  {'lab-only':>8}  {'both':>5}  {'unreached':>9}  result",
    ]
    for report in reports:
        verdict = "FAIL" if report.problems else ("ok" if report.share >= threshold else "ok (explained)")
        out.append(
            f"  {report.file:<{width}}  {len(report.executed):>5}/{len(report.executable):<7}  {report.share:>5.1f}%"
            f"  {len(report.by_pester - report.by_lab):>11}  {len(report.by_lab - report.by_pester):>8}"
            f"  {len(report.by_pester & report.by_lab):>5}  {len(report.unreached):>9}  {verdict}")
    out.append("")
    out.append("Unreached lines per file (explained: in tests/coverage/unreachable.yml):")
    for report in reports:
        if not report.unreached and not report.problems:
            continue
        out.append(f"  {report.file}:")
        unexplained = report.unreached - report.explained
        if unexplained:
            out.append(f"    not explained: {compact(unexplained)}")
        if report.explained:
            out.append(f"    explained:     {compact(report.explained)}")
        out.extend(f"    PROBLEM: {problem}" for problem in report.problems)
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--root", type=pathlib.Path, default=ROOT, help="the repository (default: this one)")
    parser.add_argument("--pester", type=pathlib.Path, help="Pester's JaCoCo XML (default: <root>/build/pester/coverage.xml)")
    parser.add_argument("--lab-dir", type=pathlib.Path, help="ansible-core's coverage files (default: <root>/.cache/ps-coverage/lab)")
    parser.add_argument("--allow", type=pathlib.Path, help="the allow-list (default: <root>/tests/coverage/unreachable.yml)")
    parser.add_argument("--threshold", type=float, default=80.0, help="share of executable lines each file must reach")
    parser.add_argument("--require-lab", action="store_true", help="fail when the lab's data is absent or lacks a file")
    parser.add_argument("--summary", type=pathlib.Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    root: pathlib.Path = args.root.resolve()
    pester_path = args.pester or root / "build" / "pester" / "coverage.xml"
    lab_dir = args.lab_dir or root / ".cache" / "ps-coverage" / "lab"
    allow_path = args.allow or root / "tests" / "coverage" / "unreachable.yml"

    files = covered_files(root)
    try:
        pester = read_pester_jacoco(pester_path)
        lab = read_lab_coverage(lab_dir, root)
        allow, allow_errors = read_allow_list(allow_path, root, files)
    except CoverageInputError as error:
        print(f"ps-coverage: {error}", file=sys.stderr)
        return 2

    if lab.files_read:
        lab_note = (f"lab: {lab.files_read} coverage file(s) from {lab_dir}"
                    f" ({len(lab.unmapped_lines)} line(s) of simulated boundary bodies not credited"
                    f"{f'; {len(lab.empty_files)} empty file(s) skipped' if lab.empty_files else ''})")
    else:
        lab_note = f"lab: NO DATA under {lab_dir}: these figures are Pester's alone"
    reports = merge(files, pester, lab.lines)
    check(reports, allow, args.threshold, args.require_lab)
    text = render(reports, args.threshold, lab_note)
    problems = [f"{report.file}: {problem}" for report in reports for problem in report.problems] + allow_errors
    if args.require_lab and not lab.files_read:
        problems.insert(0, f"the lab's coverage is required (--require-lab) and there is none under {lab_dir}")
    if problems:
        text += "\n\nps-coverage: FAILED\n" + "\n".join(f"  {problem}" for problem in problems)
    else:
        text += f"\n\nps-coverage: every one of {len(reports)} files passes"
    print(text)
    if args.summary:
        args.summary.parent.mkdir(parents=True, exist_ok=True)
        args.summary.write_text(text + "\n", encoding="utf-8")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

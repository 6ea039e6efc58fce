"""How often the structural tier fires on clean units and on buggy units of
the mined dataset (shared/data, see its README), per language and per check.

    python bench/precision_dev.py

Each record's unit is reviewed alone as a FileChange whose hunks are the
record's changed lines, through reviewer.engine.review, in two modes:
`file` (a finding anywhere in the unit counts) and `added` (only findings on
the record's changed lines). Writes bench/results/precision_dev.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import REPO_ROOT
from _report import RESULTS_DIR, machine_facts, markdown_table, write_result

from reviewer.checks import checks_for
from reviewer.config import Config, FilterMode
from reviewer.diff import ChangeSet, ChangeStatus, FileChange
from reviewer.engine import review
from reviewer.evaluate.run import hunks_for
from reviewer.findings import Finding
from reviewer.languages import registry

MODES: tuple[FilterMode, ...] = ("file", "added")
NEAR_LINES = 3  # a finding this close to a fixed line "points at the bug"
CLEAN_GOAL = 0.05
EXAMPLES_PER_CHECK = 3
TRAIN_LANGUAGES = ("javascript", "typescript", "rust", "java")
DATA_DIR = REPO_ROOT.parent / "shared" / "data"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=Path, default=DATA_DIR / "dev.jsonl")
    parser.add_argument(
        "--train",
        type=Path,
        default=DATA_DIR / "train.jsonl",
        help="secondary table for the languages dev lacks",
    )
    parser.add_argument("--train-languages", default=",".join(TRAIN_LANGUAGES))
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "precision_dev.md")
    return parser.parse_args(argv)


@dataclass
class UnitResult:
    id: str
    kind: str  # fix | clean
    language: str
    findings: list[Finding]
    fixed: tuple[int, ...]  # fixed_lines_in_unit (empty for clean units)


@dataclass
class Tally:
    """Counts of units, over one group (all, a language, a check)."""

    units: Counter[str] = field(default_factory=Counter)  # kind -> units
    flagged: Counter[str] = field(default_factory=Counter)  # kind -> units with a finding
    near: int = 0  # fix units with a finding near a fixed line
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, result: UnitResult, findings: list[Finding]) -> None:
        self.units[result.kind] += 1
        if not findings:
            return
        self.flagged[result.kind] += 1
        if result.kind == "fix" and near_fixed_line(findings, result.fixed):
            self.near += 1
        if len(self.examples[result.kind]) < EXAMPLES_PER_CHECK:
            first = findings[0]
            self.examples[result.kind].append(
                f"`{result.id}` line {first.line}: `{cell_code(first.snippet)}`"
            )


def cell_code(snippet: str) -> str:
    """The first line of a snippet, safe inside a markdown table's code span."""
    line = snippet.strip().split("\n", 1)[0][:70]
    return line.replace("`", "'").replace("|", "\\|")


def read_records(path: Path, languages: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
    wanted = set(languages) if languages else None
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if wanted is None or record["language"] in wanted:
                yield record


def review_unit(record: dict[str, Any], mode: FilterMode) -> list[Finding]:
    change = FileChange(
        path=record["path"],
        status=ChangeStatus.MODIFIED,
        new_text=record["unit_before"] + "\n",
        hunks=hunks_for(record["changed_lines_in_unit"]),
    )
    change_set = ChangeSet(root=Path("."), description=record["id"], files=(change,))
    return list(review(change_set, Config(filter_mode=mode)).findings)


def evaluate(
    records: Iterable[dict[str, Any]], mode: FilterMode
) -> tuple[list[UnitResult], list[str]]:
    results, errors = [], []
    for record in records:
        try:
            findings = review_unit(record, mode)
        except Exception as error:  # a crash is a result to report, not a stop
            errors.append(f"`{record['id']}`: {type(error).__name__}: {error}")
            traceback.print_exc(file=sys.stderr)
            continue
        results.append(
            UnitResult(
                record["id"],
                record["kind"],
                record["language"],
                findings,
                tuple(record["fixed_lines_in_unit"]),
            )
        )
    return results, errors


def near_fixed_line(findings: Iterable[Finding], fixed: Iterable[int]) -> bool:
    """A finding that spans a fixed line or starts within NEAR_LINES of one."""
    fixed = tuple(fixed)
    return any(
        abs(f.line - n) <= NEAR_LINES or f.line <= n <= f.end_line for f in findings for n in fixed
    )


def share(part: int, whole: int) -> str:
    return f"{part / whole:.1%} ({part}/{whole})" if whole else "n/a"


def language_rows(by_mode: dict[str, list[UnitResult]]) -> list[list[str]]:
    rows = []
    for mode, results in by_mode.items():
        groups: dict[str, Tally] = defaultdict(Tally)
        for result in results:
            groups[result.language].add(result, result.findings)
            groups["**all**"].add(result, result.findings)
        for language in sorted(groups, key=lambda name: (name == "**all**", name)):
            tally = groups[language]
            rows.append(
                [
                    mode,
                    language,
                    str(tally.units["clean"]),
                    str(tally.units["fix"]),
                    share(tally.flagged["clean"], tally.units["clean"]),
                    share(tally.flagged["fix"], tally.units["fix"]),
                    share(tally.near, tally.units["fix"]),
                ]
            )
    return rows


def check_tallies(results: list[UnitResult]) -> dict[str, Tally]:
    units: Counter[str] = Counter(result.kind for result in results)
    tallies: dict[str, Tally] = defaultdict(Tally)
    for result in results:
        by_rule: dict[str, list[Finding]] = defaultdict(list)
        for finding in result.findings:
            by_rule[finding.rule_id].append(finding)
        for rule, findings in by_rule.items():
            tallies[rule].add(result, findings)
    for tally in tallies.values():
        tally.units = Counter(units)  # shares are over all units of the kind
    return tallies


def check_table(results: list[UnitResult]) -> str:
    tallies = check_tallies(results)
    if not tallies:
        return "No check fired on any unit."
    rows = []
    ordered = sorted(tallies.items(), key=lambda item: (-item[1].flagged["clean"], item[0]))
    for rule, tally in ordered:
        rows.append(
            [
                f"`{rule}`",
                str(tally.flagged["clean"]),
                str(tally.flagged["fix"]),
                str(tally.near),
                "<br>".join(tally.examples["clean"]) or "-",
                "<br>".join(tally.examples["fix"]) or "-",
            ]
        )
    return markdown_table(
        [
            "check",
            "clean units flagged",
            "fix units flagged",
            "fix units, near a fixed line",
            "clean examples (id, line, code)",
            "fix examples",
        ],
        rows,
    )


def checks_loaded(languages: Iterable[str]) -> str:
    specs = registry()
    parts = []
    for name in sorted(set(languages)):
        check_set = checks_for(specs[name]) if name in specs else None
        count = len(check_set.checks) if check_set else 0
        parts.append(f"{name} {count}")
    return ", ".join(parts)


def section(title: str, by_mode: dict[str, list[UnitResult]], errors: list[str]) -> str:
    table = markdown_table(
        [
            "mode",
            "language",
            "clean units",
            "fix units",
            "clean units with >=1 finding",
            "fix units with >=1 finding",
            f"fix units with a finding within {NEAR_LINES} lines of a fixed line",
        ],
        language_rows(by_mode),
    )
    per_check = "\n\n".join(
        f"Per check, mode `{mode}`:\n\n{check_table(results)}" for mode, results in by_mode.items()
    )
    crash = (
        (
            "\n\n**The engine raised on these units:** "
            + "; ".join(errors[:10])
            + (f" (and {len(errors) - 10} more)" if len(errors) > 10 else "")
        )
        if errors
        else ""
    )
    return f"## {title}\n\n{table}{crash}\n\n{per_check}\n"


def run_split(
    path: Path, languages: Iterable[str] | None
) -> tuple[dict[str, list[UnitResult]], list[str], list[str]]:
    records = list(read_records(path, languages))
    by_mode: dict[str, list[UnitResult]] = {}
    errors: list[str] = []
    for mode in MODES:
        by_mode[mode], mode_errors = evaluate(records, mode)
        errors.extend(f"{mode}: {e}" for e in mode_errors)
    return by_mode, errors, sorted({r["language"] for r in records})


def verdict(by_mode: dict[str, list[UnitResult]]) -> str:
    lines = []
    for mode, results in by_mode.items():
        clean = [r for r in results if r.kind == "clean"]
        flagged = sum(1 for r in clean if r.findings)
        rate = flagged / len(clean) if clean else 0.0
        met = "met" if rate <= CLEAN_GOAL else "NOT met"
        lines.append(
            f"- mode `{mode}`: {share(flagged, len(clean))} of clean dev units flagged: "
            f"goal <= {CLEAN_GOAL:.0%} **{met}**"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.dev.is_file():
        print(f"bench: dataset not found: {args.dev} (give --dev PATH)", file=sys.stderr)
        return 2
    dev, dev_errors, dev_languages = run_split(args.dev, None)
    train_languages = [name for name in args.train_languages.split(",") if name]
    sections = [section(f"Dev split ({args.dev.name}, held out)", dev, dev_errors)]
    if args.train.is_file() and train_languages:
        train, train_errors, found = run_split(args.train, train_languages)
        sections.append(
            section(
                f"Secondary: train split ({args.train.name}), languages dev lacks "
                f"({', '.join(found)}). NOT held out: checks may have been written while "
                "looking at these repositories",
                train,
                train_errors,
            )
        )
    else:
        train_languages = []
        print(f"bench: no train split at {args.train}; secondary table skipped", file=sys.stderr)
    text = f"""# Structural tier on the mined units: how often it fires

Goal: at most {CLEAN_GOAL:.0%} of clean units get a finding (precision first).

{verdict(dev)}

{machine_facts({"checks loaded per language": checks_loaded([*dev_languages, *train_languages])})}

Reproduce (from the repository root, in the venv that has reviewer installed):

```
python bench/precision_dev.py --dev ../shared/data/dev.jsonl --train ../shared/data/train.jsonl
```

Each record's `unit_before` is reviewed alone with `reviewer.engine.review`, as a
FileChange at the record's `path` whose hunks are its `changed_lines_in_unit`
(for fix units those are the lines the fix changed, for clean units the lines the
clean commit added). Mode `file`: a finding anywhere in the unit counts. Mode
`added`: only findings on those changed lines. "Near a fixed line": a finding whose
line is within {NEAR_LINES} lines of one of `fixed_lines_in_unit`. A check that fires
on fix units as often as on clean units tells nothing; one that fires on clean
units is the noise to fix first.

{chr(10).join(sections)}"""
    path = write_result(args.output, text)
    print(path.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())

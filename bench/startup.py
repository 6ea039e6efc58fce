"""Start-up of `reviewer diff` on an empty diff, next to the interpreter
floor, git and ruff, timed interleaved in one run; plus the import profile
of that start-up (`python -X importtime -m reviewer diff`).

    python bench/startup.py --ruff /tmp/benchtools/bin/ruff

Writes bench/results/startup.md. See bench/README.md.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from _common import (
    NOT_INSTALLED,
    RUFF_RULES,
    WORK_DIR,
    Subject,
    crashed,
    exit_cell,
    find_tool,
    git,
    interleave,
    last_line,
    report_missing,
    tool_version,
)
from _report import (
    RESULTS_DIR,
    load_average,
    machine_facts,
    markdown_table,
    millis,
    ratio,
    spread,
    write_result,
)

TARGET_MS = 100.0
MODEL_RUNTIME = "llama_cpp"
_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)\s*$")
SAMPLE_FILES = {
    "app/__init__.py": '"""A small package."""\n',
    "app/core.py": "def add(a, b):\n    return a + b\n\n\ndef scale(values, k=2):\n"
    "    return [v * k for v in values]\n",
    "web/index.js": "function greet(name) {\n  return 'hello ' + name;\n}\n",
    "cmd/main.go": 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hi")\n}\n',
    "README.md": "A clean repository: the diff against HEAD is empty.\n",
}


@dataclass(frozen=True)
class ImportRecord:
    module: str
    self_us: int
    cumulative_us: int
    depth: int


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--repetitions", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    parser.add_argument("--importtime-runs", type=int, default=5, help="median over these")
    parser.add_argument("--work-dir", type=Path, default=WORK_DIR / "startup")
    parser.add_argument("--reviewer", help="reviewer executable (default: beside python, PATH)")
    parser.add_argument("--ruff", help="ruff executable (default: PATH)")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "startup.md")
    return parser.parse_args(argv)


def build_clean_repo(root: Path) -> Path:
    if root.exists():
        shutil.rmtree(root)
    for rel, text in SAMPLE_FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root


def build_subjects(args: argparse.Namespace, repo: Path) -> list[Subject]:
    reviewer = find_tool("reviewer", args.reviewer)
    ruff = find_tool("ruff", args.ruff)
    if reviewer is None:
        report_missing("reviewer", "--reviewer", "pip install -e . in a venv")
    if ruff is None:
        report_missing("ruff", "--ruff", "pip install ruff into /tmp/benchtools")
    return [
        Subject(
            "reviewer diff --no-color (empty diff)",
            [reviewer or "reviewer", "diff", "--no-color"],
            cwd=repo,
            missing=reviewer is None,
        ),
        Subject(
            "reviewer --version (argparse only)",
            [reviewer or "reviewer", "--version"],
            cwd=repo,
            missing=reviewer is None,
        ),
        Subject("python -c pass (interpreter floor)", [sys.executable, "-c", "pass"], cwd=repo),
        Subject(
            "python -c 'import reviewer.commands.diff' (its imports, no work)",
            [sys.executable, "-c", "import reviewer.commands.diff"],
            cwd=repo,
        ),
        Subject("git diff --quiet HEAD", ["git", "diff", "--quiet", "HEAD"], cwd=repo),
        Subject(
            f"ruff check --no-cache --isolated --select <{RUFF_RULES.count(',') + 1} rules> .",
            [ruff or "ruff", "check", "--no-cache", "--isolated", "--select", RUFF_RULES, "."],
            cwd=repo,
            missing=ruff is None,
        ),
    ]


def timing_table(subjects: list[Subject]) -> str:
    reference = subjects[0].median if subjects[0].runs else 0.0
    rows = []
    for subject in subjects:
        if subject.missing or not subject.runs:
            rows.append([subject.name, NOT_INSTALLED, "", "", "", ""])
            continue
        rows.append(
            [
                subject.name,
                *spread(subject.times, millis),
                ratio(subject.median, reference),
                exit_cell(subject),
            ]
        )
    return markdown_table(
        ["command", "median ms", "min ms", "max ms", "ratio to reviewer diff", "exit code"], rows
    )


def import_profile(repo: Path, runs: int) -> tuple[list[ImportRecord], str]:
    """`python -X importtime -m reviewer diff`, `runs` times; per module the
    median self and cumulative microseconds. Also the last run's stderr tail."""
    samples: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    tail = ""
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "reviewer", "diff", "--no-color"],
            cwd=repo,
            capture_output=True,
            text=True,
            check=False,
        )
        other = []
        for line in done.stderr.splitlines():
            match = _IMPORT_LINE.match(line)
            if match is None:
                other.append(line)
                continue
            self_us, cumulative_us, indent, module = match.groups()
            samples[module].append((int(self_us), int(cumulative_us), len(indent) // 2))
        tail = "\n".join(other[-3:])
    records = [
        ImportRecord(
            module,
            int(statistics.median(s[0] for s in values)),
            int(statistics.median(s[1] for s in values)),
            values[0][2],
        )
        for module, values in samples.items()
    ]
    return records, tail


def _module_rows(records: list[ImportRecord]) -> list[list[str]]:
    return [
        [
            f"`{'  ' * r.depth}{r.module}`",
            millis(r.cumulative_us / 1e6),
            millis(r.self_us / 1e6),
            str(r.depth),
        ]
        for r in records
    ]


def import_tables(records: list[ImportRecord]) -> str:
    header = ["module (indented by nesting)", "cumulative ms", "self ms", "depth"]
    by_cumulative = sorted(records, key=lambda r: r.cumulative_us, reverse=True)[:10]
    by_self = sorted(records, key=lambda r: r.self_us, reverse=True)[:10]
    per_package: dict[str, int] = defaultdict(int)
    for record in records:
        per_package[record.module.split(".")[0]] += record.self_us
    total = sum(per_package.values())
    top = sorted(per_package.items(), key=lambda item: item[1], reverse=True)[:10]
    package_rows = [
        [f"`{name}`", millis(us / 1e6), f"{us / total:.0%}" if total else ""] for name, us in top
    ]
    packages = markdown_table(["top-level package", "sum of self ms", "share"], package_rows)
    return (
        "Top 10 imports by cumulative time (a parent includes its children):\n\n"
        f"{markdown_table(header, _module_rows(by_cumulative))}\n\n"
        "Top 10 modules by self time (the module's own body, children excluded):\n\n"
        f"{markdown_table(header, _module_rows(by_self))}\n\n"
        "All imports summed by top-level package (self times, so nothing counts twice; "
        f"total {millis(total / 1e6)} ms over {len(records)} modules):\n\n{packages}"
    )


def _version(subject: Subject) -> str:
    if subject.missing or subject.command is None:
        return NOT_INSTALLED
    return tool_version([subject.command[0], "--version"])


def render(
    args: argparse.Namespace, subjects: list[Subject], records: list[ImportRecord], tail: str
) -> str:
    cli = subjects[0]
    versions = {
        "reviewer": _version(cli),
        "ruff": _version(subjects[-1]),
        "load average 1/5/15 min, at start": args.load_at_start,
    }
    if cli.runs and not any(crashed(run) for run in cli.runs):
        met = "met" if cli.median * 1000 < TARGET_MS else "NOT met"
        verdict = (
            f"**Target: `reviewer diff` on an empty diff under {TARGET_MS:.0f} ms: {met}** "
            f"(median {millis(cli.median)} ms; the interpreter floor alone is "
            f"{millis(subjects[2].median)} ms, importing the diff command's modules "
            f"{millis(subjects[3].median)} ms)."
        )
    elif cli.runs:
        verdict = (
            f"**Target not measured: `reviewer diff` crashed:** `{last_line(cli.runs[-1].stderr)}`"
        )
    else:
        verdict = "**Target not measured: reviewer is not installed.**"
    runtime = [r.module for r in records if r.module.split(".")[0] == MODEL_RUNTIME]
    model_note = (
        f"**The model runtime `{MODEL_RUNTIME}` is imported** on this path "
        f"({', '.join(runtime[:5])}): make it lazy."
        if runtime
        else f"The model runtime `{MODEL_RUNTIME}` is **not imported** on this path "
        f"(checked over {len(records)} imported modules)."
    )
    if not records:
        model_note = f"No import profile was recorded: `{tail}`"
    command = (
        "python bench/startup.py"
        + (f" -n {args.repetitions}" if args.repetitions != 30 else "")
        + (" --ruff /tmp/benchtools/bin/ruff")
    )
    return f"""# Start-up of `reviewer diff` on an empty diff

{verdict}

{machine_facts(versions)}

Reproduce (from the repository root, in the venv that has reviewer installed):

```
{command}
```

## Wall time, {args.repetitions} interleaved rounds (after {args.warmup} untimed warm-up rounds)

A clean git repository with {len(SAMPLE_FILES)} committed files (Python, JavaScript,
Go, Markdown); nothing changed, so every command has nothing to report. Each round
runs every command once, in an order rotated round by round.

{timing_table(subjects)}

## Where the start-up goes: `python -X importtime -m reviewer diff --no-color`

Median over {args.importtime_runs} runs in the same clean repository (importtime itself
adds overhead; read the numbers as shares, not as wall time).

{model_note}

{import_tables(records) if records else ""}
"""


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    args.load_at_start = load_average()
    repo = build_clean_repo(args.work_dir)
    subjects = build_subjects(args, repo)
    interleave(subjects, args.repetitions, args.warmup, quiet=True)
    records, tail = import_profile(repo, args.importtime_runs)
    path = write_result(args.output, render(args, subjects, records, tail))
    print(path.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Wall time of a whole structural review of a ~10k-line diff, next to ruff
and semgrep on the same files, timed interleaved in one run.

    python bench/structural_speed.py --ruff /tmp/benchtools/bin/ruff \
        --semgrep /tmp/benchtools/bin/semgrep

Writes bench/results/structural_speed.md. See bench/README.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from _common import (
    BENCH_DIR,
    NOT_INSTALLED,
    RUFF_RULES,
    WORK_DIR,
    Subject,
    crashed,
    find_tool,
    interleave,
    last_line,
    report_missing,
    tool_version,
)
from _corpus import Corpus, build_corpus
from _report import RESULTS_DIR, load_average, machine_facts, write_result
from _speed_tables import PROBE, phase_table, probe_table, timing_table

SEMGREP_RULES = BENCH_DIR / "semgrep_rules.yml"
TARGET_SECONDS = 1.0
INSTALL_HINT = "python -m venv /tmp/benchtools && /tmp/benchtools/bin/pip install ruff semgrep"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--repetitions", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first")
    parser.add_argument(
        "--profile-runs",
        type=int,
        default=3,
        help="runs of the profile and query-compile probes (0: none)",
    )
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--files-per-language", type=int, default=16)
    parser.add_argument("--functions", type=int, default=20, help="per file in the work tree")
    parser.add_argument("--work-dir", type=Path, default=WORK_DIR / "structural_speed")
    parser.add_argument("--reviewer", help="reviewer executable (default: beside python, PATH)")
    parser.add_argument("--ruff", help="ruff executable (default: PATH)")
    parser.add_argument("--semgrep", help="semgrep executable (default: PATH)")
    parser.add_argument(
        "--output", type=Path, default=RESULTS_DIR / "structural_speed.md", help="results file"
    )
    return parser.parse_args(argv)


def build_subjects(args: argparse.Namespace, corpus: Corpus) -> list[Subject]:
    repo = corpus.root
    reviewer = find_tool("reviewer", args.reviewer)
    ruff = find_tool("ruff", args.ruff)
    semgrep = find_tool("semgrep", args.semgrep)
    for name, path, flag, hint in (
        ("reviewer", reviewer, "--reviewer", "pip install -e . into this venv"),
        ("ruff", ruff, "--ruff", INSTALL_HINT),
        ("semgrep", semgrep, "--semgrep", INSTALL_HINT),
    ):
        if path is None:
            report_missing(name, flag, hint)
    python_files = corpus.changed["python"]
    return [
        Subject(
            "reviewer diff (CLI)",
            [reviewer or "reviewer", "diff", "--format", "json", "--no-color", "--no-model"],
            cwd=repo,
            missing=reviewer is None,
        ),
        Subject(
            PROBE,
            [sys.executable, str(BENCH_DIR / "_engine_probe.py"), str(repo)],
            cwd=repo,
        ),
        Subject(
            "ruff check",
            [
                ruff or "ruff",
                "check",
                "--no-cache",
                "--isolated",
                "--select",
                RUFF_RULES,
                "--output-format",
                "json",
                *python_files,
            ],
            cwd=repo,
            missing=ruff is None,
        ),
        Subject(
            "semgrep scan",
            [
                semgrep or "semgrep",
                "scan",
                "--config",
                str(SEMGREP_RULES),
                "--metrics",
                "off",
                "--disable-version-check",
                "--no-git-ignore",
                "--json",
                "--quiet",
                *corpus.all_paths,
            ],
            cwd=repo,
            missing=semgrep is None,
        ),
    ]


def _version(subject: Subject) -> str:
    if subject.missing or subject.command is None:
        return NOT_INSTALLED
    return tool_version([subject.command[0], "--version"])


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return NOT_INSTALLED


def render(
    args: argparse.Namespace, subjects: list[Subject], corpus: Corpus, extra: dict[str, str]
) -> str:
    cli, probe = subjects[0], subjects[1]
    versions = {
        "reviewer": _version(cli),
        "ruff": _version(subjects[2]),
        "semgrep": _version(subjects[3]),
        "tree-sitter (py-tree-sitter)": _package_version("tree-sitter"),
        "load average 1/5/15 min, at start": args.load_at_start,
    }
    if cli.runs and any(crashed(run) for run in cli.runs):
        verdict = "**Target not measured: the reviewer CLI crashed (see below).**"
    elif cli.runs:
        met = "met" if cli.median < TARGET_SECONDS else "NOT met"
        verdict = (
            f"**Target: whole structural review of the diff under {TARGET_SECONDS:.0f} s "
            f"on 2 cores: {met}** (CLI median {cli.median:.3f} s)."
        )
    else:
        verdict = "**Target not measured: reviewer is not installed.**"
    failures = sorted({last_line(run.stderr) for run in cli.runs if crashed(run)})
    failure_note = (
        (
            "\n  **The CLI crashed, so its time is not a review:** "
            + "; ".join(f"`{line}`" for line in failures)
        )
        if failures
        else ""
    )
    per_language = ", ".join(
        f"{lang} {len(paths)} files / {corpus.changed_lines(lang):,} lines"
        for lang, paths in corpus.changed.items()
    )
    command = (
        "python bench/structural_speed.py"
        + (f" -n {args.repetitions}" if args.repetitions != 7 else "")
        + " --ruff /tmp/benchtools/bin/ruff --semgrep /tmp/benchtools/bin/semgrep"
    )
    return f"""# Structural review speed on a {corpus.changed_lines():,}-line diff

{verdict}

{machine_facts(versions)}

Reproduce (from the repository root, in the venv that has reviewer installed;
peers installed as in bench/README.md):

```
{command}
```

## The diff

A synthetic git repository built by `bench/_corpus.py` from the templates in
`bench/templates/` (seed {args.seed}, {args.files_per_language} files per language,
{args.functions} functions per work-tree file, about 20% of them carrying a planted
defect): the base commit holds smaller versions of the files, the work tree modifies
functions and inserts new ones; {corpus.new_files} files are new (untracked).
Changed (added or modified) lines: **{corpus.changed_lines():,} in {len(corpus.all_paths)} files**
({per_language}).

## Wall time, {args.repetitions} interleaved rounds (after {args.warmup} untimed warm-up round)

Each round runs every tool once, in an order rotated round by round. Times are
whole subprocesses started from the repository directory.

{timing_table(subjects, corpus)}

- `reviewer diff --format json --no-color`: the whole CLI review (start-up, git,
  parsing, checks, filter, JSON output) of the work tree against HEAD.{failure_note}
- reviewer engine probe: `bench/_engine_probe.py`, a fresh Python process that
  imports reviewer, builds the ChangeSet with `reviewer.git.ChangeReader` and calls
  `reviewer.engine.review` twice (phases below).
- `ruff check --no-cache --isolated --select {RUFF_RULES}` on the changed Python files only.
- `semgrep scan --config bench/semgrep_rules.yml --metrics off --disable-version-check
  --no-git-ignore` on all changed files (local rules equivalent to a handful of
  reviewer's checks per language; the registry is unreachable offline).
- Findings differ by design: each tool has its own rule set; the column shows the
  tools did real work on the same files.

## In-process phases of the review (engine probe, {len(probe.runs)} runs)

{phase_table(probe)}

## Where the review time goes

cProfile of one warm in-process review (`bench/_engine_probe.py REPO --profile`),
median of {args.profile_runs} runs; cumulative time per function, so callers include
their callees, and cProfile inflates Python-level work. Read as shares.

{extra["profile"]}

Compiling the query files (once per process and language, on the first file of
that language; `bench/_engine_probe.py REPO --queries`, median of {args.profile_runs} runs):

{extra["queries"]}
"""


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    args.load_at_start = load_average()
    print(f"bench: building the repository in {args.work_dir}", file=sys.stderr)
    corpus = build_corpus(args.work_dir, args.seed, args.files_per_language, args.functions)
    print(
        f"bench: {corpus.changed_lines():,} changed lines in {len(corpus.all_paths)} files",
        file=sys.stderr,
    )
    subjects = build_subjects(args, corpus)
    interleave(subjects, args.repetitions, args.warmup)
    extra = {"profile": "Not run.", "queries": "Not run."}
    if args.profile_runs:
        extra["profile"] = probe_table(
            corpus.root, args.profile_runs, "--profile", ["function", "cumulative s (median)"]
        )
        extra["queries"] = probe_table(
            corpus.root, args.profile_runs, "--queries", ["query file", "compile s (median)"]
        )
    text = render(args, subjects, corpus, extra)
    path = write_result(args.output, text)
    print(path.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())

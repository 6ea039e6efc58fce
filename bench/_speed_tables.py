"""Tables of structural_speed.py: tool timings, the engine probe's phases,
its profile and query-compile times."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

from _common import BENCH_DIR, NOT_INSTALLED, Subject, exit_cell, last_line
from _corpus import Corpus
from _report import markdown_table, ratio, seconds, spread
from _templates import LANGUAGES

PROBE = "reviewer engine (in-process probe)"
LANGUAGE_NAMES = frozenset(lang.name for lang in LANGUAGES)


def count_findings(stdout: str) -> int | None:
    """Findings in a tool's JSON output: a list, or an object holding a
    `findings` (reviewer) or `results` (semgrep) list."""
    try:
        data = json.loads(stdout)
    except ValueError:
        return None
    if isinstance(data, list):
        return len(data)
    if isinstance(data, dict):
        for key in ("findings", "results"):
            value = data.get(key)
            if isinstance(value, list):
                return len(value)
    return None


def _findings_cell(subject: Subject) -> str:
    counts = {count_findings(run.stdout) for run in subject.runs}
    return ", ".join("n/a" if c is None else str(c) for c in sorted(counts, key=str))


def _row(
    name: str,
    scope: tuple[int, int],
    times: list[float],
    reference: float,
    exits: str,
    findings: str,
) -> list[str]:
    files, lines = scope
    return [
        name,
        str(files),
        f"{lines:,}",
        *spread(times),
        ratio(statistics.median(times), reference),
        exits,
        findings,
    ]


def timing_table(subjects: list[Subject], corpus: Corpus) -> str:
    """One row per tool; the engine probe gives two derived rows (its own
    process time, which reviews twice, is not a comparable number)."""
    everything = (len(corpus.all_paths), corpus.changed_lines())
    python_only = (len(corpus.changed["python"]), corpus.changed_lines("python"))
    reference = subjects[0].median if subjects[0].runs else 0.0
    rows = []
    for subject in subjects:
        scope = python_only if subject.name.startswith("ruff") else everything
        if subject.missing or not subject.runs:
            rows.append(
                [subject.name, str(scope[0]), f"{scope[1]:,}", NOT_INSTALLED, "", "", "", "", ""]
            )
        elif subject.name == PROBE:
            phases = probe_phases(subject)
            findings = ", ".join(sorted({str(p["findings"]) for p in phases}))
            if phases:
                rows.append(
                    _row(
                        "reviewer engine in-process: git read + first review",
                        scope,
                        [p["read"] + p["review_cold"] for p in phases],
                        reference,
                        "-",
                        findings,
                    )
                )
                rows.append(
                    _row(
                        "reviewer engine in-process: warm review (queries compiled)",
                        scope,
                        [p["review_warm"] for p in phases],
                        reference,
                        "-",
                        findings,
                    )
                )
        else:
            rows.append(
                _row(
                    subject.name,
                    scope,
                    subject.times,
                    reference,
                    exit_cell(subject),
                    _findings_cell(subject),
                )
            )
    header = [
        "tool",
        "files",
        "changed lines",
        "median s",
        "min s",
        "max s",
        "ratio to reviewer diff",
        "exit code",
        "findings",
    ]
    return markdown_table(header, rows)


def probe_phases(probe: Subject) -> list[dict[str, float]]:
    return [json.loads(run.stdout) for run in probe.runs if run.returncode == 0]


def phase_table(probe: Subject) -> str:
    """The in-process probe's phases, median over its runs."""
    phases = probe_phases(probe)
    if not phases:
        failed = last_line(probe.runs[-1].stderr) if probe.runs else "no runs"
        return f"The in-process probe failed: `{failed}`"
    labels = {
        "import": "import reviewer (engine, git, config)",
        "read": "read the change set from git (ChangeReader.working_tree)",
        "review_cold": "review, first call in the process (compiles the queries)",
        "review_warm": "review, second call (queries cached)",
    }
    rows = []
    for key, label in labels.items():
        values = [phase[key] for phase in phases]
        rows.append([label, *spread(values)])
    read_review = [p["read"] + p["review_cold"] for p in phases]
    rows.append(["**read + first review (the work a CLI run does)**", *spread(read_review)])
    last = phases[-1]
    counts = (
        f"Engine counts: {last['files']} files reviewed, {last['units']} review units, "
        f"{last['findings']} findings, {last['skipped']} files skipped."
    )
    return markdown_table(["phase", "median s", "min s", "max s"], rows) + "\n\n" + counts


def probe_table(repo: Path, runs: int, mode: str, header: list[str]) -> str:
    """Median seconds per key over `runs` probe runs in `mode` (--profile:
    cumulative seconds per function; --queries: compile seconds per file)."""
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, str(BENCH_DIR / "_engine_probe.py"), str(repo), mode],
            cwd=repo,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            return f"The probe ({mode}) failed: `{last_line(done.stderr)}`"
        for name, value in json.loads(done.stdout).items():
            samples.setdefault(name, []).append(value)
    ranked = sorted(samples.items(), key=lambda item: statistics.median(item[1]), reverse=True)
    rows = [[f"`{name}`", seconds(statistics.median(values))] for name, values in ranked]
    if mode == "--queries":
        mine = [v for k, v in samples.items() if k.split()[0] in LANGUAGE_NAMES]
        rows.append(
            [
                f"**the {len(LANGUAGE_NAMES)} languages of this diff**",
                seconds(sum(statistics.median(values) for values in mine)),
            ]
        )
        total = sum(statistics.median(values) for values in samples.values())
        rows.append(["**all query files**", seconds(total)])
    return markdown_table(header, rows)

"""What the benchmark scripts share to measure: finding tools, git, interleaved
timing. What they share to write results is in _report.py. Standard library
only."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO_ROOT / "bench"
WORK_DIR = BENCH_DIR / ".work"  # gitignored
NOT_INSTALLED = "not installed"
# The bug-finding ruff rules the peers run (pinned: ruff's default set changes).
RUFF_RULES = "E711,E712,E721,E722,B006,B008,F632,S105,S106,S307,S608,T100"

# Git without the user's or the machine's config: reproducible repositories.
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00+00:00",
}


def find_tool(name: str, explicit: str | None) -> str | None:
    """An executable: the flag's value, else next to this interpreter, else PATH."""
    if explicit:
        return explicit if Path(explicit).is_file() or shutil.which(explicit) else None
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    return shutil.which(name)


def report_missing(name: str, flag: str, hint: str) -> None:
    print(
        f"bench: {name} not found (give {flag} PATH or put it on PATH; {hint}); "
        f"its row will say '{NOT_INSTALLED}'",
        file=sys.stderr,
    )


def tool_version(command: Sequence[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return NOT_INSTALLED
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if text else "unknown"


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


@dataclass
class Run:
    seconds: float
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Subject:
    """One thing to time: a command (or a Python callable) and its runs."""

    name: str
    command: Sequence[str] | None = None
    cwd: Path | None = None
    call: Callable[[], Run] | None = None
    runs: list[Run] = field(default_factory=list)
    missing: bool = False
    note: str = ""

    def run_once(self) -> Run:
        if self.call is not None:
            return self.call()
        assert self.command is not None
        start = time.perf_counter()
        done = subprocess.run(
            list(self.command), cwd=self.cwd, capture_output=True, text=True, check=False
        )
        elapsed = time.perf_counter() - start
        return Run(elapsed, done.returncode, done.stdout, done.stderr)

    @property
    def times(self) -> list[float]:
        return [run.seconds for run in self.runs]

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def crashed(run: Run) -> bool:
    """Exit 1 means findings for reviewer, but also an uncaught exception."""
    return run.returncode not in (0, 1) or "Traceback (most recent call last)" in run.stderr


def exit_cell(subject: Subject) -> str:
    """The exit codes a subject's runs ended with, and whether any crashed."""
    codes = ", ".join(str(code) for code in sorted({run.returncode for run in subject.runs}))
    return codes + (" (crashed)" if any(crashed(run) for run in subject.runs) else "")


def last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else "no output"


def interleave(
    subjects: Sequence[Subject], repetitions: int, warmup: int = 1, quiet: bool = False
) -> None:
    """Time every subject `repetitions` times, round-robin, rotating the order
    each round so no subject always runs first (or right after a heavy one).
    Warm-up rounds are run and thrown away."""
    active = [s for s in subjects if not s.missing]
    for round_index in range(warmup + repetitions):
        shift = round_index % max(1, len(active))
        order = active[shift:] + active[:shift]
        for subject in order:
            run = subject.run_once()
            if round_index >= warmup:
                subject.runs.append(run)
        if not quiet:
            label = "warm-up" if round_index < warmup else f"round {round_index - warmup + 1}"
            print(f"bench: {label}/{repetitions} done", file=sys.stderr)

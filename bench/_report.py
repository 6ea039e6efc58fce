"""What the benchmark scripts share to write results: the environment header
(machine facts) every result page starts with, number formats, markdown
tables and writing the page. Standard library only."""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from _common import REPO_ROOT, git, tool_version

RESULTS_DIR = REPO_ROOT / "bench" / "results"


def seconds(value: float) -> str:
    return f"{value:.3f}"


def millis(value: float) -> str:
    return f"{value * 1000:.1f}"


def ratio(value: float, reference: float) -> str:
    return f"{value / reference:.2f}x" if reference > 0 else "n/a"


def spread(times: Sequence[float], unit: Callable[[float], str] = seconds) -> list[str]:
    """Median, min and max of `times`: a timing row's usual three cells."""
    return [unit(statistics.median(times)), unit(min(times)), unit(max(times))]


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> str:
    """1, 5 and 15 minute load averages: how busy the shared machine was."""
    try:
        return " / ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def machine_facts(extra: Mapping[str, str] | None = None) -> str:
    """A markdown bullet list: date, cores, CPU, OS, Python, git, extras."""
    facts = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cores (nproc)": str(os.cpu_count()),
        "cpu": cpu_model(),
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_version()} ({sys.executable})",
        "git": tool_version(["git", "--version"]),
        "reviewer commit": _reviewer_commit(),
        "load average 1/5/15 min, when written": load_average(),
        **(extra or {}),
    }
    return "\n".join(f"- {key}: {value}" for key, value in facts.items())


def _reviewer_commit() -> str:
    try:
        sha = git(REPO_ROOT, "rev-parse", "--short", "HEAD").strip()
        dirty = git(REPO_ROOT, "status", "--porcelain", "--", "reviewer", "grammars").strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{sha}{' + uncommitted changes in reviewer/ or grammars/' if dirty else ''}"


def write_result(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    print(f"bench: wrote {path}", file=sys.stderr)
    return path

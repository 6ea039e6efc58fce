"""The JIT changes mined by `reviewer dataset szz`, as arrays for the bench.

Only changes at least a year older than their repository's newest commit
are used, buggy and clean alike: SZZ needs later history to find a change's
fix, and clean changes are only kept when that old, so a newer buggy change
would let a model learn "recent means buggy" from the label rule."""

from __future__ import annotations

import argparse
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.stats import rankdata

from reviewer.dataset.heuristics import is_comment_or_blank
from reviewer.history import FEATURES
from reviewer.jit.record import read_records
from reviewer.jit.tokens import change_tokens, line_tokens
from reviewer.languages import comment_tokens
from reviewer.risk.jit_logistic import UNLOGGED

YEAR = 365 * 86400
DATA = Path("/work/data-jit/raw")  # `reviewer dataset szz` output, outside the project
MIRRORS = Path("/work/.mirror")  # the fetched repositories it was mined from
LOG_FEATURES = UNLOGGED  # the others are counts or days: log1p, as the shipped scorer does


@dataclass(frozen=True)
class ChangeLines:
    """The added code lines of a buggy change, for line-level ranking."""

    texts: list[str]
    tokens: list[list[str]]
    buggy: np.ndarray  # bool per line


@dataclass(frozen=True)
class JitData:
    repos: np.ndarray  # str per change
    times: np.ndarray
    y: np.ndarray  # 1 buggy, 0 clean
    process: np.ndarray  # the 14 metrics, counts log1p'd
    ranked: np.ndarray  # the 14 metrics as quantiles within their repository
    raw: dict[str, np.ndarray]  # LA and NF untransformed
    bags: list[Counter[str]]
    lines: list[ChangeLines | None]  # buggy changes only
    ids: list[str]


def newest_time(mirror: Path) -> int:
    git_dir = mirror / "repo" if (mirror / "repo").is_dir() else mirror
    out = subprocess.run(["git", "--git-dir", str(git_dir), "log", "-1", "--format=%ct"],
                         capture_output=True, text=True, check=True)  # fmt: skip
    return int(out.stdout.strip())


def load(data_dir: Path, mirrors: Path) -> JitData:
    repos, times, y, rows, bags, lines, ids = [], [], [], [], [], [], []
    for path in sorted(data_dir.glob("*.jsonl")):
        cutoff = newest_time(mirrors / path.stem) - YEAR
        for record in read_records(path):
            if record.time > cutoff:
                continue
            repos.append(record.repo)
            times.append(record.time)
            y.append(int(record.label == "buggy"))
            rows.append([record.features[name] for name in FEATURES])
            bags.append(change_tokens(record))
            lines.append(_lines(record) if record.label == "buggy" else None)
            ids.append(record.id)
    matrix = np.asarray(rows, dtype=float)
    process = matrix.copy()
    for column, name in enumerate(FEATURES):
        if name not in LOG_FEATURES:
            process[:, column] = np.log1p(np.maximum(matrix[:, column], 0))
    raw = {name: matrix[:, FEATURES.index(name)] for name in ("la", "nf")}
    groups = np.asarray(repos)
    return JitData(groups, np.asarray(times), np.asarray(y), process, _ranked(matrix, groups),
                   raw, bags, lines, ids)  # fmt: skip


def _ranked(matrix: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each metric as its quantile among the repository's changes: a new
    repository's scale (its sizes, team, age) stops mattering. It reads the
    repository's feature distribution, never its labels."""
    ranked = np.zeros_like(matrix)
    for group in np.unique(groups):
        rows = groups == group
        ranked[rows] = rankdata(matrix[rows], axis=0) / rows.sum()
    return ranked


def _lines(record: object) -> ChangeLines | None:
    from reviewer.jit.record import JitRecord

    assert isinstance(record, JitRecord)
    texts, tokens, buggy = [], [], []
    for diff in record.files:
        comments = comment_tokens(diff.path)
        marked = set(diff.buggy)
        for number, text in diff.added:
            if is_comment_or_blank(text, comments):
                continue  # SZZ never labels these: ranking them is free
            texts.append(text)
            tokens.append(["+" + t for t in line_tokens(text)])
            buggy.append(number in marked)
    if not any(buggy):
        return None
    return ChangeLines(texts, tokens, np.asarray(buggy))


def data_arguments(description: str, result: Path) -> argparse.ArgumentParser:
    """The options every JIT bench takes: where the mined changes and their
    mirrors are, and where the page goes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--mirrors", type=Path, default=MIRRORS)
    parser.add_argument("--output", type=Path, default=result)
    return parser

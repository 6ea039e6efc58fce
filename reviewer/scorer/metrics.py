"""The scorer's arithmetic on labelled units, pure numpy.

Per buggy unit the top-scored line is the pick: hit@k when it lies within k
lines of a labelled line; chance@k is a random changed line's chance of the
same. A unit's score is its best line's; AUROC separates buggy from clean
units by it. At a threshold: the shares of clean and buggy units flagged,
and of buggy units flagged with the flagged line within 3 of the bug."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Scored:
    """One unit: its scored lines with their scores, its labelled lines."""

    lines: tuple[int, ...]
    scores: npt.NDArray[np.float64]
    labelled: tuple[int, ...]  # () for a clean unit

    @property
    def buggy(self) -> bool:
        return bool(self.labelled)

    @property
    def best(self) -> float:
        return float(self.scores.max())

    def top(self) -> int:
        return self.lines[int(np.argmax(self.scores))]

    def tied_top(self) -> list[int]:
        """Every line sharing the best score (a unit-level score ties them all)."""
        return [n for n, s in zip(self.lines, self.scores, strict=True) if s == self.scores.max()]

    def top_hit(self, k: int) -> float:
        """The chance that the top line is within k of a labelled line, ties
        broken uniformly at random."""
        tied = self.tied_top()
        return sum(near(n, self.labelled, k) for n in tied) / len(tied)


def near(line: int, labelled: Sequence[int], k: int) -> bool:
    return any(abs(line - target) <= k for target in labelled)


def auroc(positive: Sequence[float], negative: Sequence[float]) -> float:
    """P(a random positive scores above a random negative), ties count half."""
    if not positive or not negative:
        return float("nan")
    values = np.concatenate([np.asarray(positive, float), np.asarray(negative, float)])
    order = values.argsort(kind="mergesort")
    ranks = np.empty(len(values))
    sorted_values = values[order]
    i = 0
    while i < len(values):  # average ranks over ties
        j = i
        while j + 1 < len(values) and sorted_values[j + 1] == sorted_values[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    n_pos = len(positive)
    u = ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2
    return float(u / (n_pos * len(negative)))


@dataclass(frozen=True)
class Quality:
    buggy_units: int
    clean_units: int
    hit: dict[int, float]
    chance: dict[int, float]
    auroc: float

    def ratio(self, k: int) -> float:
        return self.hit[k] / self.chance[k] if self.chance[k] else float("nan")


def quality(units: Sequence[Scored], ks: Sequence[int] = (0, 3)) -> Quality:
    buggy = [u for u in units if u.buggy]
    clean = [u for u in units if not u.buggy]
    hit, chance = {}, {}
    for k in ks:
        hit[k] = float(np.mean([u.top_hit(k) for u in buggy])) if buggy else 0.0
        chance[k] = (
            float(np.mean([np.mean([near(n, u.labelled, k) for n in u.lines]) for u in buggy]))
            if buggy
            else 0.0
        )
    score = auroc([u.best for u in buggy], [u.best for u in clean])
    return Quality(len(buggy), len(clean), hit, chance, score)


@dataclass(frozen=True)
class Gate:
    threshold: float
    clean_flagged: float
    buggy_flagged: float
    buggy_localised: float  # flagged, and the flagged line within 3 of the bug


def at_threshold(units: Sequence[Scored], threshold: float) -> Gate:
    buggy = [u for u in units if u.buggy]
    clean = [u for u in units if not u.buggy]
    flagged = [u for u in buggy if u.best >= threshold]
    return Gate(
        threshold,
        float(np.mean([u.best >= threshold for u in clean])) if clean else 0.0,
        len(flagged) / len(buggy) if buggy else 0.0,
        sum(u.top_hit(3) for u in flagged) / len(buggy) if buggy else 0.0,
    )

"""The arithmetic of `reviewer eval`, pure and exact.

hit@k: share of buggy units with a comment within k lines of a labelled
line. chance@k: the same for a random commenter that puts as many comments
as the configuration did on that unit on distinct candidate lines drawn
uniformly: with c comments on n candidate lines of which g lie within k of a
labelled line, P(hit) = 1 - C(n-g, c) / C(n, c). Lift = hit - chance."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from math import comb

KS = (0, 3)


@dataclass(frozen=True)
class Outcome:
    """What one configuration did on one unit (lines relative to the unit)."""

    record_id: str
    buggy: bool
    candidates: tuple[int, ...]  # the lines marked as changed
    labelled: tuple[int, ...]  # the defect's lines ([] for clean units)
    comments: tuple[int, ...]  # distinct commented lines, all among the candidates
    seconds: float


def near(line: int, labelled: Sequence[int], k: int) -> bool:
    return any(abs(line - target) <= k for target in labelled)


def chance_hit(candidates: Sequence[int], labelled: Sequence[int], comments: int, k: int) -> float:
    n = len(candidates)
    good = sum(1 for line in candidates if near(line, labelled, k))
    c = min(comments, n)
    if c <= 0 or good == 0:
        return 0.0
    return 1.0 - comb(n - good, c) / comb(n, c)


@dataclass(frozen=True)
class Summary:
    buggy_units: int
    clean_units: int
    hit: dict[int, float]
    chance: dict[int, float]
    precision: dict[int, float | None]  # None: no comments at all
    comments: int
    clean_commented: float  # share of clean units with any comment
    clean_per_kloc: float  # comments per 1,000 candidate lines of clean units
    seconds_mean: float
    seconds_p95: float

    def lift(self, k: int) -> float:
        return self.hit[k] - self.chance[k]


def summarize(outcomes: Sequence[Outcome]) -> Summary:
    buggy = [o for o in outcomes if o.buggy]
    clean = [o for o in outcomes if not o.buggy]
    comments = sum(len(o.comments) for o in outcomes)
    hit, chance, precision = {}, {}, {}
    for k in KS:
        hits = sum(1 for o in buggy if any(near(c, o.labelled, k) for c in o.comments))
        hit[k] = hits / len(buggy) if buggy else 0.0
        odds = [chance_hit(o.candidates, o.labelled, len(o.comments), k) for o in buggy]
        chance[k] = sum(odds) / len(buggy) if buggy else 0.0
        right = sum(1 for o in buggy for c in o.comments if near(c, o.labelled, k))
        precision[k] = right / comments if comments else None
    clean_lines = sum(len(o.candidates) for o in clean)
    clean_comments = sum(len(o.comments) for o in clean)
    seconds = sorted(o.seconds for o in outcomes) or [0.0]
    return Summary(
        buggy_units=len(buggy),
        clean_units=len(clean),
        hit=hit,
        chance=chance,
        precision=precision,
        comments=comments,
        clean_commented=sum(1 for o in clean if o.comments) / len(clean) if clean else 0.0,
        clean_per_kloc=1000 * clean_comments / clean_lines if clean_lines else 0.0,
        seconds_mean=statistics.fmean(seconds),
        seconds_p95=seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))],
    )

"""The change's risk: how likely the whole change is to need a fix, and
which of its added lines to read first, each with the reasons behind it.

Records only (no numpy, no git): the engine, the formatters and every
surface read them; the scorers that fill them live elsewhere."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

LOOK_FIRST = 5  # lines a change's risk lists, highest score first


@dataclass(frozen=True)
class FileFacts:
    """One changed file as the change scorer sees it."""

    path: str
    language: str | None  # None: no grammar, so not reviewable code
    added: int  # lines added (as git's numstat counts them)


@dataclass(frozen=True)
class ChangeFacts:
    """What a change-level scorer reads of a change: its files, the
    repository's recent changes (newest first, read at the edge from the
    history behind the change) to rank it among them, and the change's
    just-in-time metrics (reviewer.history.FEATURES: Kamei's 14, from
    nothing later than the change's base; None where no history was read)."""

    files: tuple[FileFacts, ...]
    recent: tuple[ChangeFacts, ...] = ()
    history: Mapping[str, float] | None = None

    @property
    def code_files(self) -> tuple[FileFacts, ...]:
        return tuple(f for f in self.files if f.language is not None and f.added > 0)

    @property
    def lines_added(self) -> int:
        """Lines added to reviewable code (files in a known language)."""
        return sum(f.added for f in self.code_files)


@dataclass(frozen=True)
class ChangeScore:
    probability: float
    reasons: tuple[str, ...]  # why, in words, largest first


class ChangeScorer(Protocol):
    """Scores a whole change. The first one reads lines added only; the
    change-level model (reviewer/jit) plugs in here with the same record."""

    @property
    def calibrated(self) -> bool:
        """Whether `probability` is a calibrated probability (or only a
        score that orders changes)."""
        ...

    @property
    def name(self) -> str: ...

    def score(self, change: ChangeFacts) -> ChangeScore: ...


@dataclass(frozen=True)
class RiskLine:
    path: str
    line: int
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Rank:
    """Where the change stands among the repository's recent changes:
    `above` of the `of` changes scored lower."""

    above: int
    of: int


@dataclass(frozen=True)
class ChangeRisk:
    probability: float
    lines: tuple[RiskLine, ...]  # highest score first; empty when no line ranking ran
    reasons: tuple[str, ...]  # for the change as a whole
    calibrated: bool  # False: a placeholder score, not a probability to quote
    scorer: str  # which change scorer gave `probability`
    rank: Rank | None = None


def rank_among(score: float, others: tuple[float, ...]) -> Rank | None:
    """None when there is no history to compare with."""
    if not others:
        return None
    return Rank(sum(1 for other in others if other < score), len(others))


def risk_words(risk: ChangeRisk) -> str:
    """`risk 0.42` or, for an uncalibrated score, `risk score 0.42 (placeholder
    from lines added, not a calibrated probability)`; with the rank after it."""
    if risk.calibrated:
        text = f"risk {risk.probability:.2f}"
    else:
        text = f"risk score {risk.probability:.2f} ({risk.scorer}, not a calibrated probability)"
    if risk.rank is not None:
        text += f"; higher than {risk.rank.above} of the last {risk.rank.of} changes here"
    return text


def line_words(line: RiskLine) -> str:
    """`path:line (score 0.31): reason; reason`."""
    reasons = "; ".join(line.reasons)
    return f"{line.path}:{line.line} (score {line.score:.2f})" + (f": {reasons}" if reasons else "")


NO_CODE = "risk: none (the change adds no reviewable code)"

"""The first change scorer: lines added, mapped to (0, 1) by a logistic
whose two coefficients and their provenance are in a card beside this file
(lines-added.json). Until that card says it was fitted on real inducing
changes, its output is a placeholder score that orders changes by size."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewer.errors import ReviewerError
from reviewer.risk import ChangeFacts, ChangeScore

CARD = Path(__file__).resolve().parent / "lines-added.json"
CARD_FORMAT = 1
NAME = "lines-added"


class RiskCardError(ReviewerError):
    """A change scorer's card is missing, damaged, or made for another scorer."""


@dataclass(frozen=True)
class LinesAdded:
    intercept: float
    slope: float
    calibrated: bool
    card: dict[str, Any]

    @property
    def name(self) -> str:
        return "fitted on lines added" if self.calibrated else "placeholder from lines added"

    def score(self, change: ChangeFacts) -> ChangeScore:
        added = change.lines_added
        z = self.intercept + self.slope * math.log1p(added)
        files = change.code_files
        reasons = [f"adds {added} line{'s' * (added != 1)} of code"]
        if len(files) > 1:
            reasons[0] += f" across {len(files)} files"
            largest = max(files, key=lambda f: (f.added, f.path))
            reasons.append(f"most in {largest.path} ({largest.added})")
        return ChangeScore(1.0 / (1.0 + math.exp(-z)), tuple(reasons))


def load_card(path: Path | None = None) -> dict[str, Any]:
    path = path or CARD
    try:
        card = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise RiskCardError(f"cannot read the change scorer's card {path}: {error}") from None
    if not isinstance(card, dict):
        raise RiskCardError(f"{path}: not a change scorer's card")
    return card


def load(path: Path | None = None) -> LinesAdded:
    path = path or CARD
    card = load_card(path)
    if card.get("format") != CARD_FORMAT or card.get("scorer") != NAME:
        raise RiskCardError(f"{path}: made for another change scorer ({card.get('scorer')!r})")
    try:
        intercept, slope = float(card["intercept"]), float(card["slope"])
    except (KeyError, TypeError, ValueError) as error:
        raise RiskCardError(f"{path}: no coefficient {error}") from None
    if not slope > 0 or not math.isfinite(intercept):
        raise RiskCardError(f"{path}: the score must grow with lines added (slope {slope})")
    return LinesAdded(intercept, slope, card.get("calibrated") is True, card)

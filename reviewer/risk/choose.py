"""Which change scorer a run uses, and whether its risk is shown.

Today there is one: lines added (lines_added.py). The change-level model
(reviewer/jit) plugs in here: anything with the ChangeScorer protocol and a
card with the same `dev` numbers."""

from __future__ import annotations

from reviewer.risk import ChangeScorer
from reviewer.risk.defaults import risk_default
from reviewer.risk.lines_added import load


def change_scorer(requested: bool) -> ChangeScorer | None:
    """The scorer when the risk is to be shown: the run asked for the model
    (`requested`), or the card earned the default. RiskCardError when the
    card is missing or damaged."""
    scorer = load()
    if requested or risk_default(scorer.card)[0]:
        return scorer
    return None

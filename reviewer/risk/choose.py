"""Which change scorer a run uses, and whether its risk is shown.

Two scorers: the learned one (jit_logistic.py: a logistic regression on the
change's just-in-time metrics, ChangeFacts.history) for a change whose
history was read, and lines added (lines_added.py) for one whose history
was not. Whether a change has its history is known only when it is scored,
so the choice is made there (`scorer_for`), not when the model tier is
built. Whether the risk is shown without --model is decided from the
learned scorer's card (defaults.risk_default); lines added never earned it,
so a run that did not ask for the model shows a risk only from history."""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.risk import ChangeFacts, ChangeScore, ChangeScorer, jit_logistic, lines_added
from reviewer.risk.defaults import risk_default
from reviewer.risk.jit_logistic import JitLogistic


@dataclass(frozen=True)
class ByHistory:
    """The learned scorer where the change's history was read, else
    `fallback` (None: no risk for that change)."""

    learned: JitLogistic
    fallback: ChangeScorer | None

    def pick(self, change: ChangeFacts) -> ChangeScorer | None:
        return self.learned if self.learned.reads(change.history) else self.fallback

    # The ChangeScorer protocol, for a caller that does not pick first: it
    # names the learned scorer, the one the run is built around.
    @property
    def calibrated(self) -> bool:
        return self.learned.calibrated

    @property
    def name(self) -> str:
        return self.learned.name

    def score(self, change: ChangeFacts) -> ChangeScore:
        chosen = self.pick(change)
        if chosen is None:
            raise ValueError("no change scorer for a change without its history")
        return chosen.score(change)


def scorer_for(scorer: ChangeScorer | None, change: ChangeFacts) -> ChangeScorer | None:
    """The scorer that scores `change` (None: its risk is not shown)."""
    return scorer.pick(change) if isinstance(scorer, ByHistory) else scorer


def change_scorer(requested: bool, learned: JitLogistic | None = None) -> ChangeScorer | None:
    """The scorer when the risk is to be shown: the run asked for the model
    (`requested`: learned, or lines added without history), or the learned
    card earned the default (then only changes with their history get a
    risk). `learned`: a card the run chose (configured.py); default the
    shipped one. RiskCardError when a card is missing or damaged."""
    learned = learned or jit_logistic.load()
    if requested:
        return ByHistory(learned, lines_added.load())
    if risk_default(learned.card)[0]:
        return ByHistory(learned, None)
    return None


def risk_info() -> str:
    """`reviewer model info`'s risk row: the learned card's dev numbers and
    whether they earn the default. RiskCardError when the card is bad."""
    learned = jit_logistic.load()
    shown, numbers = risk_default(learned.card)
    when = "shown by default" if shown else 'shown with --model or enabled = "on" only'
    text = f"{learned.name} (calibrated), lines added where no history was read; {when}: {numbers}"
    dev = learned.card.get("dev")
    gate = dev.get("gate") if isinstance(dev, dict) else None
    calibration = dev.get("calibration") if isinstance(dev, dict) else None
    if isinstance(gate, dict) and _numbers(gate, "probability", "precision", "recall"):
        text += (
            f"; gate {gate['probability']:.2f}: precision {gate['precision']:.2f}, "
            f"recall {gate['recall']:.2f} on dev"
        )
    if isinstance(calibration, dict) and _numbers(calibration, "ece"):
        text += f"; calibration error on dev {calibration['ece']:.3f}"
    return text


def _numbers(table: dict[str, object], *keys: str) -> bool:
    return all(isinstance(table.get(k), int | float) for k in keys)

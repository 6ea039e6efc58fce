"""The learned change scorer: a logistic regression on the change's
just-in-time metrics (Kamei's 14, ChangeFacts.history), whose coefficients
and provenance live in a card beside this file (jit-logistic.json), fitted
by reviewer/jit/fit.py (bench/jit_risk.py writes the card).

Plain Python at review time: 14 numbers in, one probability out. The
reasons are the model's own terms: coefficient times standardised input,
summed per metric and per group of metrics that measure one thing, the
largest positive ones first, in words with the change's real numbers. A
term that lowered the score is never a reason."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewer.risk import ChangeFacts, ChangeScore
from reviewer.risk.lines_added import RiskCardError, load_card

CARD = Path(__file__).resolve().parent / "jit-logistic.json"
CARD_FORMAT = 1
NAME = "jit-logistic"
REASONS = 3  # at most, largest first
METRICS = ("ns", "nd", "nf", "entropy", "la", "ld", "lt", "fix",
           "ndev", "age", "nuc", "exp", "rexp", "sexp")  # fmt: skip  # reviewer.history.FEATURES
UNLOGGED = frozenset({"entropy", "fix"})  # a share and a flag; the others are counts or days


def transformed(metric: str, value: float) -> float:
    """The model's input for one metric: log1p of a count (or of days),
    the share and the flag as they are (bench/_jit_data.py does the same)."""
    return float(value) if metric in UNLOGGED else math.log1p(max(float(value), 0.0))


def metric_of(term: str) -> str:
    """`la` -> la, `la^2` -> la (a square of the standardised input)."""
    return term.split("^", 1)[0]


@dataclass(frozen=True)
class JitLogistic:
    terms: tuple[str, ...]  # a metric, or `metric^2`: the square of its standardised input
    mean: tuple[float, ...]  # of each metric's transformed value on the training changes
    scale: tuple[float, ...]
    coef: tuple[float, ...]  # one per term
    intercept: float
    card: dict[str, Any]

    @property
    def calibrated(self) -> bool:
        return True

    @property
    def name(self) -> str:
        if isinstance(self.card.get("own_repository"), dict):  # reviewer train --risk
            return "fitted on this repository's own history (Kamei's metrics)"
        return "fitted on the change's history (Kamei's metrics)"

    def contributions(self, history: Mapping[str, float]) -> dict[str, float]:
        """Each metric's share of the logit (its terms summed), relative to
        an average training change (whose standardised inputs are 0)."""
        z = self.standardised(history)
        terms: dict[str, float] = {}
        for term, coef in zip(self.terms, self.coef, strict=True):
            metric = metric_of(term)
            value = z[metric] ** 2 if term.endswith("^2") else z[metric]
            terms[metric] = terms.get(metric, 0.0) + coef * value
        return terms

    def reads(self, history: Mapping[str, float] | None) -> bool:
        """Whether `history` holds every metric the model reads, as numbers."""
        if history is None:
            return False
        values = [history.get(metric_of(t)) for t in self.terms]
        return all(isinstance(v, int | float) and math.isfinite(v) for v in values)

    def standardised(self, history: Mapping[str, float]) -> dict[str, float]:
        metrics = dict.fromkeys(metric_of(t) for t in self.terms)
        return {
            m: (transformed(m, history[m]) - mu) / sd
            for m, mu, sd in zip(metrics, self.mean, self.scale, strict=True)
        }

    def probability(self, history: Mapping[str, float]) -> float:
        z = self.intercept + sum(self.contributions(history).values())
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))

    def score(self, change: ChangeFacts) -> ChangeScore:
        history = change.history
        if history is None or not self.reads(history):
            raise ValueError("the learned change scorer needs the change's history (all metrics)")
        return ChangeScore(self.probability(history), self.reasons(history))

    def reasons(self, history: Mapping[str, float]) -> tuple[str, ...]:
        """The inputs whose terms raised the score most, in words, largest
        first. Metrics that measure one thing together (GROUPS: the change's
        spread, the author's experience) are summed and said together, so a
        reason never stands on one of two nearly equal, opposed terms."""
        summed: dict[str, float] = {}
        for metric, value in self.contributions(history).items():
            group = GROUP_OF.get(metric, metric)
            summed[group] = summed.get(group, 0.0) + value
        raised = sorted(((v, g) for g, v in summed.items() if v > 0), reverse=True)
        words = dict.fromkeys(reason_words(group, history) for _, group in raised)
        return tuple(words)[:REASONS]  # "its files are new" may be said twice: once


GROUPS = {
    "spread": ("ns", "nd", "nf"),
    "past": ("nuc", "ndev"),  # earlier changes to its files, and their authors
    "experience": ("exp", "rexp", "sexp"),
}
GROUP_OF = {metric: group for group, metrics in GROUPS.items() for metric in metrics}


NEW_FILES = "its files are new (no earlier change to them)"


def _count(n: float, one: str, many: str | None = None) -> str:
    k = round(n)
    return f"{k:,} {one if k == 1 else (many or one + 's')}"


def reason_words(metric: str, h: Mapping[str, float]) -> str:
    """What a metric (or a GROUPS entry) says about the change, with its
    real numbers."""
    if metric == "la":
        return f"adds {_count(h['la'], 'line')} of code"
    if metric == "ld":
        return f"deletes {_count(h['ld'], 'line')} of code"
    if metric == "spread":
        words = f"spans {_count(h['nf'], 'file')}"
        if h["nd"] > 1:
            words += f" in {_count(h['nd'], 'directory', 'directories')}"
        if h["ns"] > 1:
            words += f" under {_count(h['ns'], 'top-level directory', 'top-level directories')}"
        return words
    if metric == "entropy":
        return f"spreads its changed lines over its files (entropy {h['entropy']:.2f} of 1)"
    if metric == "lt":
        if round(h["nuc"]) == 0:
            return NEW_FILES
        return f"its files held {_count(h['lt'], 'line')} on average before"
    if metric == "fix":
        return "a fix (by its message)" if h["fix"] else "not a fix (by its message)"
    if metric == "past":
        if round(h["nuc"]) == 0:
            return NEW_FILES
        return (
            f"touches code changed {_count(h['nuc'], 'time')} before, "
            f"by {_count(h['ndev'], 'developer')}"
        )
    if metric == "age":
        if round(h["nuc"]) == 0:
            return NEW_FILES  # AGE leaves new files out: 0 then means no earlier change
        if h["age"] < 0.5:
            return "its files last changed less than a day before, on average"
        return f"its files last changed {_count(h['age'], 'day')} before, on average"
    if metric == "experience":
        if round(h["exp"]) == 0:
            return "the author's first change here"
        if round(h["sexp"]) == 0:
            return (
                "the author's first change to these directories "
                f"({_count(h['exp'], 'change')} elsewhere before)"
            )
        return (
            f"the author made {_count(h['exp'], 'change')} here before, "
            f"{round(h['sexp']):,} to these directories"
        )
    return f"{metric} {h[metric]:g}"  # a metric the words do not know yet


def load(path: Path | None = None) -> JitLogistic:
    """RiskCardError when the card is missing, damaged or another scorer's."""
    path = path or CARD
    card = load_card(path)
    if card.get("format") != CARD_FORMAT or card.get("scorer") != NAME:
        raise RiskCardError(f"{path}: made for another change scorer ({card.get('scorer')!r})")
    try:
        model = card["model"]
        terms = tuple(str(t) for t in model["terms"])
        numbers = [tuple(float(v) for v in model[k]) for k in ("mean", "scale", "coef")]
        intercept = float(model["intercept"])
    except (KeyError, TypeError, ValueError) as error:
        raise RiskCardError(f"{path}: no model {error}") from None
    metrics = tuple(dict.fromkeys(metric_of(t) for t in terms))
    mean, scale, coef = numbers
    if (
        not set(metrics) <= set(METRICS)
        or len(mean) != len(metrics)
        or len(scale) != len(metrics)
        or len(coef) != len(terms)
        or not all(math.isfinite(v) for v in (*mean, *coef, intercept))
        or not all(s > 0 and math.isfinite(s) for s in scale)
    ):
        raise RiskCardError(f"{path}: a damaged model (terms, means, scales, coefficients)")
    return JitLogistic(terms, mean, scale, coef, intercept, card)

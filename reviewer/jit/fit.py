"""Fitting the change-level risk on mined JIT changes (issue 21): a logistic
regression on the change's just-in-time metrics, transformed as the scorer
transforms them at review time (reviewer/risk/jit_logistic.py), and the
measures its card records (the gate, calibration).

Deterministic: the same changes give the same coefficients (lbfgs, no
sampling). Needs the `jit` extra (scikit-learn); the scorer it feeds reads
plain numbers from a JSON card."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from reviewer.risk.jit_logistic import CARD_FORMAT, METRICS, NAME, metric_of, transformed

GATE_CLEAN_FLAGS = 0.10  # the gate flags this share of the training clean changes
C = 1.0  # inverse L2 strength on standardised inputs
SQUARES = tuple(f"{m}^2" for m in METRICS if m != "fix")  # a flag's square is itself


def metric_matrix(histories: Iterable[Mapping[str, float]]) -> np.ndarray:
    """One row per change: METRICS transformed (log1p of counts)."""
    rows = [[transformed(m, h[m]) for m in METRICS] for h in histories]
    return np.asarray(rows, dtype=float).reshape(-1, len(METRICS))


@dataclass(frozen=True)
class LogisticFit:
    terms: tuple[str, ...]
    mean: np.ndarray  # per metric (METRICS order), of the transformed values
    scale: np.ndarray
    coef: np.ndarray  # per term
    intercept: float

    def design(self, metrics: np.ndarray) -> np.ndarray:
        z = (metrics - self.mean) / self.scale
        columns = [METRICS.index(metric_of(t)) for t in self.terms]
        squared = np.asarray([t.endswith("^2") for t in self.terms])
        inputs = z[:, columns]
        return np.asarray(np.where(squared, inputs**2, inputs))

    def decision(self, metrics: np.ndarray) -> np.ndarray:
        return np.asarray(self.design(metrics) @ self.coef + self.intercept)

    def probability(self, metrics: np.ndarray) -> np.ndarray:
        return np.asarray(1.0 / (1.0 + np.exp(-self.decision(metrics))))

    def model_card(self) -> dict[str, Any]:
        """The card's `model`: what jit_logistic.load reads back. Means and
        scales are over all 14 metrics; terms name those the model uses."""
        used = list(dict.fromkeys(metric_of(t) for t in self.terms))
        index = [METRICS.index(m) for m in used]
        return {
            "terms": list(self.terms),
            "mean": [round(float(v), 8) for v in self.mean[index]],
            "scale": [round(float(v), 8) for v in self.scale[index]],
            "coef": [round(float(v), 8) for v in self.coef],
            "intercept": round(float(self.intercept), 8),
        }


def fit_logistic(
    metrics: np.ndarray,
    y: np.ndarray,
    terms: Sequence[str] = METRICS,
    c: float = C,
    balanced: bool = False,
) -> LogisticFit:
    """Unweighted (balanced=False) the fitted probability is calibrated on
    the training mix of changes; balanced classes (Kamei's setting) only rank."""
    from sklearn.linear_model import LogisticRegression

    mean = metrics.mean(axis=0)
    scale = metrics.std(axis=0)
    # A constant metric (ns = 1 in a repository of one top-level folder) has a
    # std of float noise, not 0: it would round to a 0 scale in the card.
    scale = np.where(scale > 1e-6, scale, 1.0)
    shell = LogisticFit(tuple(terms), mean, scale, np.zeros(len(terms)), 0.0)
    model = LogisticRegression(
        C=c, class_weight="balanced" if balanced else None, max_iter=5000, tol=1e-8
    )
    model.fit(shell.design(metrics), y)
    return LogisticFit(tuple(terms), mean, scale, model.coef_[0].copy(), float(model.intercept_[0]))


def gate(clean_scores: np.ndarray, share: float = GATE_CLEAN_FLAGS) -> float:
    """The score at which `share` of the (training) clean changes are flagged."""
    return float(np.quantile(clean_scores, 1 - share))


def calibration(y: np.ndarray, probability: np.ndarray, bins: int = 10) -> dict[str, Any]:
    """Expected calibration error over `bins` equal-count bins, the Brier
    score, and each bin's mean probability beside its buggy share."""
    order = np.argsort(probability, kind="stable")
    table, error = [], 0.0
    for chunk in np.array_split(order, bins):
        predicted, observed = float(probability[chunk].mean()), float(y[chunk].mean())
        error += len(chunk) / len(y) * abs(predicted - observed)
        table.append({"predicted": round(predicted, 3), "observed": round(observed, 3),
                      "changes": len(chunk)})  # fmt: skip
    return {
        "ece": round(error, 4),
        "brier": round(float(np.mean((probability - y) ** 2)), 4),
        "mean_predicted": round(float(probability.mean()), 4),
        "buggy_share": round(float(y.mean()), 4),
        "bins": table,
    }


def card(fit: LogisticFit, provenance: Mapping[str, Any], dev: Mapping[str, Any]) -> dict[str, Any]:
    """The scorer's card: the model, where it came from, and its dev numbers
    (measured in the same run as the lines-added baseline)."""
    return {
        "format": CARD_FORMAT,
        "scorer": NAME,
        "calibrated": True,
        "inputs": "Kamei's 14 metrics of the change (reviewer.history), log1p of counts "
        "and days, standardised with the training means and scales",
        "model": fit.model_card(),
        **provenance,
        "dev": dict(dev),
    }

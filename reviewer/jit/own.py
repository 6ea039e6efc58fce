"""The change risk fitted on one repository's own history (`reviewer train
--risk`): its mined changes split by time, the older ones fitted exactly as
the shipped card is (reviewer/jit/fit.py), measured on the newer ones beside
lines added and the shipped card, then refitted on all of them for the card.

Only changes at least `maturity_days` older than the repository's newest
change are used, buggy and clean alike (bench/_jit_data.py's rule): a newer
change has not had the time for its fix to land, so its label is not known."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from reviewer.errors import ReviewerError
from reviewer.jit import fit
from reviewer.jit.record import JitRecord
from reviewer.risk import jit_logistic

DAY = 86400


@dataclass(frozen=True)
class TrainOptions:
    maturity_days: float = 365.0  # a change's label is known once it is this old
    test_share: float = 0.4  # the newest share of the mature changes, held out
    # Below about 400 older changes the own fit is worse than the shipped card
    # beyond noise; from there on, within noise (bench/results/jit_own_history.md).
    min_train: int = 400  # older changes to fit on
    min_train_buggy: int = 40  # of which buggy
    min_test: int = 20  # newer changes held out, of each class, to measure an AUROC


class HistoryTooShort(ReviewerError):
    """Not enough labelled changes to fit or to measure."""


def auroc(y: np.ndarray, score: np.ndarray) -> float:
    """The probability that a buggy change outscores a clean one (ties half)."""
    _, inverse, counts = np.unique(score, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    ranks = ((ends - counts + 1 + ends) / 2)[inverse]  # average rank of each tie
    positives = int(y.sum())
    negatives = len(y) - positives
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


@dataclass(frozen=True)
class Split:
    train: list[JitRecord]  # older, oldest first
    test: list[JitRecord]  # newer
    immature: int  # changes too recent to have a known label


def split(records: Sequence[JitRecord], options: TrainOptions) -> Split:
    """The mature changes by time, or HistoryTooShort saying what is missing."""
    if not records:
        raise HistoryTooShort("history too short: no changes of source code were mined")
    newest = max(r.time for r in records)
    mature = sorted((r for r in records if r.time <= newest - options.maturity_days * DAY),
                    key=lambda r: (r.time, r.sha))  # fmt: skip
    cut = len(mature) - round(len(mature) * options.test_share)
    train, test = mature[:cut], mature[cut:]
    buggy = sum(r.label == "buggy" for r in train)
    test_buggy = sum(r.label == "buggy" for r in test)
    test_clean = len(test) - test_buggy
    if (
        len(train) < options.min_train
        or buggy < options.min_train_buggy
        or min(test_buggy, test_clean) < options.min_test
    ):
        raise HistoryTooShort(
            f"history too short to train the risk: {len(mature)} changes at least "
            f"{options.maturity_days:g} days old ({sum(r.label == 'buggy' for r in mature)} "
            f"later fixed) of {len(records)} mined, split into {len(train)} older "
            f"({buggy} fixed) and {len(test)} newer ({test_buggy} fixed, {test_clean} clean); "
            f"it needs {options.min_train} older with {options.min_train_buggy} fixed to fit "
            f"and {options.min_test} fixed and {options.min_test} clean newer to measure "
            "(the shipped card keeps scoring)"
        )
    return Split(train, test, len(records) - len(mature))


def _arrays(records: Sequence[JitRecord]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = fit.metric_matrix(r.features for r in records)
    y = np.asarray([int(r.label == "buggy") for r in records])
    la = np.asarray([r.features["la"] for r in records], dtype=float)
    return x, y, la


def shipped_terms() -> tuple[tuple[str, ...], jit_logistic.JitLogistic | None]:
    """The shipped card's terms (its model, to compare with), or the plain
    14 metrics when it cannot be read."""
    try:
        shipped = jit_logistic.load()
    except ReviewerError:
        return jit_logistic.METRICS, None
    return shipped.terms, shipped


def train(
    records: Sequence[JitRecord], repository: dict[str, str], options: TrainOptions
) -> dict[str, Any]:
    """The card: the model refitted on every mature change, with the dev
    numbers of the fit on the older ones measured on the newer ones."""
    parts = split(records, options)
    terms, shipped = shipped_terms()
    x, y, _ = _arrays(parts.train)
    tx, ty, tla = _arrays(parts.test)
    held = fit.fit_logistic(x, y, terms)
    p = held.probability(tx)
    threshold = fit.gate(held.probability(x[y == 0]))
    flagged = p >= threshold
    hits = int((flagged & (ty == 1)).sum())
    dev: dict[str, Any] = {
        "data": "this repository's own history, by time: fitted on its older changes, "
        f"measured on the newest {options.test_share:.0%} of those at least "
        f"{options.maturity_days:g} days old",
        "model": f"logistic, {len(terms)} terms (calibrated), reviewer/jit/fit.py",
        "auroc": round(auroc(ty, p), 4),
        "lines_added_auroc": round(auroc(ty, tla), 4),
        "train": {"changes": len(y), "buggy": int(y.sum()),
                  "from": _day(parts.train[0].time), "to": _day(parts.train[-1].time)},
        "test": {"changes": len(ty), "buggy": int(ty.sum()),
                 "from": _day(parts.test[0].time), "to": _day(parts.test[-1].time)},
        "gate": {
            "probability": round(threshold, 4),
            "rule": f"flags {fit.GATE_CLEAN_FLAGS:.0%} of the training clean changes",
            "precision": round(hits / max(int(flagged.sum()), 1), 4),
            "recall": round(hits / max(int(ty.sum()), 1), 4),
        },
        "calibration": fit.calibration(ty, p, bins=min(10, max(2, len(ty) // 20))),
    }  # fmt: skip
    if shipped is not None:
        dev["shipped_card_auroc"] = round(auroc(ty, _probabilities(shipped, parts.test)), 4)
    ax, ay, _ = _arrays([*parts.train, *parts.test])
    model = fit.fit_logistic(ax, ay, terms)
    provenance = {
        "fitted_on": {
            "repositories": {repository["name"]: "own"},
            "buggy": int(ay.sum()),
            "clean": int(len(ay) - ay.sum()),
            "data": f"SZZ-labelled first-parent changes at least {options.maturity_days:g} "
            "days older than the repository's newest change (reviewer train --risk)",
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d"),
            "command": "reviewer train --risk",
            "left_out_too_recent": parts.immature,
        },
        "own_repository": repository,
    }
    return fit.card(model, provenance, dev)


def _probabilities(scorer: jit_logistic.JitLogistic, records: Sequence[JitRecord]) -> np.ndarray:
    return np.asarray([scorer.probability(r.features) for r in records])


def _day(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%d")

"""Training a head end to end: records -> features (cached) -> fit ->
calibration and gate on a separate labelled set -> a head with its card."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from reviewer.dataset.record import Record
from reviewer.scorer.cache import FEATURE_VERSION
from reviewer.scorer.features import FeatureExtractor, LineFeatures
from reviewer.scorer.fit import choose_l2, fit_head, fit_platt, flag_threshold
from reviewer.scorer.head import Head, sigmoid
from reviewer.scorer.metrics import Scored, at_threshold, quality
from reviewer.scorer.records import LabelledUnit, Progress, labelled_unit, line_set

CLEAN_SHARE = 0.05  # the gate flags at most this share of clean calibration units


@dataclass(frozen=True)
class Prepared:
    """Labelled units and their features, in the same order."""

    units: list[LabelledUnit]
    features: list[LineFeatures]

    def subset(self, keep: Sequence[bool]) -> Prepared:
        chosen = [i for i, k in enumerate(keep) if k]
        return Prepared([self.units[i] for i in chosen], [self.features[i] for i in chosen])


def prepare(
    records: Sequence[Record],
    extractor: FeatureExtractor,
    seed: int = 0,
    progress: Progress | None = None,
    cached_only: bool = False,
) -> Prepared:
    """Labelled units with their features; `cached_only` leaves out the units
    whose features are not cached yet (fit while an extraction runs on)."""
    units: list[LabelledUnit] = []
    features: list[LineFeatures] = []
    for index, record in enumerate(records):
        unit = labelled_unit(record, seed)
        if unit is not None and (not cached_only or extractor.is_cached(unit.item)):
            units.append(unit)
            features.append(extractor.features(unit.item))
        if progress is not None:
            progress(index + 1, len(records))
    return Prepared(units, features)


def scored(prepared: Prepared, scores: Sequence[np.ndarray]) -> list[Scored]:
    return [
        Scored(unit.item.lines, np.asarray(values, float), _labelled(unit))
        for unit, values in zip(prepared.units, scores, strict=True)
    ]


def _labelled(unit: LabelledUnit) -> tuple[int, ...]:
    return tuple(n for n, bug in zip(unit.item.lines, unit.labels, strict=True) if bug)


def head_scores(head: Head, prepared: Prepared, calibrated: bool = True) -> list[Scored]:
    values = [head.probabilities(f) if calibrated else head.logits(f) for f in prepared.features]
    return scored(prepared, values)


def calibrate(head: Head, calibration: Prepared, clean_share: float = CLEAN_SHARE) -> Head:
    """Platt scaling on the calibration set's lines, and the gate that flags
    at most `clean_share` of its clean units."""
    lines = line_set(calibration.units, calibration.features)
    logits = head.logits_of(head.inputs.matrix(lines.hidden, lines.scalars))
    a, b = fit_platt(logits, lines.labels)
    probabilities = sigmoid(a * logits + b)
    units = scored(
        calibration,
        np.split(probabilities, np.cumsum([len(u.labels) for u in calibration.units])[:-1]),
    )
    clean = np.array([u.best for u in units if not u.buggy])
    threshold = flag_threshold(clean, clean_share) if clean.size else 1.0
    return dataclasses.replace(head, platt=(a, b), threshold=threshold)


def train_head(
    train: Prepared,
    calibration: Prepared,
    kind: str = "logistic",
    seed: int = 0,
    l2: float | None = None,
) -> Head:
    """Fit on `train` (L2 chosen by cross-validation over its repositories
    unless given), then calibrate on `calibration`."""
    lines = line_set(train.units, train.features)
    losses: dict[float, float] = {}
    if l2 is None:
        l2, losses = choose_l2(lines, repository_groups(train), kind, seed=seed)
    head = fit_head(lines, kind, seed, l2)
    head = dataclasses.replace(head, card={"l2": l2, "l2_cross_validation": {
        f"{k:g}": round(v, 5) for k, v in losses.items()}})  # fmt: skip
    return calibrate(head, calibration)


def repository_groups(prepared: Prepared) -> np.ndarray:
    """Each line's repository, as an index (for folds made of whole repositories)."""
    names = sorted({u.record.repo for u in prepared.units})
    index = {name: i for i, name in enumerate(names)}
    return np.concatenate(
        [np.full(len(u.labels), index[u.record.repo], np.int64) for u in prepared.units]
    )


def card(
    head: Head,
    model_sha256: str,
    train: Prepared,
    calibration: Prepared,
    sources: dict[str, Any],
) -> dict[str, Any]:
    """What the head was made from and what it measured on the calibration set."""
    measured = head_scores(head, calibration)
    q = quality(measured)
    gate = at_threshold(measured, head.threshold)
    return {
        "model_sha256": model_sha256,
        "feature_version": FEATURE_VERSION,
        "training": {
            **sources,
            "units": len(train.units),
            "lines": sum(len(u.labels) for u in train.units),
            "repositories": _repos(train),
        },
        "calibration": {
            "units": len(calibration.units),
            "repositories": _repos(calibration),
            "hit@0": q.hit[0],
            "chance@0": q.chance[0],
            "hit@3": q.hit[3],
            "chance@3": q.chance[3],
            "auroc": q.auroc,
            "clean_flagged": gate.clean_flagged,
            "buggy_flagged": gate.buggy_flagged,
            "buggy_flagged_localised": gate.buggy_localised,
        },
    }


def _repos(prepared: Prepared) -> dict[str, str]:
    counts = Counter(u.record.repo for u in prepared.units)
    licences = {u.record.repo: u.record.license for u in prepared.units}
    return {repo: f"{licences[repo]}, {counts[repo]} units" for repo in sorted(counts)}

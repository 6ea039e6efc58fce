"""Measures for the JIT bench: AUROC with bootstrap intervals, precision and
recall at a gate, and the line-level measures of JITLine / JIT-Smart."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import rankdata

BOOTSTRAP = 1000
SEED = 21


def auroc(y: np.ndarray, score: np.ndarray) -> float:
    positives = int(y.sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def resamples(groups: np.ndarray) -> list[np.ndarray]:
    """The bootstrap's resamples: changes drawn within each repository (so
    every resample keeps each repository's share). Drawn once, they serve
    every row of a table: paired differences read the same resamples."""
    rng = np.random.default_rng(SEED)
    members = [np.flatnonzero(groups == g) for g in np.unique(groups)]
    return [
        np.concatenate([rng.choice(m, len(m)) for m in members]).astype(np.int32)
        for _ in range(BOOTSTRAP)
    ]


def bootstrap(y: np.ndarray, score: np.ndarray, picks: list[np.ndarray]) -> np.ndarray:
    return np.asarray([auroc(y[pick], score[pick]) for pick in picks])


def auroc_interval(
    y: np.ndarray, score: np.ndarray, groups: np.ndarray
) -> tuple[float, float, float]:
    """Pooled AUROC and its 95% interval, resampling changes within each
    repository (so every resample keeps each repository's share)."""
    low, high = np.nanpercentile(bootstrap(y, score, resamples(groups)), [2.5, 97.5])
    return auroc(y, score), float(low), float(high)


def per_repo(y: np.ndarray, score: np.ndarray, groups: np.ndarray) -> list[float]:
    return [auroc(y[groups == g], score[groups == g]) for g in np.unique(groups)]


def at_gate(y: np.ndarray, score: np.ndarray, threshold: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and the clean changes' flag rate at `threshold`
    (one per change: each fold's gate comes from its own training data)."""
    flagged = score >= threshold
    hits = int((flagged & (y == 1)).sum())
    precision = hits / flagged.sum() if flagged.any() else float("nan")
    recall = hits / max(int(y.sum()), 1)
    false_alarms = float(flagged[y == 0].mean()) if (y == 0).any() else float("nan")
    return precision, recall, false_alarms


def line_measures(scores: Sequence[np.ndarray], buggy: Sequence[np.ndarray]) -> dict[str, float]:
    """Mean over buggy changes: Top-5/Top-10 accuracy (share of the k top
    lines that were later fixed), hit@5 (a fixed line among the top 5),
    Recall@20% effort (share of fixed lines in the top 20% of lines) and
    initial false alarms (lines read before the first fixed one). Ties are
    broken by line order."""
    top5, top10, hit5, recall20, ifa = [], [], [], [], []
    for score, marks in zip(scores, buggy, strict=True):
        order = np.argsort(-score, kind="stable")
        ranked = marks[order]
        top5.append(ranked[:5].mean())
        top10.append(ranked[:10].mean())
        hit5.append(float(ranked[:5].any()))
        budget = max(1, round(0.2 * len(ranked)))
        recall20.append(ranked[:budget].sum() / ranked.sum())
        ifa.append(float(np.argmax(ranked)))
    return {
        "top5": float(np.mean(top5)),
        "top10": float(np.mean(top10)),
        "hit5": float(np.mean(hit5)),
        "recall20": float(np.mean(recall20)),
        "ifa": float(np.median(ifa)),
    }

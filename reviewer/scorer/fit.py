"""Fitting a head on labelled lines (numpy only; a minute or two for 4,000
units): principal components of the hidden states, then a logistic
regression (Newton's method) or a one-hidden-layer MLP (Adam); Platt
calibration and the threshold on a separate, labelled calibration set."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from reviewer.scorer.head import Array, Head, Inputs, sigmoid

COMPONENTS = 32
MAX_PCA_ROWS = 20_000


@dataclass(frozen=True)
class LineSet:
    """Labelled lines: the raw features of every line, its label, and the
    unit each line belongs to (an index into the units)."""

    hidden: npt.NDArray[np.float32]
    scalars: npt.NDArray[np.float32]
    labels: Array  # 1.0 on a labelled (buggy) line
    unit: npt.NDArray[np.int64]

    @classmethod
    def join(cls, parts: Sequence[LineSet]) -> LineSet:
        offsets = np.cumsum([0] + [int(p.unit.max()) + 1 if p.unit.size else 0 for p in parts])
        return cls(
            np.concatenate([p.hidden for p in parts]),
            np.concatenate([p.scalars for p in parts]),
            np.concatenate([p.labels for p in parts]),
            np.concatenate([p.unit + offset for p, offset in zip(parts, offsets, strict=False)]),
        )


def fit_inputs(lines: LineSet, components: int = COMPONENTS, seed: int = 0) -> Inputs:
    rng = np.random.default_rng(seed)
    hidden = lines.hidden.astype(np.float64)
    rows = hidden if len(hidden) <= MAX_PCA_ROWS else hidden[rng.choice(len(hidden), MAX_PCA_ROWS)]
    centre = rows.mean(axis=0)
    _, _, vt = np.linalg.svd(rows - centre, full_matrices=False)
    basis = vt[: min(components, vt.shape[0])].T
    raw = np.concatenate([(hidden - centre) @ basis, lines.scalars.astype(np.float64)], axis=1)
    scale = raw.std(axis=0)
    scale[scale < 1e-6] = 1.0
    return Inputs(centre, basis, raw.mean(axis=0), scale)


def fit_logistic(x: Array, y: Array, l2: float = 1.0, steps: int = 50) -> tuple[Array, Array]:
    """L2-regularised logistic regression by Newton's method (the bias is
    not penalised); returns (weights d x 1, bias 1)."""
    n, d = x.shape
    design = np.concatenate([x, np.ones((n, 1))], axis=1)
    w = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    for _ in range(steps):
        p = sigmoid(design @ w)
        gradient = design.T @ (p - y) + penalty * w
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w[:-1, None], w[-1:]


def fit_mlp(
    x: Array, y: Array, hidden: int = 32, l2: float = 1e-3, epochs: int = 60, seed: int = 0
) -> tuple[tuple[Array, Array], tuple[Array, Array]]:
    """One ReLU layer, cross-entropy, Adam on minibatches."""
    rng = np.random.default_rng(seed)
    n, d = x.shape
    params = [
        rng.normal(0, np.sqrt(2 / d), (d, hidden)),
        np.zeros(hidden),
        rng.normal(0, np.sqrt(1 / hidden), (hidden, 1)),
        np.zeros(1),
    ]
    moments = [np.zeros_like(p) for p in params]
    squares = [np.zeros_like(p) for p in params]
    rate, beta1, beta2, step = 1e-3, 0.9, 0.999, 0
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, 256):
            batch = order[start : start + 256]
            xb, yb = x[batch], y[batch]
            w1, b1, w2, b2 = params
            h = np.maximum(xb @ w1 + b1, 0.0)
            p = sigmoid((h @ w2 + b2)[:, 0])
            delta = ((p - yb) / len(batch))[:, None]
            g_w2 = h.T @ delta + l2 * w2
            g_b2 = delta.sum(axis=0)
            dh = (delta @ w2.T) * (h > 0)
            g_w1 = xb.T @ dh + l2 * w1
            g_b1 = dh.sum(axis=0)
            step += 1
            for i, g in enumerate((g_w1, g_b1, g_w2, g_b2)):
                moments[i] = beta1 * moments[i] + (1 - beta1) * g
                squares[i] = beta2 * squares[i] + (1 - beta2) * g * g
                corrected = moments[i] / (1 - beta1**step)
                params[i] = params[i] - rate * corrected / (
                    np.sqrt(squares[i] / (1 - beta2**step)) + 1e-8
                )
    w1, b1, w2, b2 = params
    return (w1, b1), (w2, b2)


# The regularisation is chosen by cross-validation over groups (repositories)
# of the training data, never on the data the head is measured on.
L2_GRID = {"logistic": (1.0, 10.0, 100.0, 1000.0, 10000.0), "mlp": (1e-3, 1e-2, 1e-1, 1.0)}
DEFAULT_L2 = {"logistic": 1.0, "mlp": 1e-3}


def fit_head(
    lines: LineSet,
    kind: str = "logistic",
    seed: int = 0,
    l2: float | None = None,
    inputs: Inputs | None = None,
) -> Head:
    inputs = inputs or fit_inputs(lines, seed=seed)
    x = inputs.matrix(lines.hidden, lines.scalars)
    strength = l2 if l2 is not None else DEFAULT_L2.get(kind, 1.0)
    if kind == "logistic":
        layers: tuple[tuple[Array, Array], ...] = (fit_logistic(x, lines.labels, l2=strength),)
    elif kind == "mlp":
        layers = fit_mlp(x, lines.labels, l2=strength, seed=seed)
    else:
        raise ValueError(f"unknown head kind {kind!r}")
    return Head(kind, inputs, layers, card={"l2": strength})


def subset(lines: LineSet, keep: npt.NDArray[np.bool_]) -> LineSet:
    return LineSet(lines.hidden[keep], lines.scalars[keep], lines.labels[keep], lines.unit[keep])


def choose_l2(
    lines: LineSet, groups: npt.NDArray[np.int64], kind: str, folds: int = 4, seed: int = 0
) -> tuple[float, dict[float, float]]:
    """The L2 strength with the lowest held-out log loss, folds made of
    whole groups (a line's group is its repository's index)."""
    distinct = np.unique(groups)
    if len(distinct) < 2:
        return DEFAULT_L2[kind], {}
    rng = np.random.default_rng(seed)
    fold_of = dict(zip(rng.permutation(distinct), np.arange(len(distinct)) % folds, strict=True))
    assigned = np.array([fold_of[g] for g in groups])
    losses = dict.fromkeys(L2_GRID[kind], 0.0)
    for fold in np.unique(assigned):
        train, test = subset(lines, assigned != fold), subset(lines, assigned == fold)
        # The principal components depend on the fold, not on the strength:
        # one SVD per fold (it dominates the fitting time).
        inputs = fit_inputs(train, seed=seed)
        x_test = inputs.matrix(test.hidden, test.scalars)
        y = test.labels
        for l2 in losses:
            head = fit_head(train, kind, seed, l2, inputs)
            p = np.clip(sigmoid(head.logits_of(x_test)), 1e-6, 1 - 1e-6)
            losses[l2] -= float(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))
    losses = {l2: total / len(lines.labels) for l2, total in losses.items()}
    return min(losses, key=lambda k: losses[k]), losses


def fit_platt(logits: Array, labels: Array) -> tuple[float, float]:
    """p = sigmoid(a * logit + b) fitted by damped Newton steps, with Platt's
    smoothed targets; `a` is kept positive so calibration never reverses
    the head's order (the ranking is the head's, the scale is the data's)."""
    positives = float(labels.sum())
    negatives = float(len(labels) - positives)
    target = np.where(labels > 0, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    scale = float(np.std(logits)) or 1.0
    design = np.column_stack([logits / scale, np.ones_like(logits)])
    w = np.array([1.0, 0.0])
    ridge = 1e-4 * len(labels)
    for _ in range(200):
        p = sigmoid(design @ w)
        gradient = design.T @ (p - target) + ridge * np.array([w[0], 0.0])
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag([ridge, 1e-9])
        step = np.linalg.solve(hessian, gradient)
        step *= min(1.0, 2.0 / max(float(np.abs(step).max()), 1e-12))  # no wild jumps
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return max(float(w[0]) / scale, 1e-6), float(w[1])


def unit_scores(values: Array, unit: npt.NDArray[np.int64], units: int) -> Array:
    """A unit's score is its best line's."""
    best = np.full(units, -np.inf)
    np.maximum.at(best, unit, values)
    return best


def flag_threshold(clean_scores: Array, clean_share: float) -> float:
    """A threshold that flags at most `clean_share` of the clean units (a unit
    is flagged at score >= threshold): halfway into the gap above the first
    clean unit left unflagged, so rounding in another evaluation order of the
    same arithmetic cannot tip a unit over it."""
    ordered = np.sort(clean_scores)[::-1]
    allowed = int(np.floor(clean_share * len(ordered)))
    if allowed >= len(ordered):
        return float(ordered[-1])
    above = float(ordered[allowed - 1]) if allowed > 0 else float("inf")
    kept = float(ordered[allowed])
    return (kept + above) / 2 if above < float("inf") and above > kept else kept + 1e-9

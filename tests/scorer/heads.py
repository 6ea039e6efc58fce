"""Heads made by hand for tests: their outcome on each line is known."""

from __future__ import annotations

import numpy as np

from reviewer.scorer.features import SCALAR_NAMES
from reviewer.scorer.head import Head, Inputs

QWEN_05B_WIDTH = 896  # the default model's hidden size


def length_head(dimension: int, threshold: float) -> Head:
    """A head that scores a line by its length alone: p = sigmoid(chars_rel
    feature scaled), so the outcome of each unit is known in advance."""
    scalars = len(SCALAR_NAMES)
    weights = np.zeros((1 + scalars, 1))
    weights[1 + SCALAR_NAMES.index("chars")] = 1.0
    inputs = Inputs(
        np.zeros(2 * dimension), np.zeros((2 * dimension, 1)), np.zeros(1 + scalars),
        np.ones(1 + scalars),
    )  # fmt: skip
    return Head("logistic", inputs, ((weights, np.array([-4.0])),), (1.0, 0.0), threshold)

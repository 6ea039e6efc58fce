"""The trained head: per changed line, features in, a calibrated
probability out. Inference is numpy only (no torch at run time).

A head is one small .npz (its arrays) beside a JSON card (what it was
trained on, for which model and feature version, and what it measured)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from reviewer.errors import ReviewerError
from reviewer.scorer.features import SCALAR_NAMES, LineFeatures

Array = npt.NDArray[np.float64]
HEAD_FORMAT = 1


class HeadError(ReviewerError):
    """A head file is missing, damaged, or made for another model."""


def sigmoid(z: Array) -> Array:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)), dtype=np.float64)


@dataclass(frozen=True)
class Inputs:
    """How raw features become the head's input matrix: the hidden states
    projected on their principal components, everything standardised."""

    hidden_mean: Array  # 2d
    components: Array  # 2d x k
    mean: Array  # k + scalars
    scale: Array  # k + scalars

    def matrix(self, hidden: npt.NDArray[Any], scalars: npt.NDArray[Any]) -> Array:
        projected = (hidden.astype(np.float64) - self.hidden_mean) @ self.components
        raw = np.concatenate([projected, scalars.astype(np.float64)], axis=1)
        x = (raw - self.mean) / self.scale
        # A feature the pass could not give (NaN: a server's pass has no
        # surprisal) stands at its training mean, so it moves no score.
        return np.asarray(np.where(np.isnan(x), 0.0, x), dtype=np.float64)


@dataclass(frozen=True)
class Head:
    kind: str  # "logistic" or "mlp"
    inputs: Inputs
    layers: tuple[tuple[Array, Array], ...]  # (weights, bias) per layer, ReLU between
    platt: tuple[float, float] = (1.0, 0.0)  # calibrated p = sigmoid(a * logit + b)
    threshold: float = 1.0  # a unit is flagged when its best line reaches this
    card: dict[str, Any] = field(default_factory=dict)

    def logits(self, features: LineFeatures) -> Array:
        x = self.inputs.matrix(features.hidden, features.scalars)
        return self.logits_of(x)

    def logits_of(self, x: Array) -> Array:
        for index, (weights, bias) in enumerate(self.layers):
            x = x @ weights + bias
            if index < len(self.layers) - 1:
                x = np.maximum(x, 0.0)
        return np.asarray(x[:, 0], dtype=np.float64)

    def probabilities(self, features: LineFeatures) -> Array:
        a, b = self.platt
        return sigmoid(a * self.logits(features) + b)

    # -- files ---------------------------------------------------------------

    def save(self, path: Path) -> None:
        """`path` (.npz) and its card beside it (.json)."""
        arrays: dict[str, Array] = {
            "hidden_mean": self.inputs.hidden_mean,
            "components": self.inputs.components.astype(np.float32).astype(np.float64),
            "mean": self.inputs.mean,
            "scale": self.inputs.scale,
        }
        for index, (weights, bias) in enumerate(self.layers):
            arrays[f"w{index}"] = weights
            arrays[f"b{index}"] = bias
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]
        card = {
            **self.card,
            "format": HEAD_FORMAT,
            "kind": self.kind,
            "layers": len(self.layers),
            "platt": list(self.platt),
            "threshold": self.threshold,
            "scalar_names": list(SCALAR_NAMES),
        }
        card_path(path).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", "utf-8")

    @classmethod
    def load(cls, path: Path) -> Head:
        try:
            card = json.loads(card_path(path).read_text("utf-8"))
            with np.load(path, allow_pickle=False) as data:
                inputs = Inputs(
                    data["hidden_mean"], data["components"], data["mean"], data["scale"]
                )
                layers = tuple((data[f"w{i}"], data[f"b{i}"]) for i in range(int(card["layers"])))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise HeadError(f"cannot read the scoring head {path}: {error}") from None
        if card.get("format") != HEAD_FORMAT or card.get("scalar_names") != list(SCALAR_NAMES):
            raise HeadError(f"{path}: made for another version of reviewer's features")
        a, b = card["platt"]
        return cls(
            card["kind"], inputs, layers, (float(a), float(b)), float(card["threshold"]), card
        )


def card_path(path: Path) -> Path:
    return path.with_suffix(".json")

"""The change-level models the JIT bench compares, each fitted on training
changes and scoring others: trivial baselines, Kamei's logistic regression,
a bag of code tokens, both fused, and LightGBM."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from bench._jit_data import ChangeLines, JitData

MIN_CHANGES = 3  # a token must appear in this many training changes


@dataclass
class Fitted:
    score: Callable[[JitData, np.ndarray], np.ndarray]
    token_weights: dict[str, float] = field(default_factory=dict)


class _Tokens:
    """Binary bag of tokens, vocabulary from the training changes."""

    def __init__(self, data: JitData, train: np.ndarray) -> None:
        seen: dict[str, int] = {}
        for i in train:
            for token in data.bags[i]:
                seen[token] = seen.get(token, 0) + 1
        self.vocabulary = {t for t, n in seen.items() if n >= MIN_CHANGES}
        self.vectorizer = DictVectorizer()
        self.vectorizer.fit([{t: 1 for t in self.vocabulary}])

    def matrix(self, data: JitData, rows: np.ndarray) -> sparse.csr_matrix:
        return self.vectorizer.transform(
            [{t: 1 for t in data.bags[i] if t in self.vocabulary} for i in rows]
        )


def _random(data: JitData, train: np.ndarray) -> Fitted:
    def score(d: JitData, rows: np.ndarray) -> np.ndarray:
        return np.random.default_rng(len(rows) + int(rows.sum())).random(len(rows))

    return Fitted(score)


def _raw(name: str) -> Callable[[JitData, np.ndarray], Fitted]:
    def make(data: JitData, train: np.ndarray) -> Fitted:
        return Fitted(lambda d, rows: d.raw[name][rows])

    return make


def _logistic(c: float = 1.0) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight="balanced", max_iter=3000)


def _kamei(ranked: bool) -> Callable[[JitData, np.ndarray], Fitted]:
    def make(data: JitData, train: np.ndarray) -> Fitted:
        inputs = data.ranked if ranked else data.process
        scaler = StandardScaler().fit(inputs[train])
        model = _logistic().fit(scaler.transform(inputs[train]), data.y[train])
        return Fitted(
            lambda d, rows: model.decision_function(
                scaler.transform((d.ranked if ranked else d.process)[rows])
            )
        )

    return make


def _tokens(data: JitData, train: np.ndarray) -> Fitted:
    bag = _Tokens(data, train)
    model = _logistic(0.05).fit(bag.matrix(data, train), data.y[train])
    weights = dict(zip(bag.vectorizer.feature_names_, model.coef_[0], strict=True))
    return Fitted(lambda d, rows: model.decision_function(bag.matrix(d, rows)), weights)


def _fused(data: JitData, train: np.ndarray) -> Fitted:
    bag = _Tokens(data, train)
    scaler = StandardScaler().fit(data.process[train])

    def inputs(d: JitData, rows: np.ndarray) -> sparse.csr_matrix:
        dense = sparse.csr_matrix(scaler.transform(d.process[rows]))
        return sparse.hstack([dense, bag.matrix(d, rows)]).tocsr()

    model = _logistic(0.05).fit(inputs(data, train), data.y[train])
    names = bag.vectorizer.feature_names_
    weights = dict(zip(names, model.coef_[0][data.process.shape[1] :], strict=True))
    return Fitted(lambda d, rows: model.decision_function(inputs(d, rows)), weights)


def _lightgbm(with_tokens: bool, ranked: bool = False) -> Callable[[JitData, np.ndarray], Fitted]:
    def make(data: JitData, train: np.ndarray) -> Fitted:
        import lightgbm

        bag = _Tokens(data, train) if with_tokens else None

        def inputs(d: JitData, rows: np.ndarray) -> sparse.csr_matrix | np.ndarray:
            metrics = (d.ranked if ranked else d.process)[rows]
            if bag is None:
                return metrics
            return sparse.hstack([sparse.csr_matrix(metrics), bag.matrix(d, rows)]).tocsr()

        model = lightgbm.LGBMClassifier(
            n_estimators=300, learning_rate=0.03, num_leaves=15, min_child_samples=20,
            subsample=0.8, subsample_freq=1, colsample_bytree=0.8, is_unbalance=True,
            n_jobs=1, verbose=-1, random_state=21,
        )  # fmt: skip
        model.fit(inputs(data, train).astype(np.float32), data.y[train])
        return Fitted(
            lambda d, rows: np.asarray(model.predict_proba(inputs(d, rows).astype(np.float32)))[
                :, 1
            ]
        )

    return make


MODELS: dict[str, Callable[[JitData, np.ndarray], Fitted]] = {
    "random": _random,
    "lines added only (LA)": _raw("la"),
    "files touched only (NF)": _raw("nf"),
    "Kamei's 14 metrics (logistic)": _kamei(False),
    "Kamei's 14 metrics ranked within repository (logistic)": _kamei(True),
    "bag of tokens (logistic)": _tokens,
    "process + tokens (logistic)": _fused,
    "LightGBM, 14 metrics": _lightgbm(False),
    "LightGBM, 14 metrics + tokens": _lightgbm(True),
    "LightGBM, 14 metrics ranked within repository": _lightgbm(False, ranked=True),
}


def line_scores(fitted: Fitted, change: ChangeLines) -> np.ndarray:
    """JITLine's idea without LIME: a line weighs what its tokens weigh."""
    weights = fitted.token_weights
    return np.asarray([sum(weights.get(t, 0.0) for t in tokens) for tokens in change.tokens])

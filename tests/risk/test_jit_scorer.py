"""The learned change scorer (reviewer/risk/jit_logistic.py): its card, its
probability (the same as the fitting module's), reasons that are its own
terms in words with the change's numbers, the choice between it and lines
added, and bad cards."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pytest

from reviewer.git import History
from reviewer.history import FEATURES, features_of
from reviewer.risk import ChangeFacts, FileFacts, jit_logistic
from reviewer.risk.choose import ByHistory, change_scorer, risk_info, scorer_for
from reviewer.risk.defaults import risk_default
from reviewer.risk.jit_logistic import (
    GROUP_OF,
    GROUPS,
    JitLogistic,
    RiskCardError,
    load,
    reason_words,
)
from reviewer.risk.lines_added import LinesAdded
from tests.conftest import GitRepo

ROOT = Path(__file__).resolve().parents[2]
FILES = (FileFacts("a.py", "python", 30),)
AVERAGE = dict.fromkeys(FEATURES, 0.0)


def _history(**values: float) -> dict[str, float]:
    return {**AVERAGE, **values}


def _model(coef: dict[str, float]) -> JitLogistic:
    """Means 0 and scales 1 on the transformed metrics: a metric's term is
    its coefficient times log1p of its value (entropy and fix as they are)."""
    n = len(FEATURES)
    return JitLogistic(
        FEATURES, (0.0,) * n, (1.0,) * n, tuple(coef.get(m, 0.0) for m in FEATURES), -1.0, {}
    )


def test_the_shipped_card_is_fitted_calibrated_and_says_where_it_came_from() -> None:
    scorer = load()
    card = scorer.card
    assert scorer.calibrated and card["calibrated"] is True
    fitted = card["fitted_on"]
    assert len(fitted["repositories"]) == 15
    assert set(fitted["repositories"].values()) <= {"MIT", "Apache-2.0", "BSD-3-Clause",
                                                    "BSD-2-Clause", "ISC"}  # fmt: skip
    assert fitted["buggy"] > 4000 and fitted["clean"] > 16000
    assert "bench/jit_risk.py" in fitted["command"] and fitted["date"]
    dev = card["dev"]
    for key in ("auroc", "lines_added_auroc", "files_touched_auroc"):
        assert 0.5 < dev[key] < 1
    assert 0 < dev["gate"]["precision"] < 1 and 0 < dev["gate"]["recall"] < 1
    assert "without class weights" in dev["calibration"]["method"]
    assert dev["calibration"]["ece"] < 0.1
    # The card and the results page come from the same run.
    page = (ROOT / "bench/results/jit_risk.md").read_text("utf-8")
    assert f"{dev['auroc']:.3f}" in page and f"{dev['lines_added_auroc']:.3f}" in page


def test_the_default_follows_the_card_and_the_card_says_whether_it_is_met() -> None:
    card = load().card
    dev = card["dev"]
    shown, numbers = risk_default(card)
    assert shown is (dev["auroc"] - dev["lines_added_auroc"] >= 0.05)
    assert f"{dev['auroc']:.3f} vs lines-added {dev['lines_added_auroc']:.3f}" in numbers
    assert card["verdict"]["shown_by_default"] is shown  # the card says it plainly
    assert card["verdict"]["default"].startswith("shown" if shown else "NOT shown")
    assert "shown by default" in risk_info() if shown else "--model" in risk_info()


def test_the_probability_grows_with_a_raising_term_and_is_a_probability() -> None:
    model = _model({"la": 0.5, "exp": -0.3})
    small = model.probability(_history(la=3))
    large = model.probability(_history(la=300))
    assert 0 < small < large < 1
    assert large == pytest.approx(1 / (1 + math.exp(1.0 - 0.5 * math.log1p(300))))


def test_reasons_are_the_terms_that_raised_the_score_largest_first_with_real_numbers() -> None:
    model = _model({"la": 0.5, "ndev": 0.8, "nuc": 0.2, "exp": -0.3, "fix": 1.0, "age": 0.1})
    history = _history(la=120, ndev=12, nuc=40, exp=250, fix=0, age=2)
    terms = model.contributions(history)
    assert terms["exp"] < 0 and terms["fix"] == 0  # lowered it, or did nothing
    past = terms["nuc"] + terms["ndev"]  # one group: earlier changes and their authors
    assert past > terms["la"] > terms["age"] > 0
    reasons = model.score(ChangeFacts(FILES, history=history)).reasons
    assert reasons == (
        "touches code changed 40 times before, by 12 developers",
        "adds 120 lines of code",
        "its files last changed 2 days before, on average",
    )
    assert not any("author" in r or "fix" in r for r in reasons)


def test_at_most_three_reasons_and_new_files_said_once() -> None:
    model = _model({"la": 0.5, "lt": -0.4, "age": -0.3, "ndev": -0.2, "ld": 0.1, "ns": 0.01})
    new = _history(la=30, ld=4, lt=0, age=0, nuc=0, ndev=0)
    assert model.reasons(new) == (
        "adds 30 lines of code",
        "deletes 4 lines of code",
    )  # lt, age and past are at 0 here: no term, no reason
    shifted = JitLogistic(
        model.terms, (1.0,) * 14, model.scale, model.coef, model.intercept, {}
    )  # an average change has touched files before: new files raise the score
    assert shifted.reasons(new) == (
        "adds 30 lines of code",
        "its files are new (no earlier change to them)",  # lt, age and past: said once
        "deletes 4 lines of code",
    )


def test_metrics_of_one_thing_are_summed_and_said_together() -> None:
    history = _history(nf=9, nd=4, ns=1, exp=40, rexp=10, sexp=0)
    assert _model({"nf": 0.6, "nd": 0.4}).reasons(history) == ("spans 9 files in 4 directories",)
    # Opposed terms: the group speaks only when their sum raised the score.
    assert _model({"nf": 0.6, "nd": -0.4}).reasons(history) == ("spans 9 files in 4 directories",)
    assert _model({"nf": 0.2, "nd": -0.6}).reasons(history) == ()
    opposed = _model({"exp": -1.4, "rexp": 1.7})
    experience = sum(v for m, v in opposed.contributions(history).items() if m.endswith("exp"))
    assert experience < 0 and opposed.reasons(history) == ()
    raised = _model({"exp": -1.0, "rexp": 1.7})
    assert raised.reasons(history) == (
        "the author's first change to these directories (40 changes elsewhere before)",
    )


@pytest.mark.parametrize(
    ("metric", "value", "words"),
    [
        ("experience", 0, "the author's first change here"),
        ("age", 3.4, "its files last changed 3 days before, on average"),
        ("age", 0.2, "its files last changed less than a day before, on average"),
        ("lt", 1200.2, "its files held 1,200 lines on average before"),
        ("past", 7, "touches code changed 7 times before, by 1 developer"),
        ("spread", 1, "spans 1 file"),
        ("fix", 1, "a fix (by its message)"),
        ("entropy", 0.834, "spreads its changed lines over its files (entropy 0.83 of 1)"),
    ],
)
def test_each_metric_is_said_in_words_with_its_number(
    metric: str, value: float, words: str
) -> None:
    history = _history(nf=1, nuc=1, ndev=1) | {"nuc" if metric == "past" else metric: value}
    assert reason_words(metric, history) == words


def test_a_group_says_each_of_its_numbers() -> None:
    spread = _history(nf=12, nd=5, ns=3)
    assert reason_words("spread", spread) == (
        "spans 12 files in 5 directories under 3 top-level directories"
    )
    author = _history(exp=250, sexp=7)
    assert reason_words("experience", author) == (
        "the author made 250 changes here before, 7 to these directories"
    )


def test_the_shipped_models_reasons_never_name_a_term_that_lowered_the_score() -> None:
    model = load()
    rng = np.random.default_rng(7)
    for _ in range(200):
        history = {
            m: float(rng.integers(0, 3) if m == "fix" else rng.gamma(1.0, 30)) for m in FEATURES
        }
        history["fix"] = float(history["fix"] > 1)
        history["entropy"] = float(rng.random())
        summed: dict[str, float] = {}
        for metric, value in model.contributions(history).items():
            group = GROUP_OF.get(metric, metric)
            summed[group] = summed.get(group, 0.0) + value
        raised = sorted((g for g in summed if summed[g] > 0), key=lambda g: -summed[g])
        assert model.reasons(history) == tuple(reason_words(g, history) for g in raised[:3])


def test_a_real_change_is_scored_from_its_history(repo: GitRepo) -> None:
    for n in range(3):
        repo.write(f"pkg/m{n}.py", "".join(f"x{k} = {k}\n" for k in range(5 + n)))
        repo.commit(f"module {n}")
    for n in range(3):
        repo.write(f"pkg/m{n}.py", "".join(f"x{k} = {k * 2}\n" for k in range(40)))
    repo.write("lib/extra.py", "y = 1\n")
    repo.commit("rework the modules")
    history = features_of(History(repo.path), "HEAD")
    assert (history["nf"], history["nd"], history["nuc"]) == (4, 2, 3)
    model = load()
    files = tuple(FileFacts(p, "python", 40) for p in ("pkg/m0.py", "pkg/m1.py", "pkg/m2.py"))
    score = model.score(ChangeFacts(files, history=history))
    assert 0 < score.probability < 1 and score.probability == model.probability(history)
    said = {name: reason_words(name, history) for name in (*GROUPS, *FEATURES)}
    assert said["spread"] == "spans 4 files in 2 directories under 2 top-level directories"
    assert said["past"] == "touches code changed 3 times before, by 1 developer"
    assert said["experience"] == "the author made 3 changes here before, 3 to these directories"
    assert score.reasons == model.reasons(history) and set(score.reasons) <= set(said.values())


def test_the_learned_scorer_where_history_was_read_lines_added_where_not() -> None:
    chosen = change_scorer(requested=True)
    assert isinstance(chosen, ByHistory)
    with_history = ChangeFacts(FILES, history=_history(la=30, nf=1))
    assert scorer_for(chosen, with_history) is chosen.learned
    assert isinstance(scorer_for(chosen, ChangeFacts(FILES)), LinesAdded)
    partial = ChangeFacts(FILES, history={"la": 30.0})  # a damaged history: not read
    assert isinstance(scorer_for(chosen, partial), LinesAdded)
    assert chosen.score(with_history) == chosen.learned.score(with_history)


def test_by_default_the_risk_needs_the_card_to_earn_it_and_the_history(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    card = json.loads(jit_logistic.CARD.read_text("utf-8"))
    path = tmp_path / "card.json"
    monkeypatch.setattr(jit_logistic, "CARD", path)
    card["dev"].update(auroc=0.70, lines_added_auroc=0.70)
    path.write_text(json.dumps(card))
    assert change_scorer(requested=False) is None
    card["dev"].update(auroc=0.80, lines_added_auroc=0.70)
    path.write_text(json.dumps(card))
    earned = change_scorer(requested=False)
    assert isinstance(earned, ByHistory) and earned.fallback is None
    assert scorer_for(earned, ChangeFacts(FILES)) is None  # lines added never earned it
    assert scorer_for(earned, ChangeFacts(FILES, history=_history())) is earned.learned


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (None, "cannot read the change scorer's card"),
        ("{not json", "cannot read the change scorer's card"),
        ('{"format": 1, "scorer": "lines-added"}', "made for another change scorer"),
        ('{"format": 1, "scorer": "jit-logistic"}', "no model"),
        (
            '{"format": 1, "scorer": "jit-logistic", "model": {"terms": ["la"], "mean": [0],'
            ' "scale": [0], "coef": [1], "intercept": 0}}',
            "a damaged model",
        ),
        (
            '{"format": 1, "scorer": "jit-logistic", "model": {"terms": ["la", "zz"],'
            ' "mean": [0, 0], "scale": [1, 1], "coef": [1, 1], "intercept": 0}}',
            "a damaged model",
        ),
    ],
)
def test_a_bad_card_is_one_error_never_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str | None, says: str
) -> None:
    path = tmp_path / "card.json"
    if text is not None:
        path.write_text(text)
    with pytest.raises(RiskCardError, match=says):
        load(path)
    monkeypatch.setattr(jit_logistic, "CARD", path)
    with pytest.raises(RiskCardError, match=says):
        change_scorer(requested=True)


@pytest.mark.skipif(importlib.util.find_spec("sklearn") is None, reason="no scikit-learn")
def test_the_card_that_fitting_writes_scores_as_the_fitted_model_does(tmp_path: Path) -> None:
    from reviewer.jit import fit

    rng = np.random.default_rng(3)
    histories = [
        {
            m: float(rng.random() if m in ("entropy", "fix") else rng.gamma(1.0, 20))
            for m in FEATURES
        }
        for _ in range(300)
    ]
    metrics = fit.metric_matrix(histories)
    y = (metrics[:, FEATURES.index("la")] + rng.normal(0, 1, 300) > 3).astype(int)
    for terms in (fit.METRICS, fit.METRICS + fit.SQUARES):
        fitted = fit.fit_logistic(metrics, y, terms)
        again = fit.fit_logistic(metrics, y, terms)
        assert np.array_equal(fitted.coef, again.coef)  # deterministic
        path = tmp_path / "card.json"
        path.write_text(json.dumps(fit.card(fitted, {}, {"auroc": 0.7})))
        model = load(path)
        assert [model.probability(h) for h in histories[:20]] == pytest.approx(
            list(fitted.probability(metrics[:20])), abs=1e-6
        )
        assert fitted.coef[FEATURES.index("la")] > 0


def test_the_model_tier_scores_each_change_by_its_kind_and_ranks_it_among_its_own_kind() -> None:
    from reviewer.scorer.tier import Limits, Scorer, ScoringTier

    chosen = change_scorer(requested=True)
    assert isinstance(chosen, ByHistory)
    head = cast(Any, SimpleNamespace(card={}))
    tier = ScoringTier(Scorer(cast(Any, None), head, 0.5, change=chosen), Limits(10, 10.0))
    recent = (
        ChangeFacts(FILES, history=_history(la=2, nf=1, nd=1)),
        ChangeFacts(FILES, history=_history(la=5, nf=1, nd=1)),
        ChangeFacts((FileFacts("b.py", "python", 900),)),  # no history: lines added's kind
    )
    learned = tier.review_change(ChangeFacts(FILES, recent, _history(la=400, nf=6, nd=3)))
    assert learned is not None and learned.calibrated
    assert learned.scorer == chosen.learned.name and learned.reasons
    assert learned.rank is not None and (learned.rank.above, learned.rank.of) == (2, 2)
    by_size = tier.review_change(ChangeFacts(FILES, recent))
    assert by_size is not None and not by_size.calibrated
    assert by_size.rank is not None and (by_size.rank.above, by_size.rank.of) == (0, 1)

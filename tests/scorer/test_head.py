"""The head's arithmetic (numpy only): fitting, calibration that keeps the
order, the gate, the file round trip, and the metrics of the bench."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import reviewer.scorer
from reviewer.scorer.features import SCALAR_NAMES, LineFeatures
from reviewer.scorer.fit import (
    L2_GRID,
    LineSet,
    choose_l2,
    fit_head,
    fit_logistic,
    fit_platt,
    flag_threshold,
    unit_scores,
)
from reviewer.scorer.head import Head, HeadError, Inputs, card_path, sigmoid
from reviewer.scorer.metrics import Gate, Scored, at_threshold, auroc, quality

D = 16  # hidden width of the synthetic features


def synthetic(units: int = 60, seed: int = 0) -> LineSet:
    """Units of 6 lines; in half of them line 3 is buggy, and a buggy line's
    hidden state leans along one direction and its `chars` feature is high."""
    rng = np.random.default_rng(seed)
    hidden, scalars, labels, unit = [], [], [], []
    direction = np.random.default_rng(99).normal(size=D)  # the same in every set
    for u in range(units):
        for line in range(6):
            bug = u % 2 == 0 and line == 3
            hidden.append(rng.normal(size=D) + (1.5 * direction if bug else 0))
            row = rng.normal(size=len(SCALAR_NAMES))
            row[SCALAR_NAMES.index("chars")] += 2.0 if bug else 0.0
            scalars.append(row)
            labels.append(float(bug))
            unit.append(u)
    return LineSet(
        np.array(hidden, np.float32), np.array(scalars, np.float32), np.array(labels),
        np.array(unit, np.int64),
    )  # fmt: skip


def test_logistic_regression_learns_a_separable_signal() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] - 0.5 * x[:, 1] > 0).astype(float)
    weights, bias = fit_logistic(x, y, l2=0.1)
    accuracy = ((sigmoid(x @ weights[:, 0] + bias[0]) > 0.5) == (y > 0)).mean()
    assert accuracy > 0.95
    assert weights[0, 0] > 0 > weights[1, 0]


@pytest.mark.parametrize("kind", ["logistic", "mlp"])
def test_a_fitted_head_ranks_held_out_buggy_lines_first(kind: str) -> None:
    head = fit_head(synthetic(units=200), kind)
    test = synthetic(seed=5)
    logits = head.logits_of(head.inputs.matrix(test.hidden, test.scalars))
    assert auroc(list(logits[test.labels == 1]), list(logits[test.labels == 0])) > 0.9


def test_calibration_is_monotone_and_matches_frequencies() -> None:
    rng = np.random.default_rng(2)
    logits = rng.normal(size=4000) * 2
    labels = (rng.random(4000) < sigmoid(0.5 * logits - 1.0)).astype(float)
    a, b = fit_platt(logits, labels)
    assert a > 0  # order kept
    assert abs(a - 0.5) < 0.1 and abs(b + 1.0) < 0.15
    probabilities = sigmoid(a * np.sort(logits) + b)
    assert np.all(np.diff(probabilities) >= 0)
    # A head that is wrong on the calibration data is not turned around.
    a_reversed, _ = fit_platt(logits, 1.0 - labels)
    assert a_reversed > 0


def test_the_gate_flags_at_most_the_allowed_share_of_clean_units() -> None:
    clean = np.linspace(0.0, 1.0, 101)
    threshold = flag_threshold(clean, 0.05)
    assert (clean >= threshold).mean() <= 0.05
    assert (clean >= threshold - 0.011).mean() > 0.05  # no lower gate would do
    assert flag_threshold(np.array([0.3, 0.3, 0.3]), 0.05) > 0.3
    # Halfway into the gap above the last clean unit left unflagged: rounding in
    # another order of the same arithmetic cannot tip a unit over it.
    assert flag_threshold(np.array([0.1, 0.9, 0.5, 0.0, 0.8]), 0.4) == pytest.approx(0.65)
    assert flag_threshold(np.array([0.1, 0.9, 0.5]), 1 / 3) == pytest.approx(0.7)
    best = unit_scores(np.array([0.1, 0.9, 0.4, 0.2]), np.array([0, 0, 1, 1]), 2)
    assert list(best) == [0.9, 0.4]


def test_the_gate_flags_nothing_clean_at_share_zero_and_everything_at_share_one() -> None:
    clean = np.array([0.2, 0.7, 0.4])
    none = flag_threshold(clean, 0.0)
    assert not (clean >= none).any()
    assert none <= 0.7 + 1e-6  # a buggy unit just above every clean one is still flagged
    many = np.linspace(0.0, 1.0, 300)
    assert (many >= flag_threshold(many, 1.0)).all()


def test_the_gate_never_splits_tied_clean_units_to_reach_its_share() -> None:
    clean = np.array([0.9, 0.5, 0.5, 0.5, 0.1])
    threshold = flag_threshold(clean, 0.4)  # two allowed, but three tie at 0.5
    assert list(clean >= threshold) == [True, False, False, False, False]


def test_a_head_survives_a_save_and_load(tmp_path: Path) -> None:
    lines = synthetic()
    head = fit_head(lines, "mlp")
    head = Head(head.kind, head.inputs, head.layers, (0.7, -0.2), 0.42, {"model_sha256": "x"})
    path = tmp_path / "head.npz"
    head.save(path)
    again = Head.load(path)
    features = LineFeatures((1, 2), lines.hidden[:2], lines.scalars[:2], np.array([3, 4]))
    np.testing.assert_allclose(again.probabilities(features), head.probabilities(features))
    assert (again.threshold, again.platt, again.card["model_sha256"]) == (0.42, (0.7, -0.2), "x")


def test_inputs_are_projected_and_standardised_and_a_missing_feature_moves_nothing() -> None:
    inputs = Inputs(
        hidden_mean=np.array([1.0, 1.0]),
        components=np.array([[1.0], [0.0]]),  # the first hidden value only
        mean=np.array([2.0, 10.0]),
        scale=np.array([4.0, 5.0]),
    )
    hidden = np.array([[12.0, 7.0], [3.0, -1.0]], np.float32)
    scalars = np.array([[23.0], [np.nan]], np.float32)  # no surprisal on the second line
    x = inputs.matrix(hidden, scalars)
    np.testing.assert_allclose(x, [[(11 - 2) / 4, (23 - 10) / 5], [(2 - 2) / 4, 0.0]])


def test_an_mlp_rectifies_its_hidden_layer_and_not_its_output() -> None:
    identity = Inputs(np.zeros(1), np.eye(1), np.zeros(1), np.ones(1))
    hidden_layer = (np.array([[1.0, -1.0]]), np.zeros(2))  # x and -x
    output = (np.array([[1.0], [1.0]]), np.array([-1.0]))  # relu(x) + relu(-x) - 1
    head = Head("mlp", identity, (hidden_layer, output))
    logits = head.logits_of(np.array([[-3.0], [0.5], [2.0]]))
    np.testing.assert_allclose(logits, [2.0, -0.5, 1.0])  # |x| - 1, negative when |x| < 1
    # Deeper: every layer but the last is rectified (-relu(x) is cut to 0).
    one = (np.eye(1), np.zeros(1))
    deep = Head("mlp", identity, (one, (-np.eye(1), np.zeros(1)), (np.eye(1), np.array([-0.5]))))
    np.testing.assert_allclose(deep.logits_of(np.array([[2.0], [-2.0]])), [-0.5, -0.5])


def test_probabilities_are_the_platt_calibrated_logits() -> None:
    identity = Inputs(np.zeros(1), np.eye(1), np.zeros(1), np.ones(1))
    head = Head("logistic", identity, ((np.eye(1), np.zeros(1)),), platt=(2.0, -1.0))
    features = LineFeatures((1, 2), np.array([[0.5], [1.0]]), np.zeros((2, 0)), np.ones(2))
    np.testing.assert_allclose(head.probabilities(features), [0.5, 1 / (1 + np.exp(-1.0))])


def test_a_saved_card_is_the_same_text_for_the_same_head(tmp_path: Path) -> None:
    """Heads are committed: their cards list keys in one order, whatever
    order the training wrote them in."""
    head = fit_head(synthetic(), "logistic")
    paths = []
    for n, card in enumerate([{"b": 1, "a": 2}, {"a": 2, "b": 1}]):
        path = tmp_path / f"{n}" / "heads" / "head.npz"  # folders made as needed
        Head(head.kind, head.inputs, head.layers, card=card).save(path)
        paths.append(card_path(path).read_text())
    assert paths[0] == paths[1]
    assert list(json.loads(paths[0])) == sorted(json.loads(paths[0]))


def test_a_damaged_or_foreign_head_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "head.npz"
    path.write_bytes(b"not a zip")
    card_path(path).write_text("{}")
    with pytest.raises(HeadError, match="cannot read the scoring head"):
        Head.load(path)
    head = fit_head(synthetic(), "logistic")
    head.save(path)
    saved = json.loads(card_path(path).read_text())
    for changed in (
        {"scalar_names": [n if n != "chars" else "other" for n in SCALAR_NAMES]},
        {"scalar_names": list(SCALAR_NAMES[:-1])},  # an older features version
        {"format": saved["format"] + 1},
        {"format": saved["format"] - 1},
    ):
        card_path(path).write_text(json.dumps({**saved, **changed}))
        with pytest.raises(HeadError, match="another version"):
            Head.load(path)


def test_the_shipped_head_loads_and_saves_back_to_its_committed_card(tmp_path: Path) -> None:
    shipped = Path(reviewer.scorer.__file__).parent / "heads" / "qwen2.5-coder-0.5b-lines.npz"
    head = Head.load(shipped)
    head.save(tmp_path / "head.npz")
    assert card_path(tmp_path / "head.npz").read_text() == card_path(shipped).read_text()


def test_metrics_count_ties_as_a_random_pick() -> None:
    flat = Scored((1, 2, 3, 4), np.zeros(4), (2,))
    assert quality([flat]).hit[0] == pytest.approx(0.25) == quality([flat]).chance[0]
    sharp = Scored((1, 2, 3, 4), np.array([0.1, 0.9, 0.2, 0.3]), (2,))
    clean = Scored((1, 2), np.array([0.5, 0.4]), ())
    q = quality([sharp, clean])
    assert q.hit[0] == 1.0 and q.auroc == 1.0
    gate = at_threshold([sharp, clean], 0.6)
    assert (gate.clean_flagged, gate.buggy_flagged, gate.buggy_localised) == (0.0, 1.0, 1.0)
    assert auroc([0.5], [0.5]) == 0.5


def test_the_l2_strength_is_chosen_on_folds_of_whole_repositories() -> None:
    lines = synthetic(units=120)
    groups = lines.unit // 30  # four "repositories" of 30 units
    l2, losses = choose_l2(lines, groups, "logistic")
    assert l2 in L2_GRID["logistic"] and set(losses) == set(L2_GRID["logistic"])
    assert l2 == min(losses, key=lambda k: losses[k])
    assert all(np.isfinite(v) and v > 0 for v in losses.values())
    assert choose_l2(lines, np.zeros_like(groups), "logistic") == (1.0, {})  # one group: default


def test_the_gate_counts_a_unit_at_the_threshold_as_flagged_and_each_buggy_unit_once() -> None:
    lines = (1, 5, 9)
    near_bug = Scored(lines, np.array([0.1, 0.75, 0.2]), (8,))  # flagged, line 5 within 3
    far_bug = Scored(lines, np.array([0.9, 0.1, 0.2]), (5,))  # flagged, line 1 is 4 away
    tied_bug = Scored(lines, np.array([0.8, 0.1, 0.8]), (2,))  # flagged, one of two tied near
    missed_bug = Scored(lines, np.array([0.5, 0.25, 0.1]), (1,))  # below the threshold
    at_gate = Scored(lines, np.array([0.75, 0.0, 0.0]), ())
    above_gate = Scored(lines, np.array([0.0, 0.0, 0.95]), ())
    below_gate = Scored(lines, np.array([0.5, 0.0, 0.0]), ())
    units = [near_bug, far_bug, tied_bug, missed_bug, at_gate, above_gate, below_gate, below_gate]
    gate = at_threshold(units, 0.75)
    assert (gate.threshold, gate.clean_flagged, gate.buggy_flagged) == (0.75, 0.5, 0.75)
    assert gate.buggy_localised == (1 + 0 + 0.5 + 0) / 4
    assert at_threshold([at_gate], 0.75) == Gate(0.75, 1.0, 0.0, 0.0)
    assert at_threshold([near_bug], 0.75) == Gate(0.75, 0.0, 1.0, 1.0)

"""The change scorer (lines added, from its card), the defaults read from the
cards, and the line reasons read off a logistic head's terms."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from reviewer.cli import main
from reviewer.config import validate_config
from reviewer.errors import ConfigError
from reviewer.findings import Severity
from reviewer.model.resolve import ModelLocation
from reviewer.risk import ChangeFacts, FileFacts, jit_logistic, rank_among
from reviewer.risk.defaults import line_severity, risk_default
from reviewer.risk.lines_added import load
from reviewer.scorer.features import SCALAR_NAMES, LineFeatures
from reviewer.scorer.reasons import line_reasons
from tests.scorer.heads import QWEN_05B_WIDTH, length_head


def _change(*files: tuple[str, str | None, int]) -> ChangeFacts:
    return ChangeFacts(tuple(FileFacts(path, language, added) for path, language, added in files))


def test_the_shipped_card_is_a_placeholder_that_grows_with_lines_added() -> None:
    scorer = load()
    assert scorer.calibrated is False and "placeholder" in scorer.card["fitted_on"]
    scores = [scorer.score(_change(("a.py", "python", n))).probability for n in (1, 10, 100, 1000)]
    assert scores == sorted(scores) and len(set(scores)) == 4
    # Only code counts: a README's lines add nothing.
    with_docs = scorer.score(_change(("a.py", "python", 10), ("README.md", None, 500)))
    assert with_docs.probability == scores[1]
    spread = scorer.score(_change(("a.py", "python", 3), ("b.go", "go", 40)))
    assert spread.reasons == ("adds 43 lines of code across 2 files", "most in b.go (40)")


def test_the_risk_is_shown_by_default_only_past_lines_added_plus_the_margin() -> None:
    assert risk_default(load().card)[0] is False  # not measured yet
    assert risk_default({"dev": {"auroc": 0.74, "lines_added_auroc": 0.70}})[0] is False
    shown, numbers = risk_default({"dev": {"auroc": 0.76, "lines_added_auroc": 0.70}})
    assert shown and "0.760 vs lines-added 0.700" in numbers


def test_a_flagged_line_is_a_warning_only_at_a_measured_precision_of_half() -> None:
    assert line_severity({}) == Severity.INFO
    assert line_severity({"calibration": {"gate_precision": 0.31}}) == Severity.INFO
    assert line_severity({"calibration": {"gate_precision": 0.5}}) == Severity.WARNING


def test_the_rank_counts_the_recent_changes_scored_lower() -> None:
    assert rank_among(0.5, ()) is None
    rank = rank_among(0.5, (0.1, 0.5, 0.9, 0.2))
    assert rank is not None and (rank.above, rank.of) == (2, 4)


def test_fail_risk_is_a_probability() -> None:
    assert validate_config({"fail_risk": 0.4}, "t").fail_risk == 0.4
    with pytest.raises(ConfigError, match="fail_risk"):
        validate_config({"fail_risk": 1.5}, "t")


def test_reasons_name_the_terms_that_raised_the_score() -> None:
    """The hand-made head reads the `chars` feature alone: a long line's
    reason is its length, and a line whose term is below zero has none."""
    head = length_head(QWEN_05B_WIDTH, 0.5)
    scalars = np.zeros((2, len(SCALAR_NAMES)), np.float32)
    scalars[:, SCALAR_NAMES.index("chars")] = [np.log1p(60), -1.0]
    features = LineFeatures(
        (3, 4), np.zeros((2, 2 * QWEN_05B_WIDTH), np.float32), scalars, np.ones(2, np.int32)
    )
    assert line_reasons(head, features) == [("a long line",), ()]
    mlp = type(head)("mlp", head.inputs, (*head.layers, head.layers[0]))
    assert line_reasons(mlp, features) == [(), ()]  # no terms to read: no invented reasons


@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="no llama-cpp-python")
def test_model_info_prints_the_numbers_behind_each_default(
    model_default: ModelLocation,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("reviewer.model.resolve.models_dir", lambda: model_default.path.parent)
    assert main(["model", "info"]) == 0
    rows = dict(line.split(":", 1) for line in capsys.readouterr().out.splitlines())
    risk, flags = rows["risk"].strip(), rows["flags"].strip()
    learned = "fitted on the change's history (Kamei's metrics) (calibrated)"
    assert risk.startswith(f"{learned}, lines added where no history was read; ")
    dev = jit_logistic.load().card["dev"]
    assert f"change AUROC on dev {dev['auroc']:.3f} vs lines-added" in risk
    assert f"precision {dev['gate']['precision']:.2f}" in risk
    assert ("shown by default" in risk) is risk_default(jit_logistic.load().card)[0]
    assert flags.startswith("flagged lines are info (gate precision on dev not measured")

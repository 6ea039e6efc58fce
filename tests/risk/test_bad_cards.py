"""A bad line head or change-scorer card (missing, damaged, made for another
model) leaves `reviewer diff --model` structural, with one notice."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from reviewer.cli import main
from reviewer.model.resolve import ModelLocation
from reviewer.risk import jit_logistic, lines_added
from tests.conftest import GitRepo
from tests.risk.conftest import BASE, SMALL
from tests.scorer.heads import QWEN_05B_WIDTH, length_head

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None, reason="no llama-cpp-python"
)


def _review(repo: GitRepo, model: Path, head: str, capsys: pytest.CaptureFixture[str]) -> dict:
    repo.write("shop.py", BASE)
    repo.commit("base")
    repo.write(".reviewer.toml", f'[model]\npath = "{model}"\nhead = "{head}"\n')
    repo.write("shop.py", SMALL)
    assert main(["diff", "--model", "--format", "json"]) == 0
    summary: dict = json.loads(capsys.readouterr().out)["summary"]
    return summary


def _missing(tmp_path: Path) -> str:
    return str(tmp_path / "nowhere.npz")


def _damaged(tmp_path: Path) -> str:
    head = tmp_path / "head.npz"
    length_head(QWEN_05B_WIDTH, 0.5).save(head)
    head.write_bytes(b"not an npz")
    return str(head)


def _other_model(tmp_path: Path) -> str:
    head = tmp_path / "other.npz"
    made = length_head(QWEN_05B_WIDTH, 0.5)
    dataclasses.replace(made, card={"model_sha256": "ab" * 32}).save(head)
    return str(head)


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (_missing, "cannot read the scoring head"),
        (_damaged, "cannot read the scoring head"),
        (_other_model, "was trained on another model"),
    ],
)
def test_a_bad_head_leaves_the_run_structural_with_one_notice(
    repo: GitRepo,
    model_default: ModelLocation,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make: object,
    says: str,
) -> None:
    assert callable(make)
    summary = _review(repo, model_default.path, make(tmp_path), capsys)
    model_notes = [note for note in summary["notes"] if note.startswith("model:")]
    assert len(model_notes) == 1 and says in model_notes[0], model_notes
    assert model_notes[0].endswith("structural checks only")
    assert "risk" not in summary


@pytest.mark.parametrize(
    ("scorer", "card", "says"),
    [
        (lines_added, None, "cannot read the change scorer's card"),
        (lines_added, "{not json", "cannot read the change scorer's card"),
        (lines_added, '{"format": 1, "scorer": "jit-lightgbm"}', "made for another change scorer"),
        (jit_logistic, None, "cannot read the change scorer's card"),
        (jit_logistic, "{not json", "cannot read the change scorer's card"),
        (jit_logistic, '{"format": 1, "scorer": "lines-added"}', "made for another change scorer"),
        (jit_logistic, '{"format": 1, "scorer": "jit-logistic", "model": {}}', "no model"),
    ],
)
def test_a_bad_change_card_leaves_the_run_structural_with_one_notice(
    repo: GitRepo,
    model_default: ModelLocation,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    scorer: ModuleType,
    card: str | None,
    says: str,
) -> None:
    """Either change scorer's card: the placeholder's or the learned one's."""
    path = tmp_path / "card.json"
    if card is not None:
        path.write_text(card)
    monkeypatch.setattr(scorer, "CARD", path)
    head = tmp_path / "head.npz"
    length_head(QWEN_05B_WIDTH, 0.5).save(head)
    summary = _review(repo, model_default.path, str(head), capsys)
    model_notes = [note for note in summary["notes"] if note.startswith("model:")]
    assert len(model_notes) == 1 and says in model_notes[0], model_notes
    assert model_notes[0].endswith("structural checks only")
    assert "risk" not in summary

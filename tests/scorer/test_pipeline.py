"""The line scorer's whole pipeline on the tiny random qwen2, in seconds:
mine -> features -> fit -> eval. (The same commands a team runs on its own
history: `reviewer dataset mine .`, `reviewer train --head`, `reviewer eval`.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.dataset.mine import MineOptions, Source, mine
from reviewer.dataset.mutate import CleanUnit, mutate_units
from reviewer.dataset.record import Record, write_records
from reviewer.git import History
from reviewer.model.resolve import file_sha256
from tests.conftest import GitRepo
from tests.dataset.test_mine import build_history


def make_data(repo: GitRepo, tmp_path: Path) -> Path:
    """Fix records mined from a small real history, plus mutants of clean units."""
    build_history(repo)
    options = MineOptions(min_age_days=0, min_later_commits=0, clean_per_fix=10)
    records: list[Record] = mine(Source(History(repo.path), "acme/calc", "MIT"), options)
    units = [
        CleanUnit("acme/gen", "MIT", f"gen{i}.py", 1,
                  f"def f{i}(a, b):\n    if a < b:\n        return g(a, b)\n    return a", f"f{i}")
        for i in range(12)
    ]  # fmt: skip
    records += list(mutate_units(units, seed=0))
    data = tmp_path / "data.jsonl"
    write_records(records, data)
    return data


def test_tiny_scorer_pipeline_mines_fits_and_evaluates(
    repo: GitRepo, tmp_path: Path, tiny_model: Path
) -> None:
    data = make_data(repo, tmp_path)
    head = tmp_path / "head.npz"
    code = main(["train", "--head", str(data), "--model-path", str(tiny_model), "-o", str(head)])
    assert code == 0 and head.is_file()
    card = json.loads(head.with_suffix(".json").read_text())
    assert card["model_sha256"] == file_sha256(tiny_model)
    assert card["training"]["units"] > 0 and card["calibration"]["units"] > 0
    assert card["default"] is False and card["kind"] == "logistic"
    # A second run reads every unit's features from the cache (--head is implied).
    code = main(["train", str(data), "--model-path", str(tiny_model), "-o", str(head)])
    assert code == 0
    again = json.loads(head.with_suffix(".json").read_text())
    assert again["training"]["cache"].endswith(" 0 extracted")

    table = tmp_path / "table.md"
    code = main(
        ["eval", str(data), "--configs", "structural,head", "--head", str(head),
         "--model-path", str(tiny_model), "-o", str(table)]
    )  # fmt: skip
    assert code == 0
    text = table.read_text()
    assert "| head (top line of every unit) |" in text
    assert f"| head (at its gate, p >= {again['threshold']:.3f}) |" in text


def test_train_writes_a_head_file_not_into_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The removed LoRA training wrote into a folder (`-o DIR`); the head is
    one file, and a folder is a one-line error before any work."""
    data = tmp_path / "data.jsonl"
    data.write_text("")
    assert main(["train", str(data), "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a folder: -o names the head's file" in err


def test_train_leaves_out_the_evaluation_only_benchmarks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Records of a benchmark kept for evaluation (here psf/black) are never
    fitted on, whatever the data file says; the run names what it left out."""
    units = [
        CleanUnit("psf/black", "MIT", f"b{i}.py", 1,
                  f"def f{i}(a, b):\n    if a < b:\n        return g(a, b)\n    return a", f"f{i}")
        for i in range(6)
    ]  # fmt: skip
    data = tmp_path / "black.jsonl"
    assert write_records(mutate_units(units, seed=0), data) > 0
    assert main(["train", str(data), "-o", str(tmp_path / "head.npz")]) == 2
    err = capsys.readouterr().err
    assert "records of evaluation-only benchmarks left out (psf/black)" in err
    assert "not enough records to train and calibrate a head" in err
    assert not (tmp_path / "head.npz").exists()

"""The line scorer's whole pipeline on the tiny random qwen2, in seconds:
mine -> features -> fit -> eval. (The same commands a team runs on its own
history: `reviewer dataset mine .`, `reviewer train --head`, `reviewer eval`.)"""

from __future__ import annotations

import json
from pathlib import Path

from reviewer.cli import main
from reviewer.model.resolve import file_sha256
from tests.conftest import GitRepo
from tests.train.test_pipeline import make_data


def test_tiny_scorer_pipeline_mines_fits_and_evaluates(
    repo: GitRepo, tmp_path: Path, tiny_base: Path
) -> None:
    data = make_data(repo, tmp_path)
    head = tmp_path / "head.npz"
    code = main(["train", "--head", str(data), "--model-path", str(tiny_base), "-o", str(head)])
    assert code == 0 and head.is_file()
    card = json.loads(head.with_suffix(".json").read_text())
    assert card["model_sha256"] == file_sha256(tiny_base)
    assert card["training"]["units"] > 0 and card["calibration"]["units"] > 0
    assert card["default"] is False and card["kind"] == "logistic"
    # A second run reads every unit's features from the cache.
    code = main(["train", "--head", str(data), "--model-path", str(tiny_base), "-o", str(head)])
    again = json.loads(head.with_suffix(".json").read_text())
    assert again["training"]["cache"].endswith(" 0 extracted")

    table = tmp_path / "table.md"
    code = main(
        ["eval", str(data), "--configs", "structural,head", "--head", str(head),
         "--model-path", str(tiny_base), "-o", str(table)]
    )  # fmt: skip
    assert code == 0
    text = table.read_text()
    assert "| head (top line of every unit) |" in text
    assert f"| head (at its gate, p >= {again['threshold']:.3f}) |" in text

"""The line scorer's whole pipeline on the tiny random qwen2, in seconds:
mine -> features -> fit -> eval. (The same commands a team runs on its own
history: `reviewer dataset mine .`, `reviewer train --head`, `reviewer eval`.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.checks import run_checks
from reviewer.cli import main
from reviewer.dataset.candidates import candidate_lines, labelled_lines
from reviewer.dataset.mine import MineOptions, Source, mine
from reviewer.dataset.mutate import CleanUnit, mutate_units
from reviewer.dataset.record import Record, read_records, write_records
from reviewer.git import History
from reviewer.model.resolve import file_sha256
from reviewer.syntax import parse_file
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
    rows = table_rows(table.read_text())
    gate = f"head (at its gate, p >= {again['threshold']:.3f})"
    top = "head (top line of every unit)"
    assert list(rows) == ["structural", top, gate]
    check_table_numbers(rows, list(read_records(data)), top, gate)


def table_rows(text: str) -> dict[str, list[str]]:
    """configuration -> its cells, from the markdown table `reviewer eval` writes."""
    lines = [line for line in text.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header[:2] == ["configuration", "buggy / clean units"]
    rows = {}
    for line in lines[1:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0]] = cells[1:]
    return rows


def _pct(cell: str) -> float:
    assert cell.endswith("%"), cell
    return float(cell[:-1])


def check_table_numbers(
    rows: dict[str, list[str]], records: list[Record], top: str, gate: str
) -> None:
    """The table's numbers against the same arithmetic done here, from the
    records alone: unit counts, chance, lift, and what "every unit gets its
    top line" and "structural checks" must give."""
    buggy = [r for r in records if r.buggy]
    clean = [r for r in records if not r.buggy]
    assert buggy and clean
    for name, cells in rows.items():
        assert cells[0] == f"{len(buggy)} / {len(clean)}", name
        for hit, chance, lift in ((1, 2, 3), (4, 5, 6)):  # @0, @3
            assert cells[lift].endswith(" pp"), cells
            expected = _pct(cells[hit]) - _pct(cells[chance])
            assert abs(float(cells[lift][:-3]) - expected) <= 0.11, (name, cells)
        assert 0.0 <= _pct(cells[1]) <= _pct(cells[4]) <= 100.0, (name, cells)  # hit@0 <= hit@3

    # One comment on every unit: the chance of hitting is the share of the
    # candidate lines that are (near) a labelled line, averaged over buggy units.
    def chance(k: int) -> float:
        shares = []
        for record in buggy:
            lines = candidate_lines(record)
            labelled = labelled_lines(record)
            near = [n for n in lines if any(abs(n - t) <= k for t in labelled)]
            shares.append(len(near) / len(lines))
        return 100 * sum(shares) / len(shares)

    cells = rows[top]
    assert abs(_pct(cells[2]) - chance(0)) <= 0.051, cells
    assert abs(_pct(cells[5]) - chance(3)) <= 0.051, cells
    assert cells[8] == "100.0%"  # every clean unit got its one comment
    clean_lines = sum(len(candidate_lines(r)) for r in clean)
    assert float(cells[9]) == round(1000 * len(clean) / clean_lines, 1), cells
    # At the gate the head comments on a subset of those units.
    assert _pct(rows[gate][8]) <= 100.0 and float(rows[gate][9]) <= float(cells[9])

    # The structural row: the checks' findings on each unit's candidate lines.
    def commented(record: Record) -> set[int]:
        parsed = parse_file(record.path, record.unit_before + "\n")
        return {f.line for f in run_checks(parsed)} & set(candidate_lines(record))

    hits = sum(1 for r in buggy if commented(r) & set(labelled_lines(r)))
    structural = rows["structural"]
    assert abs(_pct(structural[1]) - 100 * hits / len(buggy)) <= 0.051, structural
    flagged = sum(1 for r in clean if commented(r))
    assert abs(_pct(structural[8]) - 100 * flagged / len(clean)) <= 0.051, structural


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

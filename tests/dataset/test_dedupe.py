"""Deduplicating newly mined records against known data and each other, on
records mined from real repositories built in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.dataset.dedupe import dedupe
from reviewer.dataset.mine import MineOptions, Source, mine
from reviewer.dataset.record import Record, read_records, write_records
from reviewer.git import History
from tests.conftest import GitRepo, make_repo
from tests.dataset.test_mine import build_history

CLAMP = """

def clamp(value, low, high):
    if value < low:
        return low
    return min(value, hight)
"""


def mined(repo: GitRepo, name: str) -> list[Record]:
    options = MineOptions(min_age_days=0, min_later_commits=0, clean_per_fix=10)
    return mine(Source(History(repo.path), name, "MIT"), options)


def forked(path: Path) -> GitRepo:
    """The history of build_history plus a fix of its own."""
    fork = make_repo(path)
    build_history(fork)
    current = (fork.path / "pkg/calc.py").read_text()
    fork.write("pkg/calc.py", current + CLAMP)
    fork.commit("Add clamp")
    fork.write("pkg/calc.py", current + CLAMP.replace("hight", "high"))
    fork.commit("Fix wrong name in clamp")
    return fork


def test_units_the_known_data_holds_are_dropped(repo: GitRepo, tmp_path: Path) -> None:
    build_history(repo)
    known = mined(repo, "acme/calc")
    fork = mined(forked(tmp_path / "fork"), "other/fork")
    kept, counts = dedupe(fork, known)
    known_texts = {r.unit_before for r in known}
    assert {r.unit_before for r in fork} & known_texts  # the fork repeats them
    assert not {r.unit_before for r in kept} & known_texts
    assert [r.message for r in kept if r.kind == "fix"] == ["Fix wrong name in clamp"]
    assert counts.kept == len(kept) and counts.known == len(fork) - len(kept)
    assert counts.repeated == 0


def test_repeats_across_new_repositories_count_once(repo: GitRepo, tmp_path: Path) -> None:
    build_history(repo)
    first = mined(repo, "acme/calc")
    vendored = mined(forked(tmp_path / "vendor"), "other/vendor")
    kept, counts = dedupe(first + vendored, [])
    assert kept[: len(first)] == first  # the copy seen first is kept
    assert len({r.unit_before for r in kept}) == len(kept)
    assert counts.repeated == len(first + vendored) - len(kept) > 0
    assert counts.known == 0


def test_a_known_id_is_dropped_even_when_its_text_changed(repo: GitRepo) -> None:
    build_history(repo)
    records = mined(repo, "acme/calc")
    edited = records[0].model_copy(update={"unit_before": "def other():\n    pass"})
    kept, counts = dedupe(records, [edited])
    assert records[0] not in kept and kept == records[1:]
    assert counts.known == 1


def test_cli_writes_the_new_records_and_counts_what_it_dropped(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_history(repo)
    write_records(mined(repo, "acme/calc"), known := tmp_path / "known.jsonl")
    fork = mined(forked(tmp_path / "fork"), "other/fork")
    write_records(fork, new := tmp_path / "new.jsonl")
    out = tmp_path / "out.jsonl"
    code = main(["dataset", "dedupe", str(new), "--against", str(known), "-o", str(out)])
    assert code == 0
    kept = list(read_records(out))
    assert 0 < len(kept) < len(fork)
    assert f"kept {len(kept)}; dropped {len(fork) - len(kept)} already" in capsys.readouterr().err


def test_cli_names_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.jsonl"
    assert main(["dataset", "dedupe", str(missing)]) == 2
    err = capsys.readouterr().err
    assert f"not found: {missing}" in err and "Traceback" not in err

"""Mining real repositories built in tmp_path: fix units, clean units that
survived, and what is left out (tests, non-fix messages, rewritten lines)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.dataset.heuristics import is_clean_message, is_fix_message, language_of
from reviewer.dataset.mine import MineOptions, Source, mine, repo_name
from reviewer.dataset.record import Record, read_records
from reviewer.git import History
from tests.conftest import GitRepo
from tests.shared_data import shared_file

MIT = "Permission is hereby granted, free of charge, to any person obtaining a copy\n"

ORIGINAL = """def total(items):
    result = 0
    for i in range(len(items) - 1):
        result += items[i]
    return result
"""
SCALE = """

def scale(value, factor):
    result = value * factor
    return result
"""
DESCRIBE = """

def describe(name, size):
    label = name.upper()
    return f"{label}: {size}"
"""


def build_history(repo: GitRepo) -> dict[str, str]:
    repo.write("LICENSE", MIT)
    repo.write("pkg/calc.py", ORIGINAL)
    shas = {"initial": repo.commit("Add calc module")}
    repo.write("pkg/calc.py", ORIGINAL + SCALE)
    shas["scale"] = repo.commit("Add scale function")
    fixed = ORIGINAL.replace("range(len(items) - 1)", "range(len(items))") + SCALE
    repo.write("pkg/calc.py", fixed)
    repo.write("tests/test_calc.py", "def test_total():\n    assert True\n")
    shas["fix"] = repo.commit("Fix off-by-one in total")
    repo.write("pkg/calc.py", fixed + DESCRIBE)
    shas["describe"] = repo.commit("Add describe helper")
    # A later commit rewrites scale()'s line: its clean candidate is dropped.
    repo.write("pkg/calc.py", (fixed + DESCRIBE).replace("value * factor", "factor * value"))
    shas["rewrite"] = repo.commit("Reorder scale operands")
    repo.write("tests/test_more.py", "def test_x():\n    x = 1\n    assert x\n")
    repo.commit("Fix flaky test")
    return shas


def mined(repo: GitRepo) -> list[Record]:
    options = MineOptions(min_age_days=0, min_later_commits=0, clean_per_fix=10)
    return mine(Source(History(repo.path), "acme/calc", "MIT"), options)


def test_a_fix_commit_gives_the_buggy_unit_and_the_fixed_lines(repo: GitRepo) -> None:
    shas = build_history(repo)
    fixes = [r for r in mined(repo) if r.kind == "fix"]
    assert len(fixes) == 1
    fix = fixes[0]
    assert fix.id == f"acme/calc:{shas['fix'][:12]}:pkg/calc.py:1"
    assert fix.symbol == "total" and fix.unit_kind == "func"
    assert fix.unit_before.splitlines()[2] == "    for i in range(len(items) - 1):"
    assert fix.fixed_lines == [3] and fix.fixed_lines_in_unit == [3]
    assert fix.unit_after is not None and "range(len(items))" in fix.unit_after
    assert fix.suggestion == "    for i in range(len(items)):"
    assert fix.parent == shas["scale"] and fix.message == "Fix off-by-one in total"


def test_a_fix_that_fills_an_empty_file_marks_no_line_there(repo: GitRepo) -> None:
    repo.write("LICENSE", MIT)
    repo.write("pkg/calc.py", ORIGINAL)
    repo.write("pkg/__init__.py", "")
    repo.commit("Add calc module")
    repo.write("pkg/calc.py", ORIGINAL.replace("range(len(items) - 1)", "range(len(items))"))
    repo.write("pkg/__init__.py", "from .calc import total\n")
    repo.commit("Fix off-by-one in total and export it")
    fixes = [r for r in mined(repo) if r.kind == "fix"]
    assert [(r.path, r.fixed_lines) for r in fixes] == [("pkg/calc.py", [3])]


def test_clean_units_are_those_whose_lines_survived(repo: GitRepo) -> None:
    shas = build_history(repo)
    clean = {r.commit: r for r in mined(repo) if r.kind == "clean"}
    # describe() was never touched again; the first scale() line was rewritten.
    assert shas["scale"] not in clean
    describe = clean[shas["describe"]]
    assert describe.symbol == "describe"
    assert describe.unit_before == describe.unit_after
    assert describe.fixed_lines_in_unit == []
    assert describe.changed_lines_in_unit == [1, 2, 3]
    assert shas["rewrite"] in clean  # nothing came after it


def test_clean_units_need_enough_later_history(repo: GitRepo) -> None:
    build_history(repo)
    strict = MineOptions(min_age_days=10_000, min_later_commits=50)
    records = mine(Source(History(repo.path), "acme/calc", "MIT"), strict)
    assert [r.kind for r in records] == ["fix"]


def test_cli_writes_valid_jsonl_and_detects_the_licence(repo: GitRepo, tmp_path: Path) -> None:
    build_history(repo)
    out = tmp_path / "mined.jsonl"
    code = main(
        ["dataset", "mine", str(repo.path), "-o", str(out), "--name", "acme/calc",
         "--min-age-days", "0", "--min-later-commits", "0"]
    )  # fmt: skip
    assert code == 0
    records = list(read_records(out))
    assert {r.kind for r in records} == {"fix", "clean"}
    assert {r.license for r in records} == {"MIT"}
    assert all(json.loads(line)["repo"] == "acme/calc" for line in out.read_text().splitlines())


def test_cli_refuses_a_repository_without_a_licence(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("a.py", "def f():\n    return 1\n\n")
    repo.commit("Add f")
    assert main(["dataset", "mine", str(repo.path)]) == 2
    assert "--license" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("message", "fix", "clean"),
    [
        ("Fix crash when config is empty", True, False),
        ("fix: wrong status code on redirect", True, False),
        ("Fix typo in docs", False, False),
        ("docs: fix broken link", False, False),
        ("Bump version to 1.2", False, False),
        ("Add retry option to client", False, True),
        ("Add retry option\n\nThis fixes a crash.", False, False),
        ("Handle empty input", False, False),
    ],
)
def test_message_heuristics(message: str, fix: bool, clean: bool) -> None:
    assert (is_fix_message(message), is_clean_message(message)) == (fix, clean)


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("pkg/core.py", "python"),
        ("tests/test_core.py", None),
        ("pkg/core_test.go", None),
        ("server/handler.go", "go"),
        ("web/app.min.js", None),
        ("vendor/lib/x.go", None),
        ("src/index.ts", "typescript"),
        ("types/index.d.ts", None),
        ("setup.py", None),
        ("README.md", None),
    ],
)
def test_which_files_are_mined(path: str, language: str | None) -> None:
    assert language_of(path) == language


def test_mirror_folders_are_named_owner_slash_name(tmp_path: Path) -> None:
    assert repo_name(tmp_path / "pallets+click") == "pallets/click"
    assert repo_name(tmp_path / "myrepo.git") == "myrepo"


def test_the_shared_dataset_is_valid_input() -> None:
    path = shared_file("data", "dev.jsonl")
    if path is None:
        pytest.skip(
            "the mined dataset (shared/data/dev.jsonl) is not beside this checkout: "
            "set REVIEWER_SHARED to the folder that holds data/dev.jsonl"
        )
    records = [r for r, _ in zip(read_records(path), range(200), strict=False)]
    assert len(records) == 200
    fix = next(r for r in records if r.kind == "fix")
    assert fix.fixed_lines_in_unit and fix.origin == "mined"

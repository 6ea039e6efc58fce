"""SZZ on real repositories: which change a fix blames, which lines, and
what never counts (comments, whitespace, huge changes, recent changes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.git import History
from reviewer.jit.mine import JitOptions, mine_changes
from reviewer.jit.record import read_records
from reviewer.jit.szz import SzzOptions, szz
from tests.conftest import GitRepo
from tests.jit.helpers import commit_as

MIT = "Permission is hereby granted, free of charge, to any person obtaining a copy\n"
BASE = """def add(a, b):
    return a + b


def scale(v, k):
    # multiply
    return v * k


def name(user):
    return user.name
"""


def build(repo: GitRepo, mp: pytest.MonkeyPatch) -> dict[str, str]:
    shas = {}
    repo.write("LICENSE", MIT)
    repo.write("calc.py", BASE)
    shas["base"] = commit_as(repo, mp, "alice", "2018-01-01T00:00:00+00:00", "Start")
    repo.write("calc.py", BASE.replace("return a + b", "return a - b"))
    shas["bug"] = commit_as(repo, mp, "bob", "2018-06-01T00:00:00+00:00", "Rework add")
    text = (repo.path / "calc.py").read_text()
    repo.write("calc.py", text.replace("# multiply", "# multiply v by k"))
    shas["comment"] = commit_as(repo, mp, "carol", "2018-07-01T00:00:00+00:00", "Say more")
    text = (repo.path / "calc.py").read_text()
    repo.write("calc.py", text.replace("    return user.name", "        return user.name"))
    shas["indent"] = commit_as(repo, mp, "carol", "2018-08-01T00:00:00+00:00", "Indent")
    text = (repo.path / "calc.py").read_text()
    repo.write("calc.py", text.replace("return a - b", "return a + b"))
    shas["fix"] = commit_as(repo, mp, "alice", "2020-01-01T00:00:00+00:00", "Fix wrong sum")
    text = (repo.path / "calc.py").read_text()
    repo.write("calc.py", text.replace("# multiply v by k", "# multiply v by k, a number"))
    shas["comment_fix"] = commit_as(
        repo, mp, "alice", "2020-02-01T00:00:00+00:00", "Fix the comment on scale"
    )
    text = (repo.path / "calc.py").read_text()
    repo.write("calc.py", text.replace("        return user.name", "    return user.name"))
    shas["ws_fix"] = commit_as(repo, mp, "alice", "2020-03-01T00:00:00+00:00", "Fix indent bug")
    return shas


def test_a_fix_blames_the_change_that_wrote_the_line(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    shas = build(repo, monkeypatch)
    found = szz(History(repo.path), SzzOptions())
    # The sum's line comes from "bug"; comment-only and whitespace-only fixes blame nothing.
    assert set(found) == {shas["bug"]}
    assert dict(found[shas["bug"]].lines) == {"calc.py": {2}}
    assert found[shas["bug"]].fixes == {shas["fix"]}


def test_a_pure_insertion_blames_the_lines_around_it(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write("guard.py", "def first(items):\n    value = items[0]\n    return value\n")
    bug = commit_as(repo, monkeypatch, "bob", "2019-01-01T00:00:00+00:00", "Add first")
    repo.write(
        "guard.py",
        "def first(items):\n    if not items:\n        return None\n"
        "    value = items[0]\n    return value\n",
    )
    commit_as(repo, monkeypatch, "alice", "2020-01-01T00:00:00+00:00", "Fix crash on empty list")
    found = szz(History(repo.path), SzzOptions())
    assert dict(found[bug].lines) == {"guard.py": {1, 2}}


def test_insertion_neighbours_do_not_count_when_the_fix_modified_code(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write("two.py", "def f(x):\n    y = x * 2\n    return y\n")
    first = commit_as(repo, monkeypatch, "bob", "2019-01-01T00:00:00+00:00", "Add f")
    repo.write("two.py", "def f(x):\n    y = x * 2\n    return y\n\n\nLIMIT = 3\n")
    commit_as(repo, monkeypatch, "carol", "2019-02-01T00:00:00+00:00", "Add limit")
    repo.write("two.py", "def f(x):\n    y = x * 3\n    log(y)\n    return y\n\n\nLIMIT = 3\n")
    commit_as(repo, monkeypatch, "alice", "2020-01-01T00:00:00+00:00", "Fix wrong factor")
    found = szz(History(repo.path), SzzOptions())
    # Line 2 was modified; the insertion after it blames nothing more.
    assert set(found) == {first}
    assert dict(found[first].lines) == {"two.py": {2}}


def test_a_branch_commit_blamed_labels_the_merge_that_brought_it(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write("m.py", "def half(x):\n    return x / 2\n")
    commit_as(repo, monkeypatch, "alice", "2018-01-01T00:00:00+00:00", "Start")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("m.py", "def half(x):\n    return x / 3\n")
    commit_as(repo, monkeypatch, "bob", "2018-02-01T00:00:00+00:00", "Rework half")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge topic", "topic")
    merge = repo.git("rev-parse", "HEAD").strip()
    repo.git("checkout", "-q", "topic")  # the fix is made on the branch, merged later
    repo.write("m.py", "def half(x):\n    return x / 2\n")
    commit_as(repo, monkeypatch, "alice", "2020-01-01T00:00:00+00:00", "Fix wrong half")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge topic again", "topic")
    records, stats = mine_changes(History(repo.path), "o/m", "MIT", JitOptions())
    by_sha = {r.sha: r for r in records}
    assert stats.off_main == 1  # blame stopped at the branch's own commit
    assert by_sha[merge].label == "buggy"
    assert by_sha[merge].files[0].buggy == [2]


def test_records_label_buggy_and_clean_changes(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    shas = build(repo, monkeypatch)
    records, stats = mine_changes(History(repo.path), "o/calc", "MIT", JitOptions())
    by_sha = {r.sha: r for r in records}
    assert by_sha[shas["bug"]].label == "buggy"
    assert by_sha[shas["bug"]].files[0].buggy == [2]
    assert by_sha[shas["bug"]].fixes == [shas["fix"]]
    assert by_sha[shas["bug"]].features["la"] == 1
    # Old enough and never blamed: clean. The last fixes are too recent to tell.
    assert by_sha[shas["base"]].label == "clean"
    assert by_sha[shas["comment"]].label == "clean"
    assert shas["ws_fix"] not in by_sha and stats.too_recent >= 2
    assert stats.buggy == 1


def test_huge_changes_are_dropped(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    shas = build(repo, monkeypatch)
    records, stats = mine_changes(History(repo.path), "o/calc", "MIT", JitOptions(max_lines=5))
    assert shas["base"] not in {r.sha for r in records}  # 11 lines: an "initial import"
    assert stats.huge == 1 and stats.buggy == 1


def test_cli_writes_one_file_per_repository_and_resumes(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    build(repo, monkeypatch)
    out = tmp_path / "out"
    assert main(["dataset", "szz", str(repo.path), "-o", str(out)]) == 0
    target = out / "repo.jsonl"
    labels = sorted(r.label for r in read_records(target))
    assert labels.count("buggy") == 1 and "clean" in labels
    target.write_text("")  # a finished repository is not mined again
    assert main(["dataset", "szz", str(repo.path), "-o", str(out)]) == 0
    assert target.read_text() == ""

"""Property-based tests over real git repositories built from generated
trees (tests/fuzz/cases.py): every property of tests/fuzz/properties.py
holds for every case. Bounded example counts; bench/fuzz.py runs the full
counts and commits bench/results/robustness.md."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import GitRepo, make_repo
from tests.fuzz.cases import Case, Entry, build, generate
from tests.fuzz.properties import Run, check_case, run_cli

BOUNDED = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@BOUNDED
@given(seed=st.integers(0, 2**32 - 1))
def test_generated_changes_keep_every_property(
    seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # A seed, not hypothesis' own randoms: a case draws many random bytes,
    # and a failing seed replays exactly in bench/fuzz.py --seed.
    case = generate(random.Random(seed))
    root = tmp_path_factory.mktemp("fuzz") / "repo"
    build(case, root)
    assert check_case(case, root) == [], case.kinds


@pytest.mark.parametrize("seed", [3, 17])
def test_huge_lines_and_deep_nesting(seed: int, tmp_path: Path) -> None:
    """The expensive spoilers (1 MB lines, 800 levels of nesting) on a few
    fixed seeds; the benchmark runs them at volume."""
    case = generate(random.Random(seed), big=True)
    build(case, tmp_path / "repo")
    assert check_case(case, tmp_path / "repo", formats=()) == [], case.kinds


def test_every_spoiler_at_once(tmp_path: Path) -> None:
    text = (
        b"\xef\xbb\xbfdef f(a):\r\n    return a == None\r"
        + b"x = '\xff\xfe'\n\tif a is 1:\n"
        + b"y = "
        + b"(" * 300
        + b"1"
        + b")" * 300
        + b"\n"
        + b"z = '"
        + b"q" * 200_000
        + b"'"
    )
    case = Case(
        base={"m.py": Entry(b"x = 1\n"), "b.bin": Entry(b"\0\1\2"), "old.js": Entry(b"a == b\n")},
        head={
            "m.py": Entry(text, executable=True),
            "b.bin": Entry(b"\0\1\3"),
            "new.js": Entry(b"a == b\nif (x == null) {}\n"),
            "link.py": Entry(b"m.py", symlink=True),
        },
        mode="worktree",
    )
    build(case, tmp_path / "repo")
    assert check_case(case, tmp_path / "repo") == []


def test_a_submodule_change_is_set_aside(repo: GitRepo, tmp_path: Path) -> None:
    inner = make_repo(tmp_path / "inner")
    inner.write("lib.py", "x = 1\n")
    inner.commit("one")
    repo.write("m.py", "x = 1\n")
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner.path), "dep")
    repo.commit("base")
    inner.write("lib.py", "def f(a):\n    return a == None\n")
    inner.commit("two")
    repo.git("-C", "dep", "pull", "-q", "origin", "main")
    repo.write("m.py", "def g(a):\n    return a == None\n")
    reports = {}
    for argv in ([], ["--staged"]):
        run = run_cli("diff", "--no-model", "--format", "json", *argv)
        assert isinstance(run, Run), run  # not a crash
        assert run.code == 0, run  # a warning does not fail the run
        reports[" ".join(argv)] = json.loads(run.out)
    work_tree = reports[""]
    # The submodule is listed as set aside, not reviewed; the file is.
    assert work_tree["summary"]["skipped"] == [{"path": "dep", "reason": "submodule"}]
    assert [(f["path"], f["line"], f["rule_id"]) for f in work_tree["findings"]] == [
        ("m.py", 2, "py-none-equality")
    ]
    # Nothing is staged: the staged review has nothing to say.
    staged = reports["--staged"]
    assert (staged["findings"], staged["summary"]["files_reviewed"]) == ([], 0)

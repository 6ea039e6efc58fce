"""A review split across two processes by language writes exactly the
report one process writes: findings, the cap, hidden counts, skipped files,
notes, units."""

from __future__ import annotations

from dataclasses import replace

import pytest

from reviewer.engine import review
from reviewer.split import SPLIT_MIN_BYTES, _halves, review_structural
from reviewer.workspace import Workspace
from tests.conftest import GitRepo

PYTHON = "def f{i}(x, items=[]):\n    if x == None:\n        return items\n    return x\n\n\n"
JAVASCRIPT = "function g{i}(a) {{\n  if (a == null) {{ return 1; }}\n  return a;\n}}\n\n"


def body(template: str, count: int, head: str = "") -> str:
    return head + "".join(template.format(i=i) for i in range(count))


@pytest.mark.parametrize(
    "overrides",
    [{}, {"max_findings": 7}, {"exclude": ("web/*",)}, {"filter_mode": "file"}],
)
def test_split_review_equals_one_process(repo: GitRepo, overrides: dict[str, object]) -> None:
    repo.write("a.py", body(PYTHON, 5))
    repo.write("web/b.js", body(JAVASCRIPT, 5))
    repo.commit("start")
    repo.write("a.py", body(PYTHON, 400))
    repo.write("c.py", body(PYTHON, 300))
    repo.write("web/b.js", body(JAVASCRIPT, 400))
    repo.write("web/d.js", body(JAVASCRIPT, 20))
    repo.write("m.go", body("func h{i}(a int) int {{\n\treturn a\n}}\n\n", 300, "package main\n\n"))
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\0\0binary")
    workspace = Workspace.open(None, overrides)
    change_set = workspace.reader.working_tree([], untracked=True)
    assert sum(len(c.new_text) for c in change_set.files) > SPLIT_MIN_BYTES
    halves = _halves(change_set)
    assert halves is not None and halves[0].files and halves[1].files
    notes = ("model: off",)
    one = review(change_set, workspace.config, notes=notes)
    two = review_structural(change_set, workspace.config, notes=notes)
    assert two == one
    assert one.findings  # there was something to compare
    if "max_findings" in overrides:
        assert len(one.findings) == 7 and one.hidden["over the cap"] > 0


def test_small_or_one_language_changes_stay_in_one_process(repo: GitRepo) -> None:
    repo.write("a.py", "x = 1\n")
    repo.commit("start")
    repo.write("a.py", body(PYTHON, 600))
    repo.write("b.js", "let a = 1;\n")
    workspace = Workspace.open(None, {})
    change_set = workspace.reader.working_tree([], untracked=True)
    assert _halves(replace(change_set, files=change_set.files[:1])) is None  # one language
    small = tuple(replace(c, new_text=c.new_text[:100]) for c in change_set.files)
    assert _halves(replace(change_set, files=small)) is None

"""`reviewer github --model` on the fake GitHub (tests/github_fake.py): the
review's summary has a "Where to look first" section linking the lines;
inline comments are only for lines past the gate, within the cap; a re-run
posts nothing twice."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.model.resolve import ModelLocation
from tests.conftest import GitRepo
from tests.test_github import PullRequestRun

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="no llama-cpp-python"),
]


@pytest.fixture
def pr(repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PullRequestRun]:
    run = PullRequestRun(repo, tmp_path, monkeypatch)
    yield run
    run.server.shutdown()


def test_the_summary_says_where_to_look_first_once(
    pr: PullRequestRun,
    model_default: ModelLocation,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("REVIEWER_MODEL_ENABLED")
    # A gate no line passes: every line is ranked, none is a finding.
    pr.repo.write(
        ".reviewer.toml",
        f'[model]\npath = "{model_default.path}"\nexplain = false\nthreshold = 0.999\n',
    )
    main(["github", "--model", "--max-comments", "1"])
    capsys.readouterr()
    posts = pr.fake.posted_reviews()
    assert len(posts) == 1
    body, comments = posts[0]["body"], posts[0]["comments"]
    assert "#### Where to look first" in body
    # The range's history was read: the learned scorer's calibrated risk and
    # reasons, ranked among the base's one commit, scored the same way.
    assert re.search(r"Change risk 0\.\d\d; higher than [01] of the last 1 changes here: \w", body)
    link = f"](https://github.com/octo/shop/blob/{pr.head}/shop.py#L"
    assert body.count(link) == 5, body  # the five highest-scored added lines
    # Inline: only findings past their gate (here the structural ones), within the cap.
    assert len(comments) == 1 and "model/" not in comments[0]["body"]

    main(["github", "--model", "--max-comments", "1"])
    assert "nothing new to post on #17" in capsys.readouterr().out
    assert len(pr.fake.posted_reviews()) == 1

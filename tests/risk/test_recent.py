"""The recent changes a change's risk is ranked among carry their own
just-in-time metrics, the miner's numbers for each of those commits (the
learned scorer ranks a change only among changes it scored too), read from
the history behind the base and nothing later."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.git import History
from reviewer.history import features_of
from reviewer.risk.recent import recent_changes
from tests.conftest import GitRepo
from tests.test_change_history import at, build_history, code


def _first_parent(repo: GitRepo, rev: str) -> list[str]:
    return repo.git("rev-list", "--first-parent", rev).split()  # newest first


@pytest.mark.parametrize("limit", [3, 100])  # the state before the oldest: cached, or none
def test_each_recent_change_has_the_metrics_the_miner_gives_its_commit(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, limit: int
) -> None:
    build_history(repo, monkeypatch)
    cache = tmp_path / "cache.sqlite3"
    recent = recent_changes(repo.path, repo.git("rev-parse", "HEAD").strip(), limit,
                            metrics=True, cache=cache)  # fmt: skip
    commits = _first_parent(repo, "HEAD")[:limit]
    assert len(recent) == len(commits)
    history = History(repo.path)
    assert [facts.history for facts in recent] == [features_of(history, sha) for sha in commits]


def test_the_recent_changes_of_an_older_base_know_nothing_later(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shas = build_history(repo, monkeypatch)
    cache = tmp_path / "cache.sqlite3"
    # The cache first learns the whole history, then an older base is asked.
    recent_changes(repo.path, shas["c5"], metrics=True, cache=cache)
    at(monkeypatch, 40)
    repo.write("core/b.py", code("b", 9))
    repo.commit("later")
    older = recent_changes(repo.path, shas["c3"], metrics=True, cache=cache)
    history = History(repo.path)
    expected = [features_of(history, sha) for sha in _first_parent(repo, shas["c3"])]
    assert [facts.history for facts in older] == expected
    assert len(older) == 3


def test_without_metrics_the_recent_changes_carry_none(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    shas = build_history(repo, monkeypatch)
    recent = recent_changes(repo.path, shas["c5"])
    assert len(recent) == 5 and all(facts.history is None for facts in recent)


def test_a_shallow_clone_gives_no_metrics(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    build_history(repo, monkeypatch)
    clone = tmp_path / "shallow"
    repo.git("clone", "-q", "--depth", "2", repo.path.as_uri(), str(clone))
    recent = recent_changes(clone, History(clone).head(), metrics=True,
                            cache=tmp_path / "c.sqlite3")  # fmt: skip
    assert recent and all(facts.history is None for facts in recent)

"""Kamei's metrics from a real repository, and that they read nothing later
than the change's parent."""

from __future__ import annotations

import pytest

from reviewer.git import History
from reviewer.history import FEATURES, features_of, kamei_features, read_changes
from tests.conftest import GitRepo
from tests.jit.helpers import commit_as

TEN = "".join(f"x{n} = {n}\n" for n in range(10))


@pytest.fixture
def shas(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    found = {}
    repo.write("pkg/a.py", TEN)
    found["first"] = commit_as(repo, monkeypatch, "alice", "2020-01-01T00:00:00+00:00", "Start")
    repo.write("pkg/a.py", TEN.replace("x3 = 3\n", "x3 = 30\nx3b = 31\n"))
    repo.write("lib/b.py", "y = 1\nz = 2\nw = 3\n")
    found["change"] = commit_as(
        repo, monkeypatch, "bob", "2020-01-11T00:00:00+00:00", "Fix x3 and add b"
    )
    # Later history that would change every history metric if it were read.
    repo.write("pkg/a.py", TEN + "x10 = 10\n")
    found["later"] = commit_as(repo, monkeypatch, "carol", "2020-02-01T00:00:00+00:00", "More")
    repo.write("lib/b.py", "y = 1\nz = 2\nw = 4\n")
    found["last"] = commit_as(repo, monkeypatch, "bob", "2021-01-11T00:00:00+00:00", "Tweak w")
    return found


EXPECTED = {
    "ns": 2, "nd": 2, "nf": 2, "la": 5, "ld": 1, "lt": 5.0, "fix": 1.0,
    "ndev": 1, "age": 10.0, "nuc": 1, "exp": 0, "rexp": 0.0, "sexp": 0,
}  # fmt: skip


def test_metrics_of_a_change_come_from_its_parent_only(repo: GitRepo, shas: dict[str, str]) -> None:
    history = History(repo.path)
    alone = features_of(history, shas["change"])
    streamed = dict(kamei_features(read_changes(history)))
    in_full = next(f for c, f in streamed.items() if c.sha == shas["change"])
    # carol's and bob's later commits would raise ndev, nuc, exp and sexp.
    for name, value in EXPECTED.items():
        assert alone[name] == pytest.approx(value), name
        assert in_full[name] == pytest.approx(value), name
    assert set(alone) == set(FEATURES)
    assert 0.0 < alone["entropy"] <= 1.0


def test_history_metrics_count_earlier_changes(repo: GitRepo, shas: dict[str, str]) -> None:
    last = features_of(History(repo.path), shas["last"])
    assert last["exp"] == 1  # bob's earlier change, not this one
    assert last["sexp"] == 1  # lib/ was bob's subsystem once before
    assert last["ndev"] == 1 and last["nuc"] == 1  # lib/b.py: bob's change only
    assert last["age"] == pytest.approx(366.0)
    assert last["lt"] == 3.0 and last["fix"] == 0.0
    assert last["rexp"] == pytest.approx(1 / (1 + 366 / 365.25))  # a year back: weighed down


def test_a_merge_is_one_change(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write("app.py", "a = 1\n")
    commit_as(repo, monkeypatch, "alice", "2020-01-01T00:00:00+00:00", "Start")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("app.py", "a = 1\nb = 2\n")
    commit_as(repo, monkeypatch, "bob", "2020-01-02T00:00:00+00:00", "Add b")
    repo.write("app.py", "a = 1\nb = 2\nc = 3\n")
    commit_as(repo, monkeypatch, "bob", "2020-01-03T00:00:00+00:00", "Add c")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge topic", "topic")
    changes = read_changes(History(repo.path))
    assert [c.message for c in changes] == ["Start", "Merge topic"]
    assert changes[1].files[0].added == 2


def test_a_snapshot_missing_a_blob_loses_only_that_change(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write("a.py", "a = 1\n")
    commit_as(repo, monkeypatch, "alice", "2020-01-01T00:00:00+00:00", "Start")
    repo.write("big.py", "big = 1\n")
    lost = commit_as(repo, monkeypatch, "bob", "2020-01-02T00:00:00+00:00", "Add big")
    repo.write("a.py", "a = 2\n")
    commit_as(repo, monkeypatch, "alice", "2020-01-03T00:00:00+00:00", "Change a")
    blob = repo.git("rev-parse", f"{lost}:big.py").strip()
    (repo.path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    changes = read_changes(History(repo.path))
    assert [c.message for c in changes] == ["Start", "Change a"]
    assert changes[1].files[0].added == 1

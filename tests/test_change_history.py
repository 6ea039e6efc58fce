"""The change's own just-in-time metrics at review time: the same numbers
KameiStream gives the change once committed, from the history behind its
base only, through the per-repository cache (reused, extended, rebuilt)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import reviewer.change_history as change_history_module
from reviewer.change_history import change_history
from reviewer.git import ChangeReader, History, open_repo
from reviewer.history import FEATURES, features_of
from reviewer.history_store import HistoryStore, cache_file
from tests.conftest import GitRepo

DAY = 86400
START = 1_767_225_600  # 2026-01-01


def at(monkeypatch: pytest.MonkeyPatch, day: int, author: str = "ann@example.com") -> None:
    """The next commit's (and the uncommitted change's) author and date."""
    monkeypatch.setenv("GIT_AUTHOR_DATE", f"@{START + day * DAY} +0000")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", author)


def code(name: str, lines: int, salt: str = "") -> str:
    return "".join(f"def {name}_{n}():\n    return {n!r}{salt}\n" for n in range(lines))


def build_history(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Five first-parent commits by three authors over two subsystems."""
    shas = {}
    at(monkeypatch, 0)
    repo.write("core/a.py", code("a", 5))
    repo.write("core/b.py", code("b", 3))
    repo.write("docs/readme.txt", "hello\n")
    shas["c1"] = repo.commit("first")
    at(monkeypatch, 3, "bob@example.com")
    repo.write("core/a.py", code("a", 7))
    repo.write("web/view.py", code("v", 4))
    shas["c2"] = repo.commit("views")
    at(monkeypatch, 10)
    repo.write("core/b.py", code("b", 2, " + 1"))
    shas["c3"] = repo.commit("fix a crash in b")
    at(monkeypatch, 20, "cy@example.com")
    repo.write("core/a.py", code("a", 9, " * 2"))
    repo.write("web/view.py", code("v", 6))
    shas["c4"] = repo.commit("more")
    at(monkeypatch, 30, "bob@example.com")
    repo.write("core/a.py", code("a", 4))
    shas["c5"] = repo.commit("less")
    return shas


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "history.sqlite3"


@pytest.fixture
def shas(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    return build_history(repo, monkeypatch)


def reader(repo: GitRepo) -> ChangeReader:
    return ChangeReader(open_repo(repo.path))


def committed(repo: GitRepo, message: str = "change") -> dict[str, float]:
    """KameiStream's metrics of the commit that records the change."""
    sha = repo.commit(message)
    return features_of(History(repo.path), sha)


def stage_a_mixed_change(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Modified, added, deleted, deletions only, renamed, binary, not code."""
    at(monkeypatch, 41, "bob@example.com")
    repo.write("core/a.py", code("a", 6, " - 1"))
    repo.write("web/new.py", code("n", 3))
    repo.git("rm", "--quiet", "core/b.py")
    repo.write("web/view.py", code("v", 2))  # only deletions
    repo.git("mv", "docs/readme.txt", "docs/readme.md")
    repo.write("web/logo.png", b"\x89PNG\0\0binary")
    repo.git("add", "--all")


def test_a_staged_change_has_the_metrics_of_its_commit(
    repo: GitRepo, shas: dict[str, str], monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    stage_a_mixed_change(repo, monkeypatch)
    reviewed = change_history(reader(repo).staged(), cache=cache)
    assert reviewed is not None and set(reviewed) == set(FEATURES)
    assert reviewed == committed(repo)
    assert reviewed["nf"] >= 4 and reviewed["ld"] > 0 and reviewed["exp"] == 2


def test_a_work_tree_change_with_an_untracked_file(
    repo: GitRepo, shas: dict[str, str], monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    at(monkeypatch, 35, "cy@example.com")
    repo.write("core/a.py", code("a", 12))
    repo.write("core/c.py", code("c", 2))  # untracked
    reviewed = change_history(reader(repo).working_tree(), cache=cache)
    assert reviewed is not None
    assert reviewed == committed(repo)
    assert reviewed["nf"] == 2 and reviewed["ndev"] == 3


def test_a_range_has_the_history_of_its_base_only(
    repo: GitRepo, shas: dict[str, str], cache: Path
) -> None:
    """--base c2 --head c3 with c4 and c5 in the clone: c4 and c5 (which
    touch the same files, by other authors) are not behind the change."""
    history = History(repo.path)
    reviewed = change_history(reader(repo).between(shas["c2"], shas["c3"]), cache=cache)
    assert reviewed == features_of(history, shas["c3"])
    assert reviewed is not None and reviewed["fix"] == 1.0  # the head commit's message


def test_a_pull_request_reads_the_history_of_its_merge_base(
    repo: GitRepo, shas: dict[str, str], monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    repo.git("checkout", "--quiet", "-b", "topic", shas["c3"])
    at(monkeypatch, 25, "dee@example.com")
    repo.write("core/a.py", code("a", 8, " + 7"))
    topic = repo.commit("topic change")
    change_set = reader(repo).between("main", topic)
    assert change_set.base == shas["c3"]
    assert change_history(change_set, cache=cache) == features_of(History(repo.path), topic)


def test_the_author_of_uncommitted_work_is_gits_configured_user(
    repo: GitRepo, shas: dict[str, str], monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    monkeypatch.delenv("GIT_AUTHOR_EMAIL")
    repo.git("config", "user.email", "Bob@Example.com")
    repo.write("core/a.py", code("a", 3))
    reviewed = change_history(reader(repo).working_tree(), cache=cache)
    assert reviewed is not None and reviewed["exp"] == 2  # bob's two commits
    repo.git("config", "user.email", "nobody@example.com")
    assert change_history(reader(repo).working_tree(), cache=cache)["exp"] == 0  # type: ignore[index]


def test_the_author_of_a_range_is_its_head_commits(
    repo: GitRepo, shas: dict[str, str], cache: Path
) -> None:
    reviewed = change_history(reader(repo).between(shas["c3"], shas["c4"]), cache=cache)
    assert reviewed is not None and reviewed["exp"] == 0  # cy's first commit
    assert reviewed == features_of(History(repo.path), shas["c4"])


def record_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The revisions change_history asks git's log for."""
    reads: list[str] = []
    real: Callable[[History, str], object] = change_history_module.first_parent_changes

    def recording(history: History, revisions: str) -> object:
        reads.append(revisions)
        return real(history, revisions)

    monkeypatch.setattr(change_history_module, "first_parent_changes", recording)
    return reads


def test_the_cache_is_reused_then_extended_with_the_new_commits_only(
    repo: GitRepo, shas: dict[str, str], monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    reads = record_reads(monkeypatch)
    repo.write("core/a.py", code("a", 2))
    first = change_history(reader(repo).working_tree(), cache=cache)
    assert reads == [shas["c5"]]  # cold: the whole chain, once
    assert change_history(reader(repo).working_tree(), cache=cache) == first
    assert reads == [shas["c5"]]  # warm: nothing read from git's log
    at(monkeypatch, 50)
    c6 = committed(repo, "six")
    repo.write("web/view.py", code("v", 9))
    c7 = repo.commit("seven")
    at(monkeypatch, 60)
    repo.write("core/a.py", code("a", 1))
    reviewed = change_history(reader(repo).working_tree(), cache=cache)
    assert reads == [shas["c5"], f"{shas['c5']}..{c7}"]
    assert reviewed == committed(repo)
    with HistoryStore(cache, repo.path) as store:
        assert store.positions([c7]) == {c7: 6} and store.tip() == (6, c7)
    assert c6 != c7


def test_a_later_cached_state_is_never_used_for_an_earlier_base(
    repo: GitRepo, shas: dict[str, str], monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    repo.write("core/a.py", code("a", 2))
    assert change_history(reader(repo).working_tree(), cache=cache) is not None
    with HistoryStore(cache, repo.path) as store:
        assert store.tip() == (4, shas["c5"])  # the cache now holds c4 and c5
    for base, head in (("c1", "c2"), ("c2", "c3"), ("c3", "c4")):
        change_set = reader(repo).between(shas[base], shas[head])
        assert change_history(change_set, cache=cache) == features_of(
            History(repo.path), shas[head]
        )
    # c4 and c5 touch core/a.py by other authors: their state would differ.
    tip_state = change_history(reader(repo).between(shas["c4"], shas["c5"]), cache=cache)
    assert tip_state != change_history(reader(repo).between(shas["c2"], shas["c3"]), cache=cache)


def test_a_branch_off_the_cached_chain_is_read_on_top_of_it_in_memory(
    repo: GitRepo, shas: dict[str, str], monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    change_history(reader(repo).staged(), cache=cache)  # main at c5: cached up to c5
    repo.git("checkout", "--quiet", "-b", "topic", shas["c4"])
    at(monkeypatch, 33, "dee@example.com")
    repo.write("web/view.py", code("v", 1))
    repo.commit("topic one")
    repo.write("core/a.py", code("a", 3, " + 3"))
    repo.git("add", "--all")
    reviewed = change_history(reader(repo).staged(), cache=cache)
    assert reviewed == committed(repo)
    with HistoryStore(cache, repo.path) as store:
        assert store.tip() == (4, shas["c5"])  # main's chain kept


def test_a_damaged_cache_is_rebuilt(
    repo: GitRepo, shas: dict[str, str], monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    repo.write("core/a.py", code("a", 2))
    expected = change_history(reader(repo).working_tree(), cache=cache)
    cache.write_bytes(b"not a database, " * 500)
    assert change_history(reader(repo).working_tree(), cache=cache) == expected
    with HistoryStore(cache, repo.path) as store:
        assert store.tip() == (4, shas["c5"])


def test_a_cache_busy_with_another_writer_is_not_waited_for(
    repo: GitRepo, shas: dict[str, str], monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    monkeypatch.setattr("reviewer.history_store.WRITE_WAIT", 0.05)
    repo.write("core/a.py", code("a", 2))
    expected = change_history(reader(repo).working_tree(), cache=cache)
    other = sqlite3.connect(cache, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the editor's server, writing
    try:
        at(monkeypatch, 50)
        repo.commit("six")
        repo.write("core/a.py", code("a", 1))
        reviewed = change_history(reader(repo).working_tree(), cache=cache)
        assert reviewed is not None and reviewed == change_history(
            reader(repo).working_tree(), cache=cache.with_name("fresh.sqlite3")
        )
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert expected is not None


def test_no_history_is_none(tmp_path: Path, cache: Path, repo: GitRepo) -> None:
    repo.write("a.py", "x = 1\n")
    assert change_history(reader(repo).working_tree(), cache=cache) is None  # no commit yet
    repo.commit("one")
    repo.write("a.py", "x = 2\n")
    repo.commit("two")
    shallow = tmp_path / "shallow"
    GitRepo(tmp_path).git("clone", "--quiet", "--depth=1", f"file://{repo.path}", str(shallow))
    (shallow / "a.py").write_text("x = 3\n")
    assert change_history(ChangeReader(open_repo(shallow)).working_tree(), cache=cache) is None


def test_the_cache_lives_in_the_users_cache_directory(repo: GitRepo, isolated_home: Path) -> None:
    path = cache_file(repo.path)
    assert path.is_relative_to(isolated_home / "xdg_cache_home" / "reviewer")
    assert path != cache_file(repo.path / "elsewhere")


RACER = """
import json, sys
from pathlib import Path
from reviewer.change_history import change_history
from reviewer.git import ChangeReader, open_repo
reader = ChangeReader(open_repo(sys.argv[1]))
results = [change_history(reader.working_tree(), cache=Path(sys.argv[2])) for _ in range(5)]
print(json.dumps(results))
"""


def test_two_processes_at_once_share_the_cache_safely(
    repo: GitRepo, shas: dict[str, str], cache: Path
) -> None:
    repo.write("core/a.py", code("a", 2))
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": f"{root}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(repo.path), str(cache)],
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [json.loads(racer.communicate(timeout=120)[0]) for racer in racers]
    expected = change_history(reader(repo).working_tree(), cache=cache.with_name("alone"))
    assert all(result == expected for output in outputs for result in output)
    with HistoryStore(cache, repo.path) as store:
        assert store.tip() == (4, shas["c5"])
        assert store.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)

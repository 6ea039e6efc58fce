"""Every surface that computes the change's risk hands the change scorer
the change's own just-in-time metrics (ChangeFacts.history), read from the
history behind the change; none reads history when no change scorer runs.

The model tier is a spy here (the real one is exercised in test_cli_risk):
what matters is what the engine is given."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import reviewer.change_history
from reviewer.cli import main
from reviewer.config import Config
from reviewer.findings import Finding
from reviewer.git import History
from reviewer.history import FEATURES, features_of
from reviewer.risk import ChangeFacts, ChangeRisk
from reviewer.syntax import ParsedFile, ReviewUnit
from tests.conftest import GitRepo
from tests.test_github import PullRequestRun

CODE = "def price(total, rate):\n    return total * rate\n"


class SpyTier:
    """A model tier whose change step records what it is given."""

    def __init__(self, change_scorer: bool = True) -> None:
        self.scorer = SimpleNamespace(change=object() if change_scorer else None)
        self.seen: list[ChangeFacts] = []

    def review_file(self, parsed: ParsedFile, units: Sequence[ReviewUnit]) -> list[Finding]:
        return []

    def notes(self) -> list[str]:
        return []

    def review_change(self, change: ChangeFacts) -> ChangeRisk | None:
        self.seen.append(change)
        return None

    def close(self) -> None:
        pass


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> SpyTier:
    tier = SpyTier()
    monkeypatch.setattr("reviewer.scorer.assemble.wanted", lambda *a, **k: True)
    monkeypatch.setattr("reviewer.scorer.assemble.build_model_tier", lambda *a, **k: (tier, []))
    return tier


@pytest.fixture
def two_commits(repo: GitRepo) -> list[str]:
    repo.write("shop.py", CODE)
    first = repo.commit("base")
    repo.write("shop.py", CODE + "\n\ndef tax(total):\n    return total * 0.2\n")
    return [first, repo.commit("fix the tax")]


@pytest.mark.parametrize("mode", [["--staged"], []])
def test_reviewer_diff_and_the_hook_pass_the_uncommitted_changes_metrics(
    repo: GitRepo, two_commits: list[str], spy: SpyTier, mode: list[str]
) -> None:
    repo.write("shop.py", CODE.replace("rate", "percent"))
    repo.git("add", "shop.py")
    main(["diff", "--model", *mode])
    (facts,) = spy.seen
    assert facts.history is not None and set(facts.history) == set(FEATURES)
    assert facts.history["nuc"] == 2 and facts.history["fix"] == 0.0


def test_reviewer_diff_of_a_range_passes_the_head_commits_metrics(
    repo: GitRepo, two_commits: list[str], spy: SpyTier
) -> None:
    main(["diff", "--model", "--base", two_commits[0], "--head", two_commits[1]])
    (facts,) = spy.seen
    assert facts.history == features_of(History(repo.path), two_commits[1])


def test_no_history_is_read_without_a_change_scorer(
    repo: GitRepo, two_commits: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tier = SpyTier(change_scorer=False)
    monkeypatch.setattr("reviewer.scorer.assemble.wanted", lambda *a, **k: True)
    monkeypatch.setattr("reviewer.scorer.assemble.build_model_tier", lambda *a, **k: (tier, []))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("history read without a change scorer")

    monkeypatch.setattr(reviewer.change_history, "change_history", refuse)
    repo.write("shop.py", CODE.replace("rate", "percent"))
    main(["diff", "--model"])
    assert tier.seen and tier.seen[0].history is None


@pytest.fixture
def pr(repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PullRequestRun]:
    run = PullRequestRun(repo, tmp_path, monkeypatch)
    yield run
    run.server.shutdown()


def test_reviewer_github_passes_the_pull_requests_metrics(
    pr: PullRequestRun, spy: SpyTier, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["github", "--model"])
    capsys.readouterr()
    (facts,) = spy.seen
    assert facts.history == features_of(History(pr.repo.path), pr.head)


def test_the_language_servers_model_worker_passes_the_buffers_metrics(
    repo: GitRepo, two_commits: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from reviewer_lsp import model_worker
    from reviewer_lsp.documents import Document

    file = repo.path / "shop.py"
    document = Document.open(file.as_uri(), file, CODE.replace("rate", "percent"), 1)
    given: dict[str, Any] = {}

    def review(*args: object, **kwargs: Any) -> SimpleNamespace:
        given.update(kwargs, thread=threading.current_thread().name)
        return SimpleNamespace(findings=(), notes=(), risk=None)

    host = SimpleNamespace(
        documents={document.uri: document},
        lock=nullcontext(),
        event_loop=None,
        model_findings={},
        config=lambda root: Config(),
        baseline=lambda root, config: frozenset(),
        client_capabilities=SimpleNamespace(window=None),
        publish=lambda document: None,
        log=lambda message: None,
    )
    worker = model_worker.ModelWorker(host)  # type: ignore[arg-type]
    monkeypatch.setattr(model_worker, "review", review)
    monkeypatch.setattr(worker, "_tier", lambda *args: SpyTier())

    def run() -> None:
        asyncio.run(asyncio.to_thread(worker._run, document.uri, 1))

    try:
        run()  # a repository met for the first time: its cache builds aside
        assert given["history"] is None
        worker.history_builds[document.root].join(timeout=60)
        run()
    finally:
        worker.stop()
    assert given["history"] is not None and given["history"]["nuc"] == 2
    assert given["thread"] != threading.main_thread().name
    assert list(worker.history_builds) == [document.root]  # built once

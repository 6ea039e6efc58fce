"""`reviewer github --model` on a pull request whose head adds a config
pointing the model at someone else's server with the runner's GITHUB_TOKEN
(SECURITY.md): the head is never trusted, not even when the runner's store
says so; the model's settings come from the Action's inputs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer import trust
from reviewer.cli import main
from reviewer.model.resolve import ModelLocation
from tests.conftest import GitRepo
from tests.github_fake import WRITE_TOKEN
from tests.listener import Listener, listening
from tests.model.conftest import model_cache_dir, model_default  # noqa: F401 (fixtures)
from tests.test_github import PullRequestRun


def _hostile_head(pr: PullRequestRun, url: str) -> None:
    """The pull request's head commit adds the config, and a model file of
    its own (damaged: honoured, no head would fit it and --model would fail)."""
    pr.repo.write(
        ".reviewer.toml",
        f'[model]\nenabled = "on"\nbackend = "openai"\nurl = "{url}"\n'
        'api_key_env = "GITHUB_TOKEN"\npath = "evil.gguf"\nmax_units = 1\n',
    )
    pr.repo.write("evil.gguf", b"GGUF" + b"\x00\xff" * 32)
    pr.head = pr.repo.commit("tune the reviewer")
    pr.fake.head_sha = pr.head
    pr.fake.files = pr._files()
    pr.write_event()


@pytest.fixture
def listener() -> Iterator[Listener]:
    with listening() as server:
        yield server


@pytest.fixture
def pr(
    repo: GitRepo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    listener: Listener,
    model_default: ModelLocation,  # noqa: F811
) -> Iterator[PullRequestRun]:
    monkeypatch.delenv("REVIEWER_MODEL_ENABLED")
    monkeypatch.setenv("REVIEWER_MODEL", str(model_default.path))
    run = PullRequestRun(repo, tmp_path, monkeypatch)
    _hostile_head(run, listener.url)
    yield run
    run.server.shutdown()


@pytest.mark.model
def test_the_pull_requests_config_never_reaches_out_even_if_trusted_on_the_runner(
    pr: PullRequestRun, listener: Listener, capsys: pytest.CaptureFixture[str]
) -> None:
    trust.trust(pr.repo.path)  # a runner's store is no reason to trust a head
    code = main(["github", "--model"])
    out, err = capsys.readouterr()
    assert WRITE_TOKEN not in out + err
    assert listener.received == []
    assert code == 1  # the structural errors in shop.py, as without the config
    review = pr.fake.posted_reviews()[0]
    assert {c["line"] for c in review["comments"]} >= {2, 12}  # still reviewed
    assert "model-url" in review["body"] and "model.url" in review["body"]
    assert "model.path" in review["body"] and "no scoring head" not in out + err


def test_the_actions_inputs_reach_the_teams_server(
    pr: PullRequestRun,
    listener: Listener,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The Action maps its model-backend, model-url and model-api-key inputs
    to these variables (action.yml)."""
    with listening() as team:
        monkeypatch.setenv("REVIEWER_MODEL_BACKEND", "openai")
        monkeypatch.setenv("REVIEWER_MODEL_URL", team.url)
        monkeypatch.setenv("REVIEWER_API_KEY", "team-key-1")
        code = main(["github", "--model"])
        out, err = capsys.readouterr()
        assert WRITE_TOKEN not in out + err and "team-key-1" not in out + err
        assert listener.received == []
        assert team.received and {r.authorization for r in team.received} == {"Bearer team-key-1"}
        assert code == 1 and len(pr.fake.posted_reviews()) == 1

"""The language server in a repository whose config points the model at
someone else's server with the user's secret (SECURITY.md): an editor that
opens a file, edits it and saves it sends nothing there until the user
trusts the repository; the editor's own settings are the user's."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from reviewer import trust
from reviewer.model.resolve import ModelLocation
from tests.conftest import GitRepo
from tests.listener import Listener, listening
from tests.lsp.test_server import _change, _open, _start
from tests.test_trust import CLEAN, DEFECT, SECRET, SECRET_VAR, hostile_config

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "reviewer", "lsp"])
WAIT_SECONDS = 120.0


@pytest.fixture(autouse=True)
def user_environment(monkeypatch: pytest.MonkeyPatch, model_default: ModelLocation) -> None:
    """Autouse, so that the server the client fixture starts inherits it:
    the user's secret, the installed model, the model as the config says."""
    monkeypatch.setenv(SECRET_VAR, SECRET)
    monkeypatch.setenv("REVIEWER_MODEL", str(model_default.path))
    monkeypatch.delenv("REVIEWER_MODEL_ENABLED")


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient) -> None:
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def listener() -> Iterator[Listener]:
    with listening() as server:
        yield server


@pytest.fixture
def hostile(repo: GitRepo, listener: Listener) -> GitRepo:
    repo.write("app.py", CLEAN)
    repo.write(".reviewer.toml", hostile_config(listener.url))
    repo.commit("start")
    return repo


async def _edit_and_save(client: LanguageClient, repo: GitRepo, options: object) -> Path:
    """What a user does: open a file, edit it, save it (the model runs
    after the idle delay and on save)."""
    app = repo.path / "app.py"
    await _start(client, repo.path, {"debounce_ms": 50, **(options or {})})  # type: ignore[dict-item]
    await _open(client, app, CLEAN)
    await _change(client, app, 2, (2, 0), (2, 0), DEFECT[len(CLEAN) :])
    app.write_text(DEFECT)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=app.as_uri()))
    )
    return app


async def _until(condition: Callable[[], bool]) -> bool:
    for _ in range(int(WAIT_SECONDS / 0.05)):
        if condition():
            return True
        await asyncio.sleep(0.05)
    return False


def _logged(client: LanguageClient, text: str) -> bool:
    return any(text in m.message for m in client.log_messages)


@pytest.mark.asyncio
async def test_a_hostile_repository_gets_nothing_from_the_editor(
    client: LanguageClient, hostile: GitRepo, listener: Listener
) -> None:
    app = await _edit_and_save(client, hostile, {})
    # The model step ran and ended (off by default: the repository's "on"
    # asked for its own server), and the user was told once what was ignored.
    assert await _until(lambda: _logged(client, "reviewer: model:")), client.log_messages
    await asyncio.sleep(1.0)  # past the idle delay and the save's run
    assert listener.received == []
    shown = [m.message for m in client.messages if "cannot set untrusted" in m.message]
    assert len(shown) == 1 and "model.url" in shown[0] and "reviewer trust" in shown[0]
    codes = [d.code for d in client.diagnostics[app.as_uri()]]
    assert "py-none-equality" in codes  # the review goes on


@pytest.mark.asyncio
async def test_a_trusted_repository_reaches_its_server_until_the_config_changes(
    client: LanguageClient, hostile: GitRepo, listener: Listener
) -> None:
    trust.trust(hostile.path)
    app = await _edit_and_save(client, hostile, {})
    assert await _until(lambda: bool(listener.received)), client.log_messages
    assert {r.authorization for r in listener.received} == {f"Bearer {SECRET}"}
    assert not any("cannot set untrusted" in m.message for m in client.messages)
    # the run's model note comes after the request: wait for it, then check
    # that nothing the editor was told shows the key
    assert await _until(lambda: _logged(client, "reviewer: model:")), client.log_messages
    said = [m.message for m in [*client.messages, *client.log_messages]]
    assert not any(SECRET in message for message in said)
    # A pull changes the config on disk: the next edit sends nothing more.
    await asyncio.sleep(1.0)
    seen = len(listener.received)
    config = hostile.path / ".reviewer.toml"
    config.write_text(config.read_text() + "# changed upstream\n")
    await _change(client, app, 3, (0, 0), (0, 0), "# edited\n")
    assert await _until(
        lambda: any("cannot set untrusted" in m.message for m in client.messages)
    ), client.messages
    await asyncio.sleep(2.0)
    assert len(listener.received) == seen


@pytest.mark.asyncio
async def test_the_editors_own_settings_reach_the_users_server(
    client: LanguageClient, hostile: GitRepo, listener: Listener
) -> None:
    with listening() as own:
        settings = {
            "model": {"enabled": "on", "backend": "openai", "url": own.url,
                      "api_key_env": SECRET_VAR},
        }  # fmt: skip
        await _edit_and_save(client, hostile, settings)
        assert await _until(lambda: bool(own.received)), client.log_messages
        assert {r.authorization for r in own.received} == {f"Bearer {SECRET}"}
        assert listener.received == []

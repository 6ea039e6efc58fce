"""The model tier in the language server, with the real default model:
results for an older version of the buffer are dropped, progress is
reported, and a flagged line is published as soon as it is scored, then
again with the model's sentence."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.checks import LspSpecificationWarning

from reviewer.model.resolve import ModelLocation
from tests.lsp.test_server import BUFFER, _change, _lines, _open, _start
from tests.scorer.heads import QWEN_05B_WIDTH, length_head

pytestmark = [
    pytest.mark.model,
    pytest.mark.needs_llama,  # skipped (or failed: REVIEWER_REQUIRE_MODEL=1) without it
]
SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "reviewer", "lsp"])


@pytest.fixture(autouse=True)
def model_on(monkeypatch: pytest.MonkeyPatch, model_default: ModelLocation) -> None:
    """Autouse, so it runs before the client fixture starts the server (which
    inherits the environment)."""
    monkeypatch.delenv("REVIEWER_MODEL_ENABLED")
    monkeypatch.setenv("REVIEWER_MODEL", str(model_default.path))


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient) -> None:
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_a_flagged_line_is_published_at_once_then_explained(
    client: LanguageClient, shop: Path, tmp_path: Path, recwarn: pytest.WarningsRecorder
) -> None:
    head = tmp_path / "head.npz"
    length_head(QWEN_05B_WIDTH, 0.0).save(head)  # flags every unit's longest changed line
    options = {"debounce_ms": 0, "model": {"head": str(head), "explain": True}}
    await _start(client, shop.parent, options)
    first = await _open(client, shop, BUFFER)  # the model starts on version 1 at once
    assert _lines(first) == [(8, "py-none-equality")]
    await _change(client, shop, 2, (9, 0), (9, 0), "\n\ndef tax(total):\n    return total * 0.2\n")

    def model_diagnostics() -> list[types.Diagnostic]:
        return [
            d for d in client.diagnostics.get(shop.as_uri(), ()) if str(d.code).startswith("model/")
        ]

    seen: list[list[str]] = []  # the model diagnostics' messages, each time they changed
    for _ in range(6000):  # the model takes seconds per unit on 2 cores
        messages = sorted(d.message for d in model_diagnostics())
        if messages and (not seen or seen[-1] != messages):
            seen.append(messages)
        explained = seen and not any("line scorer" in m for m in seen[-1])
        # The sentence check may withhold the model's sentence (the reasons stand alone).
        withheld = any("sentences withheld" in m.message for m in client.log_messages)
        if (explained or withheld) and any("dropped" in m.message for m in client.log_messages):
            break
        await asyncio.sleep(0.05)
    logs = [m.message for m in client.log_messages]
    assert any("model result for version 1 dropped" in m for m in logs), logs
    assert seen, logs
    # First publish: the flagged line with the scorer's own words ...
    assert any("line scorer" in m for m in seen[0]), seen
    # ... then the model's sentence in its place (the same lines), unless the
    # sentence check withheld it: then the reasons stand alone, and the log says so.
    withheld = any("sentences withheld" in m for m in logs)
    assert withheld or not any("line scorer" in m for m in seen[-1]), (seen, logs)
    assert not withheld or all("a long line" in m for m in seen[-1]), (seen, logs)
    found = model_diagnostics()
    changed = set(range(5, 13))  # version 2's lines that HEAD does not have
    assert {d.range.start.line + 1 for d in found} <= changed, found
    assert all(d.message and "(model, confidence" in d.message for d in found), found
    # Progress: each run's token was accepted before its first report, and
    # every bar that began also ended (pytest-lsp warns on an unknown token).
    unknown = [str(w.message) for w in recwarn if issubclass(w.category, LspSpecificationWarning)]
    assert not unknown, unknown
    runs = [[r.kind for r in reports] for reports in client.progress_reports.values() if reports]
    assert runs, client.progress_reports
    assert all(kinds[0] == "begin" and kinds[-1] == "end" for kinds in runs), runs


@pytest.mark.asyncio
async def test_a_flagged_line_says_why_and_the_risk_is_logged(
    client: LanguageClient, shop: Path, tmp_path: Path
) -> None:
    """The head reads a line's length alone: its reason is "a long line". The
    head's card measures no gate precision, so the line is Information; the
    change's risk goes to the log (window/logMessage), not a popup."""
    head = tmp_path / "head.npz"
    length_head(QWEN_05B_WIDTH, 0.0).save(head)
    model = {"head": str(head), "enabled": "on", "explain": False}
    await _start(client, shop.parent, {"debounce_ms": 0, "model": model})
    await _open(client, shop, BUFFER)

    def model_diagnostics() -> list[types.Diagnostic]:
        found = client.diagnostics.get(shop.as_uri(), ())
        return [d for d in found if str(d.code).startswith("model/")]

    def risk_logs() -> list[str]:
        return [m.message for m in client.log_messages if "Change risk" in m.message]

    for _ in range(6000):  # the model takes seconds per unit on 2 cores
        if model_diagnostics() and risk_logs():
            break
        await asyncio.sleep(0.05)
    found = model_diagnostics()
    assert [d.range.start.line + 1 for d in found] == [8], found  # `return x == None`
    assert "a long line" in found[0].message, found[0].message
    assert found[0].severity == types.DiagnosticSeverity.Information
    logs = risk_logs()
    assert len(logs) == 1, logs
    # The first review may come before the repository's history cache is
    # built aside (then lines added gives the risk) or after it (the learned
    # scorer, from the buffer's own metrics): each with its own reasons.
    if "placeholder from lines added" in logs[0]:
        assert "adds 4 lines of code" in logs[0], logs
    else:
        assert re.match(r"Change risk 0\.\d\d(; [^:]*)?: \w", logs[0]), logs
    assert "shop.py:8 (score " in logs[0], logs

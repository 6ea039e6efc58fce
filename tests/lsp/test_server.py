"""The language server over stdio, driven by a real LSP client (pytest-lsp)
in a real git repository."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.lsp.conftest import COMMITTED

# Line 2's defect is old (committed); line 6's is new.
BUFFER = COMMITTED + "\n\ndef same(x):\n    return x == None\n"
SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "reviewer", "lsp"])


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient) -> None:
    yield
    await lsp_client.shutdown_session()


async def _start(client: LanguageClient, root: Path, options: object = None) -> None:
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=root.as_uri(),
            initialization_options=options,
        )
    )


async def _open(client: LanguageClient, file: Path, text: str) -> list[types.Diagnostic]:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=file.as_uri(), language_id="python", version=1, text=text)
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return list(client.diagnostics[file.as_uri()])


async def _change(
    client: LanguageClient,
    file: Path,
    version: int,
    start: tuple[int, int],
    end: tuple[int, int],
    text: str,
) -> list[types.Diagnostic]:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=file.as_uri(), version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(*start), types.Position(*end)), text=text
                )
            ],
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return list(client.diagnostics[file.as_uri()])


def _lines(diagnostics: list[types.Diagnostic]) -> list[tuple[int, object]]:
    return sorted((d.range.start.line + 1, d.code) for d in diagnostics)


@pytest.mark.asyncio
async def test_diagnostics_land_only_on_changed_lines(client: LanguageClient, shop: Path) -> None:
    await _start(client, shop.parent)
    diagnostics = await _open(client, shop, BUFFER)
    assert _lines(diagnostics) == [(8, "py-none-equality")]  # not the committed line 2
    only = diagnostics[0]
    assert only.source == "reviewer" and only.severity == types.DiagnosticSeverity.Warning
    assert only.related_information and "x is None" in only.related_information[0].message


@pytest.mark.asyncio
async def test_incremental_edits_update_and_close_clears(
    client: LanguageClient, shop: Path
) -> None:
    await _start(client, shop.parent)
    await _open(client, shop, BUFFER)
    # Line 9 (0-based 8) is new: add a second defect there, then remove the first.
    after = await _change(client, shop, 2, (9, 0), (9, 0), "\n\ndef other(y):\n    return y is 2\n")
    assert _lines(after) == [(8, "py-none-equality"), (12, "py-is-literal")]
    after = await _change(client, shop, 3, (7, 13), (7, 20), "x is None")
    assert _lines(after) == [(12, "py-is-literal")]
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=shop.as_uri()))
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(client.diagnostics[shop.as_uri()]) == []


@pytest.mark.asyncio
async def test_whole_file_mode_and_files_outside_git(
    client: LanguageClient, shop: Path, tmp_path: Path
) -> None:
    await _start(client, shop.parent, {"filter_mode": "file"})
    assert _lines(await _open(client, shop, BUFFER)) == [
        (2, "py-is-literal"),
        (8, "py-none-equality"),
    ]
    loose = tmp_path / "outside" / "loose.py"
    loose.parent.mkdir()
    assert _lines(await _open(client, loose, "def f(a):\n    return a is 3\n")) == [
        (2, "py-is-literal")
    ]


@pytest.mark.asyncio
async def test_code_actions_apply_the_suggestion_or_suppress(
    client: LanguageClient, shop: Path
) -> None:
    await _start(client, shop.parent)
    diagnostics = await _open(client, shop, BUFFER)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=shop.as_uri()),
            range=diagnostics[0].range,
            context=types.CodeActionContext(diagnostics=diagnostics),
        )
    )
    assert actions is not None
    titles = [a.title for a in actions if isinstance(a, types.CodeAction)]
    assert titles == [
        "Apply reviewer's suggestion (py-none-equality)",
        "Suppress py-none-equality on this line",
    ]
    for version, action in enumerate(actions, start=2):
        assert isinstance(action, types.CodeAction) and action.edit and action.edit.changes
        (edit,) = action.edit.changes[shop.as_uri()]
        after = await _change(
            client,
            shop,
            version,
            (edit.range.start.line, edit.range.start.character),
            (edit.range.end.line, edit.range.end.character),
            edit.new_text,
        )
        assert after == []  # the fix (or the suppression) clears the finding
        # Undo, for the next action.
        await _change(client, shop, version + 10, (7, 0), (8, 0), "    return x == None\n")


@pytest.mark.asyncio
async def test_bad_settings_fall_back_to_defaults_with_a_message(
    client: LanguageClient, shop: Path
) -> None:
    await _start(client, shop.parent, {"filter_mode": "everything", "debounce_ms": -5})
    diagnostics = await _open(client, shop, BUFFER)
    assert any("invalid setting" in m.message and "defaults" in m.message for m in client.messages)
    assert _lines(diagnostics) == [(8, "py-none-equality")]  # the default, added lines
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"reviewer": {"min_severity": "error"}})
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(client.diagnostics[shop.as_uri()]) == []  # the warning is now below the bar


@pytest.mark.asyncio
async def test_bad_input_never_kills_the_server(client: LanguageClient, shop: Path) -> None:
    await _start(client, shop.parent)
    await _open(client, shop, BUFFER)
    # An edit for a document never opened, and one far outside the text.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(
                uri="file:///nowhere.py", version=2
            ),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="x")],
        )
    )
    junk = "\x00\x01 binary junk\nok = v == None\n"
    after = await _change(client, shop, 2, (500, 3), (900, 0), junk)
    # A position past the end means the end: the junk is appended after
    # line 8, and its second line's defect is found beside line 8's.
    assert _lines(after) == [(8, "py-none-equality"), (10, "py-none-equality")]
    # The edit for a document never opened published nothing for it.
    assert list(client.diagnostics.get("file:///nowhere.py", [])) == []
    # Still serving: a fresh document gets its diagnostics.
    other = shop.parent / "other.py"
    assert _lines(await _open(client, other, "def g(v):\n    return v is 'a'\n")) == [
        (2, "py-is-literal")
    ]


@pytest.mark.asyncio
async def test_a_baseline_hides_what_reviewer_diff_hides(
    client: LanguageClient, shop: Path
) -> None:
    import subprocess

    shop.write_text(BUFFER)
    subprocess.run(
        [sys.executable, "-m", "reviewer", "baseline"], cwd=shop.parent, check=True, timeout=120
    )
    await _start(client, shop.parent)
    # A second, identical defect is new: only the first is in the baseline.
    again = BUFFER + "\n\ndef again(x):\n    return x == None\n"
    assert _lines(await _open(client, shop, again)) == [(12, "py-none-equality")]

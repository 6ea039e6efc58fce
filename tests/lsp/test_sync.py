"""Document sync over a real client: full sync gives what incremental sync
gives, each position encoding with multi-byte text, and a buffer that
differs from HEAD in many places."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from reviewer.config import Config
from reviewer.diff import ChangeSet, ChangeStatus, FileChange, hunks_between
from reviewer.engine import review
from tests.conftest import GitRepo

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "reviewer", "lsp"])


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient) -> None:
    yield
    await lsp_client.shutdown_session()


def function(index: int) -> str:
    return (
        f"def compute_{index}(items, limit):\n"
        "    total = 0\n"
        "    for item in items:\n"
        "        if item > limit:\n"
        "            total += item\n"
        "    return total\n"
        "\n\n"
    )


async def start(
    client: LanguageClient, root: Path, encodings: list[str] | None = None
) -> types.InitializeResult:
    capabilities = client_capabilities("visual-studio-code")
    if encodings is not None:
        capabilities.general = types.GeneralClientCapabilities(position_encodings=encodings)
    return await client.initialize_session(
        types.InitializeParams(capabilities=capabilities, root_uri=root.as_uri())
    )


async def publish(client: LanguageClient, uri: str, version: int) -> list[types.Diagnostic]:
    """The diagnostics the server published for `version` of `uri`."""
    while True:
        params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if params.uri == uri and params.version == version:
            return list(params.diagnostics)


def opened(client: LanguageClient, file: Path, text: str) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=file.as_uri(), language_id="python", version=1, text=text)
        )
    )


def changed(
    client: LanguageClient,
    file: Path,
    version: int,
    changes: list[types.TextDocumentContentChangeEvent],
) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=file.as_uri(), version=version),
            content_changes=changes,
        )
    )


def partial(
    start: tuple[int, int], end: tuple[int, int], text: str
) -> types.TextDocumentContentChangePartial:
    return types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(*start), types.Position(*end)), text=text
    )


def apply(text: str, start: tuple[int, int], end: tuple[int, int], new: str) -> str:
    lines = text.split("\n")
    offset = lambda row, col: sum(len(line) + 1 for line in lines[:row]) + col  # noqa: E731
    return text[: offset(*start)] + new + text[offset(*end) :]


def shown(diagnostics: list[types.Diagnostic]) -> list[tuple[int, int, int, int, object, str]]:
    return sorted(
        (
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
            d.code,
            d.message,
        )
        for d in diagnostics
    )


# Edits as an editor makes them: a defect typed into a function, a function
# with a mutable default appended at the end, a line deleted, text replaced.
def edits(rows: int) -> list[tuple[tuple[int, int], tuple[int, int], str]]:
    return [
        ((3, 0), (3, 0), "        flag = item is 3\n"),
        ((rows + 1, 0), (rows + 1, 0), "def tail(values=[]):\n    return values\n"),
        ((12, 4), (12, 9), "total"),
        ((20, 0), (21, 0), ""),
        ((3, 8), (3, 12), "seen"),
        ((40, 0), (40, 0), "x = 1 if y == None else 2\n"),
        ((3, 0), (4, 0), ""),
    ]


@pytest.mark.asyncio
async def test_full_sync_gives_the_diagnostics_incremental_sync_gives(
    client: LanguageClient, repo: GitRepo
) -> None:
    text = "".join(function(i) for i in range(12))
    repo.write("a.py", text)
    repo.write("b.py", text)
    repo.commit("start")
    a, b = repo.path / "a.py", repo.path / "b.py"
    await start(client, repo.path)
    opened(client, a, text)
    await publish(client, a.as_uri(), 1)
    opened(client, b, text)
    await publish(client, b.as_uri(), 1)
    current = text
    seen_any = False
    for version, (begin, end, new) in enumerate(edits(text.count("\n")), start=2):
        current = apply(current, begin, end, new)
        changed(client, a, version, [partial(begin, end, new)])
        incremental = await publish(client, a.as_uri(), version)
        changed(client, b, version, [types.TextDocumentContentChangeWholeDocument(text=current)])
        full = await publish(client, b.as_uri(), version)
        assert shown(full) == shown(incremental)
        seen_any = seen_any or bool(full)
    assert seen_any  # the edits did make findings to compare


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("offered", "chosen"),
    [
        (None, types.PositionEncodingKind.Utf16),
        (["utf-8", "utf-16"], types.PositionEncodingKind.Utf8),
        (["utf-32"], types.PositionEncodingKind.Utf32),
        (["utf-16"], types.PositionEncodingKind.Utf16),
    ],
)
async def test_each_position_encoding_with_multi_byte_text(
    client: LanguageClient, repo: GitRepo, offered: list[str] | None, chosen: str
) -> None:
    repo.write("m.py", "def f(x):\n    return x\n")
    repo.commit("start")
    file = repo.path / "m.py"
    result = await start(client, repo.path, offered)
    assert result.capabilities.position_encoding == chosen
    prefix = '    s = "é😀注"; '
    text = f"def f(x):\n{prefix}return x\n"
    opened(client, file, text)
    assert await publish(client, file.as_uri(), 1) == []

    def units(value: str) -> int:
        if chosen == types.PositionEncodingKind.Utf8:
            return len(value.encode("utf-8"))
        if chosen == types.PositionEncodingKind.Utf16:
            return len(value.encode("utf-16-le")) // 2
        return len(value)

    # Type a defect after the multi-byte characters, addressed in the
    # negotiated encoding: "return x" becomes "return x == None".
    column = units(prefix + "return x")
    changed(client, file, 2, [partial((1, column), (1, column), " == None")])
    (diagnostic,) = await publish(client, file.as_uri(), 2)
    assert diagnostic.code == "py-none-equality"
    assert diagnostic.range.start == types.Position(1, units(prefix + "return "))
    assert diagnostic.range.end == types.Position(1, units(prefix + "return x == None"))
    # The quick fix replaces the whole line, its end counted in the same units.
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=file.as_uri()),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    assert actions
    fix = next(a for a in actions if isinstance(a, types.CodeAction) and a.is_preferred)
    assert fix.edit is not None and fix.edit.changes is not None
    (edit,) = fix.edit.changes[file.as_uri()]
    assert edit.range.end == types.Position(1, units(prefix + "return x == None"))
    assert edit.new_text == prefix + "return x is None"


@pytest.mark.asyncio
async def test_a_buffer_far_from_head_matches_a_fresh_review(
    client: LanguageClient, repo: GitRepo
) -> None:
    """200 functions already differ from HEAD when the edits start; after
    each edit the diagnostics are those of a fresh review of the buffer."""
    head = "".join(function(i) for i in range(220))
    repo.write("big.py", head)
    repo.commit("start")
    file = repo.path / "big.py"
    lines = head.split("\n")
    for i in range(200):  # every changed function gains a defect on a changed line
        lines[i * 8 + 1] = f"    total = 0 if limit == None else {i}"
    text = "\n".join(lines)
    await start(client, repo.path)
    opened(client, file, text)
    first = await publish(client, file.as_uri(), 1)
    assert len(first) == 200
    current = text
    for version, row in enumerate((5, 805, 1597, 1, 1758), start=2):
        new = "        flag = item is 3\n" if version % 2 else ""
        end = (row, 0) if new else (row + 1, 0)
        current = apply(current, (row, 0), end, new)
        changed(client, file, version, [partial((row, 0), end, new)])
        got = await publish(client, file.as_uri(), version)
        change = FileChange(
            "big.py", ChangeStatus.MODIFIED, current, hunks_between(head, current), old_text=head
        )
        fresh = review(ChangeSet(repo.path, "fresh", (change,)), Config())
        assert sorted((d.range.start.line + 1, d.code) for d in got) == sorted(
            (f.line, f.rule_id) for f in fresh.findings
        )

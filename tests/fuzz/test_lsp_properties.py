"""The language server under random incremental edits and bad input: it
never dies, and after each sequence its diagnostics equal a fresh
`reviewer diff` of the buffer (tests/fuzz/lsp_sequences.py)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.lsp_sequences import Session, apply, offset


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    started = Session.start(tmp_path_factory.mktemp("lsp-fuzz") / "repo")
    yield started
    started.close()


@settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(seed=st.integers(0, 2**32 - 1))
def test_random_edit_sequences_match_a_fresh_review(session: Session, seed: int) -> None:
    assert session.sequence(random.Random(seed)) == []
    assert session.alive()


# -- the client's own buffer model (the oracle) follows the protocol ------------


@pytest.mark.parametrize(
    ("text", "line", "character", "expected"),
    [
        ("ab\ncd", 1, 1, 4),
        ("ab\r\ncd", 0, 99, 2),  # past the end: before the line break
        ("ab\rcd", 1, 0, 3),  # a lone CR ends a line
        ("a😀b", 0, 3, 2),  # after the surrogate pair (two UTF-16 units)
        ("ab", 5, 0, 2),  # past the last line
        ("", 0, 0, 0),
    ],
)
def test_the_oracle_counts_positions_by_the_protocol(
    text: str, line: int, character: int, expected: int
) -> None:
    assert offset(text, line, character) == expected


def test_the_oracle_applies_edits() -> None:
    change = {"range": {"start": {"line": 0, "character": 9}, "end": {"line": 1, "character": 0}}}
    assert apply("ab\r\ncd", {**change, "text": "X"}) == "abXcd"


# -- fixed bad input -------------------------------------------------------------


def _notify_change(session: Session, uri: str, version: int, changes: list[object]) -> None:
    session.server.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes},
    )


def _open(session: Session, file: Path, text: str) -> str:
    uri = file.as_uri()
    session.server.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
    )
    return uri


def _range(a: tuple[int, int], b: tuple[int, int]) -> dict[str, object]:
    return {
        "start": {"line": a[0], "character": a[1]},
        "end": {"line": b[0], "character": b[1]},
    }


def test_bad_input_never_kills_the_server(session: Session) -> None:
    root = session.root
    never_opened = (root / "never.py").as_uri()
    _notify_change(session, never_opened, 2, [{"range": _range((0, 0), (0, 0)), "text": "x"}])
    session.server.notify("textDocument/didClose", {"textDocument": {"uri": never_opened}})
    session.server.notify("textDocument/didSave", {"textDocument": {"uri": never_opened}})
    uri = _open(session, root / "bad.py", "def f(a):\n    return a\n")
    bad_changes: list[list[object]] = [
        [{"range": _range((1, 5), (0, 2)), "text": "reversed"}],
        [{"range": _range((-1, -4), (0, 0)), "text": "negative"}],
        [{"range": {"start": {"line": "x"}}, "text": 3}],
        [{"text": None}],
        [{}],
        ["not an object"],
        [{"range": _range((0, 0), (0, 0)), "text": "\ud800 lone surrogate \udfff"}],
        [{"range": _range((0, 0), (0, 0)), "text": "\0\1\2 binary \x7f\ufffe"}],
    ]
    for version, changes in enumerate(bad_changes, start=2):
        _notify_change(session, uri, version, changes)
        assert session.alive(), changes
    for method, params in [
        ("textDocument/didOpen", {"textDocument": {"uri": 3}}),
        ("textDocument/didChange", None),
        ("textDocument/didOpen", {"textDocument": {"uri": "not a uri", "text": "", "version": 1}}),
        ("workspace/didChangeConfiguration", {"settings": {"fail_level": ["nope"]}}),
    ]:
        session.server.notify(method, params)
        assert session.alive(), method
    # After all that, the document still follows its edits: a whole-document
    # change gets the diagnostics a fresh review of that text gets.
    final = "def f(a):\n    return a == None\n\nif b is 'x':\n    pass\n"
    version = len(bad_changes) + 2
    _notify_change(session, uri, version, [{"text": final}])
    assert session.compare(root / "bad.py", uri, version, final) == []
    served = session.server.latest[uri]["params"]["diagnostics"]
    assert sorted(d["code"] for d in served) == ["py-is-literal", "py-none-equality"]
    # A document never opened shows no diagnostics (at most the empty list
    # its didClose publishes).
    never = session.server.latest.get(never_opened)
    assert never is None or never["params"]["diagnostics"] == [], never
    session.server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


def _logged(message: dict[str, Any], text: str) -> bool:
    params = message.get("params") or {}
    return message.get("method") == "window/logMessage" and text in str(params.get("message"))


def test_a_five_megabyte_file_and_binary_content(session: Session) -> None:
    big = "def f(a):\n    return a == None\n" * 170_000  # ~5 MB
    uri = _open(session, session.root / "big.py", big)
    _notify_change(session, uri, 2, [{"range": _range((3, 0), (3, 0)), "text": "x = 1\n"}])
    # Set aside as `reviewer diff` sets it aside: said once, no diagnostics.
    session.server.wait(lambda m: _logged(m, "big.py is over max_file_bytes"), timeout=120)
    assert session.compare(session.root / "big.py", uri, 2, apply_all(big, 3, "x = 1\n")) == []
    assert session.server.latest[uri]["params"]["diagnostics"] == []
    binary = "".join(chr(c) for c in range(0, 0x3000, 7)) + "\0" * 100
    other = _open(session, session.root / "blob.py", binary)
    change = {"range": _range((0, 3), (0, 9)), "text": "\0\0"}
    _notify_change(session, other, 2, [change])
    assert session.compare(session.root / "blob.py", other, 2, apply(binary, change)) == []
    for closing in (uri, other):
        session.server.notify("textDocument/didClose", {"textDocument": {"uri": closing}})
    # Closing clears what the editor shows.
    cleared = session.server.wait(
        lambda m: (
            m.get("method") == "textDocument/publishDiagnostics"
            and (m.get("params") or {}).get("uri") == other
            and not m["params"]["diagnostics"]
        ),
        timeout=60,
    )
    assert cleared["params"]["diagnostics"] == []
    assert session.alive()


def apply_all(text: str, line: int, inserted: str) -> str:
    """`text` with `inserted` at the start of 0-based `line`."""
    return apply(text, {"range": _range((line, 0), (line, 0)), "text": inserted})


def test_open_close_save_races(session: Session) -> None:
    """Open, edit, save and close the same document in quick succession,
    without waiting for diagnostics in between: the last open's text is what
    the server reviews, and it still equals a fresh review."""
    file = session.root / "race.py"
    uri = file.as_uri()
    for round_ in range(20):
        text = "\n" * round_ + "def f(a):\n    return a == None\n"  # the finding moves
        _open(session, file, text)
        _notify_change(session, uri, 2, [{"range": _range((0, 0), (0, 0)), "text": "#\n"}])
        session.server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        if round_ < 19:
            session.server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    def final(message: dict[str, object]) -> bool:
        params = message.get("params")
        return (
            message.get("method") == "textDocument/publishDiagnostics"
            and isinstance(params, dict)
            and params.get("uri") == uri
            and params.get("version") == 2
            and [d["range"]["start"]["line"] for d in params.get("diagnostics") or []] == [21]
        )

    published = session.server.wait(final, timeout=60)
    diagnostic = published["params"]["diagnostics"][0]
    assert diagnostic["code"] == "py-none-equality"  # line 21: "#", 19 blank, def, return
    assert session.alive()
    session.server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

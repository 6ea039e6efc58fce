"""The server's text store: edits in each position encoding against a plain
string model, byte offsets and points against the encoded text."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from lsprotocol import types
from reviewer_lsp.text import UTF8, UTF16, UTF32, TextBuffer, char_index, unit_length

LINES = ["def f(x):", '    s = "é😀ß"  # 注释', "    return x == None", "", "x = 1\r", ""]
ALPHABET = ["a", " ", "\n", "é", "😀", "注", "\r\n", "(", "x"]


def position(text: str, offset: int, encoding: str) -> types.Position:
    """The LSP position of string index `offset`, counted the slow, obvious way."""
    before = text[:offset]
    line = before.count("\n")
    column = before[before.rfind("\n") + 1 :]
    if encoding == UTF8:
        units = len(column.encode("utf-8"))
    elif encoding == UTF16:
        units = len(column.encode("utf-16-le")) // 2
    else:
        units = len(column)
    return types.Position(line, units)


def point(source: bytes, byte: int) -> tuple[int, int]:
    return source.count(b"\n", 0, byte), byte - (source.rfind(b"\n", 0, byte) + 1)


@pytest.mark.parametrize("encoding", [UTF8, UTF16, UTF32])
@pytest.mark.parametrize("seed", range(4))
def test_random_edits_match_a_plain_string(encoding: str, seed: int) -> None:
    rng = random.Random(seed)
    text = "\n".join(LINES)
    buffer = TextBuffer(text, encoding)
    for _ in range(200):
        start = rng.randrange(len(text) + 1)
        end = min(len(text), start + rng.choice([0, 0, 1, 3, 10]))
        if text[start - 1 : start + 1] == "\r\n" or text[end - 1 : end + 1] == "\r\n":
            continue  # a position cannot fall between CR and LF
        new = "".join(rng.choice(ALPHABET) for _ in range(rng.choice([0, 1, 2, 5])))
        old_source = text.encode()
        edit = buffer.replace(position(text, start, encoding), position(text, end, encoding), new)
        text = text[:start] + new + text[end:]
        assert buffer.text == text
        source = text.encode()
        # The edit turns the old bytes into the new ones (it may be the edit
        # made, or the same one rotated by a newline: see TextBuffer._replace).
        inserted = source[edit.start_byte : edit.new_end_byte]
        assert old_source[: edit.start_byte] + inserted + old_source[edit.old_end_byte :] == source
        assert len(inserted) == len(new.encode())
        assert abs(edit.start_byte - len(text[:start].encode())) <= 1
        assert edit.start_point == point(old_source, edit.start_byte)
        assert edit.old_end_point == point(old_source, edit.old_end_byte)
        assert edit.new_end_point == point(source, edit.new_end_byte)


@pytest.mark.parametrize("seed", range(4))
def test_a_whole_document_change_is_the_edit_between_the_common_ends(seed: int) -> None:
    rng = random.Random(seed)
    text = "\n".join(LINES)
    buffer = TextBuffer(text)
    for _ in range(100):
        start = rng.randrange(len(text) + 1)
        end = min(len(text), start + rng.choice([0, 1, 4]))
        new = "".join(rng.choice(ALPHABET) for _ in range(rng.choice([0, 1, 3])))
        changed = text[:start] + new + text[end:]
        edits = buffer.replace_all(changed)
        assert buffer.text == changed
        if changed == text:
            assert edits == []
        elif len(edits) == 1:
            (edit,) = edits
            # no wider than the change made, and it leaves the ends alone
            # (or that, rotated by one newline)
            assert edit.start_byte >= len(text[:start].encode()) - len(new.encode()) - 1
            assert edit.new_end_byte - edit.start_byte <= len(new.encode())
        text = changed


@pytest.mark.parametrize("seed", range(6))
def test_a_whole_document_change_far_apart_is_one_edit_per_changed_run(seed: int) -> None:
    """Each edit applies to the text the previous one left, as tree-sitter
    and the line map take them; the byte offsets stay those of the text."""
    rng = random.Random(seed)
    lines = [f"line {i}" + ("é" if i % 7 == 0 else "") for i in range(60)]
    buffer = TextBuffer("\n".join(lines))
    for _ in range(40):
        changed = list(lines)
        for _ in range(rng.choice([1, 2, 3, 5])):
            at = rng.randrange(len(changed) + 1)
            kind = rng.choice(["insert", "delete", "modify"])
            if kind == "insert" or not changed:
                changed[at:at] = [f"new {rng.random():.3f}"] * rng.choice([1, 2])
            elif kind == "delete":
                del changed[min(at, len(changed) - 1) : at + rng.choice([1, 2])]
            else:
                changed[min(at, len(changed) - 1)] += " 😀"
        if not changed:
            changed = [""]
        text = buffer.text
        source = text.encode()
        edits = buffer.replace_all("\n".join(changed))
        assert buffer.text == "\n".join(changed)
        for edit in edits:  # replay them on the bytes: the same result
            new_piece = "\n".join(edit.lines).encode()
            start_of_first = len("\n".join(text.split("\n")[: edit.first]).encode()) + (
                1 if edit.first else 0
            )
            old_end = start_of_first + len(
                "\n".join(text.split("\n")[edit.first : edit.last]).encode()
            )
            text = (source[:start_of_first] + new_piece + source[old_end:]).decode()
            source = text.encode()
        assert text == buffer.text
        assert buffer.byte_starts() == [0] + [
            i + 1 for i, byte in enumerate(buffer.text.encode()) if byte == ord("\n")
        ]
        lines = changed


def test_a_full_sync_with_two_distant_changes_is_two_edits() -> None:
    lines = [f"x{i} = {i}" for i in range(100)]
    buffer = TextBuffer("\n".join(lines) + "\n")
    changed = list(lines)
    changed[3] += "  # note"
    changed.append("def tail(values=[]):\n    return values")
    edits = buffer.replace_all("\n".join(changed) + "\n")
    # the later change first; a whole line is handed over from the end of
    # the line before (see test_whole_line_edits_start_at_the_end_of_the_line_before)
    assert len(edits) == 2
    assert edits[0].first >= 99 and edits[1].first <= 3 < edits[1].last <= 4
    assert buffer.text == "\n".join(changed) + "\n"


def test_positions_past_the_end_clamp() -> None:
    buffer = TextBuffer("ab\ncd\r\nef")
    edit = buffer.replace(types.Position(1, 99), types.Position(1, 99), "!")
    assert buffer.text == "ab\ncd!\r\nef"  # before the CR, not after it
    assert edit.start_point == (1, 2)
    buffer.replace(types.Position(40, 0), types.Position(50, 3), "?")
    assert buffer.text == "ab\ncd!\r\nef?"


@pytest.mark.parametrize(
    ("encoding", "units", "index"),
    [(UTF8, 3, 2), (UTF8, 7, 3), (UTF16, 3, 3), (UTF16, 4, 3), (UTF32, 3, 3), (UTF16, 99, 4)],
)
def test_char_index_counts_code_units(encoding: str, units: int, index: int) -> None:
    # "aé" is 3 UTF-8 bytes; "😀" is 4 bytes, 2 UTF-16 units, 1 code point
    assert char_index("aé😀b", units, encoding) == index


def test_unit_length() -> None:
    assert [unit_length("é😀", e) for e in (UTF8, UTF16, UTF32)] == [6, 3, 2]


def test_byte_starts_follow_edits() -> None:
    text = "\n".join(LINES)
    buffer = TextBuffer(text)
    buffer.replace(types.Position(1, 5), types.Position(2, 4), "😀\n\n")
    source = buffer.text.encode()
    expected = [0] + [i + 1 for i, byte in enumerate(source) if byte == ord("\n")]
    assert buffer.byte_starts() == expected


def test_whole_line_edits_start_at_the_end_of_the_line_before() -> None:
    """tree-sitter reuses the rest of the tree after an edit there."""
    buffer = TextBuffer("a\nb\nc\n")
    edit = buffer.replace(types.Position(1, 0), types.Position(1, 0), "x\n")
    assert buffer.text == "a\nx\nb\nc\n"
    assert (edit.start_point, edit.old_end_point, edit.new_end_point) == ((0, 1), (0, 1), (1, 1))
    edit = buffer.replace(types.Position(1, 0), types.Position(2, 0), "")
    assert buffer.text == "a\nb\nc\n"
    assert (edit.start_byte, edit.old_end_byte, edit.new_end_byte) == (1, 3, 1)
    buffer.replace(types.Position(0, 0), types.Position(0, 0), "top\n")  # first line: as given
    assert buffer.text == "top\na\nb\nc\n"


@pytest.mark.parametrize(
    ("text", "line", "character", "expected"),
    [
        ("ab\rcd\nef", 1, 1, "ab\rcXd\nef"),  # a lone CR ends a line, as the protocol says
        ("ab\rcd\nef", 2, 0, "ab\rcd\nXef"),
        ("ab\rcd\nef", 0, 9, "abX\rcd\nef"),  # past the line's end: before its CR
        ("ab\r\ncd\ref", 2, 1, "ab\r\ncd\reXf"),
        ("ab\r\ncd", 0, 9, "abX\r\ncd"),  # never between CR and LF
        ("ab\rcd", 7, 0, "ab\rcdX"),  # past the last line: the end
    ],
)
def test_lone_carriage_returns_end_lines(
    text: str, line: int, character: int, expected: str
) -> None:
    """Found by the LSP fuzzer (tests/fuzz): an edit after a lone CR landed on
    the wrong line, and the server's buffer drifted from the editor's."""
    buffer = TextBuffer(text, UTF16)
    at = types.Position(line, character)
    buffer.replace(at, at, "X")
    assert buffer.text == expected
    # and after the CR is gone, lines are rows again
    buffer.replace_all(expected.replace("\r\n", "\n").replace("\r", "\n"))
    assert "\r" not in buffer.text


def test_an_empty_edit_leaves_the_parse_with_its_text(tmp_path: Path) -> None:
    """Found by the LSP fuzzer: an empty edit at the end of a buffer, handed
    to tree-sitter, made the next parse come back without its text, and the
    checks' text predicates then passed on anything (a `console.log` finding
    on `Number.isNaN(value)`)."""
    from reviewer_lsp.documents import Document

    from reviewer.checks import run_checks

    text = "if (Number.isNaN(value)) {}\r == None\r    \r\r"
    document = Document.open("u", tmp_path / "a.ts", text, 1)
    document.parse()
    end = types.Position(4, 0)
    document.apply(types.TextDocumentContentChangePartial(types.Range(end, end), ""), 2)
    parsed = document.parse()
    assert parsed.tree is not None and parsed.tree.root_node.text is not None
    assert run_checks(parsed) == []

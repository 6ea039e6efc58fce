"""Which line a token belongs to, and the windows over a long unit: pure."""

from __future__ import annotations

from reviewer.scorer.tokens import Window, token_lines, windows


def test_pieces_map_to_lines_by_byte_offsets() -> None:
    text = "def f(x):\n\tif x:\r\n        return 'é日'\n".encode()
    # A multi-byte character split across two pieces, a tab, a CRLF, and a
    # newline merged with the next line's indentation.
    pieces = [b"def", b" f(x):", b"\n\t", b"if", b" x:\r", b"\n       ", b" return", b" '",
              b"\xc3", b"\xa9\xe6\x97\xa5'", b"\n"]  # fmt: skip
    assert b"".join(pieces) == text
    assert token_lines(pieces, text) == [0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2]


def test_a_token_of_line_breaks_only_belongs_to_the_line_it_ends() -> None:
    text = b"a\n\n\nb\n"
    assert token_lines([b"a", b"\n\n\n", b"b", b"\n"], text) == [0, 0, 3, 3]


def test_pieces_that_do_not_spell_the_text_are_refused() -> None:
    assert token_lines([b"a", b"c"], b"ab") is None


def test_windows_cover_every_token_once_with_context() -> None:
    assert windows(10, 16, 4) == [Window(0, 10, 0)]
    parts = windows(100, 32, 8)
    kept = [n for w in parts for n in range(w.keep, w.stop)]
    assert kept == list(range(100))
    assert all(w.stop - w.start <= 32 for w in parts)
    assert all(w.keep - w.start == 8 for w in parts[1:])

"""An open document's text, kept as lines and edited in place.

An LSP position (line, character in the negotiated encoding: UTF-16 by
default, UTF-8 or UTF-32 when the client offers them) becomes a string index
and a tree-sitter byte offset by looking at its own line only: no edit
re-encodes the whole text. A whole-document change (full sync) becomes the
one edit between the common prefix and suffix of the old and new texts, so
it too keeps the tree and the line map incremental.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types

from reviewer.linediff import diff_spans

UTF8 = types.PositionEncodingKind.Utf8
UTF16 = types.PositionEncodingKind.Utf16
UTF32 = types.PositionEncodingKind.Utf32
# A whole-document change splits into at most this many edits.
MAX_SYNC_EDITS = 16


@dataclass(frozen=True)
class Edit:
    """Lines first..last (0-based, end exclusive, before the edit) became
    `lines`; with the byte offsets and (row, byte column) points
    tree-sitter's `Tree.edit` takes."""

    first: int
    last: int
    lines: list[str]
    start_byte: int
    old_end_byte: int
    new_end_byte: int
    start_point: tuple[int, int]
    old_end_point: tuple[int, int]
    new_end_point: tuple[int, int]


class TextBuffer:
    def __init__(self, text: str, encoding: str = UTF16) -> None:
        self.encoding = encoding
        self.lines = text.split("\n")  # without their "\n"; the last one has none
        self._text: str | None = text
        self._starts = _byte_starts(self.lines)  # byte offset of each line
        # Rows holding a lone CR, which the protocol counts as a line break
        # too: while there are none, a position's line is a row.
        self._cr_rows = sum(map(_has_lone_cr, self.lines))

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "\n".join(self.lines)
        return self._text

    def byte_starts(self) -> list[int]:
        """The byte offset where each line starts (a copy: edits change them)."""
        return list(self._starts)

    def replace(self, start: types.Position, end: types.Position, new: str) -> Edit:
        """Apply an incremental change (`range` -> `text`)."""
        row, column = self._index(start)
        end_row, end_column = self._index(end)
        if (end_row, end_column) < (row, column):  # a reversed range: take it as given, ordered
            row, column, end_row, end_column = end_row, end_column, row, column
        return self._replace(row, column, end_row, end_column, new)

    def replace_all(self, new: str) -> list[Edit]:
        """Apply a whole-document change as the edits that turn the old text
        into `new`: one per changed run of lines (a few at most), else the
        one edit between the common prefix and suffix. Separate edits keep
        the parse incremental when a client's full sync carries changes far
        apart (a comment near the top, a function appended at the end)."""
        old = self.text
        if old == new:
            return []
        lines = new.split("\n")
        spans = diff_spans(self.lines, lines)
        if 1 < len(spans) <= MAX_SYNC_EDITS:
            # Last first: the positions of the earlier ones stay as they are.
            edits = [self._replace_lines(span, lines) for span in reversed(spans)]
            if self.text == new:
                return edits
            raise AssertionError("whole-document change applied wrongly")  # pragma: no cover
        prefix = _common_prefix(old, new)
        suffix = _common_suffix(old, new, prefix)
        row, column = _row_column(old, prefix)
        end_row, end_column = _row_column(old, len(old) - suffix)
        return [self._replace(row, column, end_row, end_column, new[prefix : len(new) - suffix])]

    def _replace_lines(self, span: tuple[int, int, int, int], lines: list[str]) -> Edit:
        """Lines a1..a2 (end exclusive) become new lines b1..b2."""
        a1, a2, b1, b2 = span
        if a2 < len(self.lines):  # whole lines, each with its newline
            return self._trimmed(a1, 0, a2, 0, "".join(line + "\n" for line in lines[b1:b2]))
        # The run reaches the end of the text (and so of the new one): the
        # last line has no newline of its own.
        if a1 == a2:  # lines appended after the last one
            end = len(self.lines[-1])
            return self._trimmed(a1 - 1, end, a1 - 1, end, "\n" + "\n".join(lines[b1:b2]))
        last = (a2 - 1, len(self.lines[a2 - 1]))
        if b1 == b2:  # the last lines removed, with the newline before them
            return self._trimmed(a1 - 1, len(self.lines[a1 - 1]), *last, "")
        return self._trimmed(a1, 0, *last, "\n".join(lines[b1:b2]))

    def _trimmed(self, row: int, column: int, end_row: int, end_column: int, new: str) -> Edit:
        """The edit without the text its two ends keep (a comment appended to
        a line stays an insertion: tree-sitter re-parses the whole rest of
        the file after a line is taken out)."""
        if row == end_row:
            old = self.lines[row][column:end_column]
        else:
            middle = self.lines[row + 1 : end_row]
            old = "\n".join([self.lines[row][column:], *middle, self.lines[end_row][:end_column]])
        prefix = _common_prefix(old, new)
        suffix = _common_suffix(old, new, prefix)
        if prefix:
            row, column = _advance(row, column, old[:prefix])
        if suffix:
            end_row, end_column = _advance(row, column, old[prefix : len(old) - suffix])
        return self._replace(row, column, end_row, end_column, new[prefix : len(new) - suffix])

    def _replace(self, row: int, column: int, end_row: int, end_column: int, new: str) -> Edit:
        lines, starts = self.lines, self._starts
        if column == end_column == 0 < row and new[-1:] in ("", "\n") and (new or end_row > row):
            # Whole lines inserted or removed: the same edit rotated by one
            # newline, from the end of the line before. tree-sitter-python
            # re-parses the rest of the file after an edit at a line's start
            # (4 ms on 2,000 lines), and reuses it after one at a line's end.
            row, end_row = row - 1, end_row - 1
            column, end_column = len(lines[row]), len(lines[end_row])
            new = "\n" + new[:-1] if new else ""
        head, tail = lines[row][:column], lines[end_row][end_column:]
        head_bytes = _byte_length(head)
        start_byte = starts[row] + head_bytes
        old_end_bytes = _byte_length(lines[end_row][:end_column])
        old_end_byte = starts[end_row] + old_end_bytes
        inserted = new.split("\n")
        new_end_byte = start_byte + _byte_length(new)
        last_bytes = _byte_length(inserted[-1])
        new_end_point = (
            (row, head_bytes + last_bytes)
            if len(inserted) == 1
            else (row + len(inserted) - 1, last_bytes)
        )
        replaced = inserted[:]
        replaced[0] = head + replaced[0]
        replaced[-1] = replaced[-1] + tail
        new_starts = [starts[row]]
        for line in replaced[:-1]:
            new_starts.append(new_starts[-1] + _byte_length(line) + 1)
        shift = new_end_byte - old_end_byte
        starts[row:] = new_starts + [offset + shift for offset in starts[end_row + 1 :]]
        self._cr_rows += sum(map(_has_lone_cr, replaced))
        self._cr_rows -= sum(map(_has_lone_cr, lines[row : end_row + 1]))
        lines[row : end_row + 1] = replaced
        self._text = None
        return Edit(
            first=row,
            last=end_row + 1,
            lines=replaced,
            start_byte=start_byte,
            old_end_byte=old_end_byte,
            new_end_byte=new_end_byte,
            start_point=(row, head_bytes),
            old_end_point=(end_row, old_end_bytes),
            new_end_point=new_end_point,
        )

    def _index(self, position: types.Position) -> tuple[int, int]:
        """(row, string index in the row) of a position; past the end of a
        line means its end, past the last line the end of the text."""
        if self._cr_rows:
            return self._index_with_lone_crs(position)
        if position.line >= len(self.lines):
            return len(self.lines) - 1, len(self.lines[-1])
        line = self.lines[position.line]
        content = len(line) - 1 if line.endswith("\r") else len(line)
        return position.line, min(content, char_index(line, position.character, self.encoding))

    def _index_with_lone_crs(self, position: types.Position) -> tuple[int, int]:
        """_index for a text where a lone CR ends a line as well (rare: walks
        the rows)."""
        line = position.line
        last = len(self.lines) - 1
        for row, text in enumerate(self.lines):
            body = text[:-1] if text.endswith("\r") and row < last else text
            pieces = body.split("\r")
            if line < len(pieces):
                start = sum(len(piece) + 1 for piece in pieces[:line])
                piece = pieces[line]
                return row, start + min(
                    len(piece), char_index(piece, position.character, self.encoding)
                )
            line -= len(pieces)
        return last, len(self.lines[last])


def _has_lone_cr(line: str) -> bool:
    """A CR inside the row (its last character is CRLF's own CR)."""
    return "\r" in line[:-1]


def char_index(line: str, units: int, encoding: str) -> int:
    """The string index `units` code units of `encoding` into `line`."""
    if units <= 0:
        return 0
    if encoding == UTF32 or line.isascii():
        return min(units, len(line))
    if encoding == UTF8:
        return len(line.encode("utf-8", "surrogatepass")[:units].decode("utf-8", "ignore"))
    count = 0
    for index, char in enumerate(line):
        if count >= units:
            return index
        count += 2 if ord(char) > 0xFFFF else 1
    return len(line)


def unit_length(text: str, encoding: str) -> int:
    """The length of `text` in code units of `encoding`."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def _byte_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _byte_starts(lines: list[str]) -> list[int]:
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + _byte_length(line) + 1)
    return starts


def _advance(row: int, column: int, text: str) -> tuple[int, int]:
    """The position after `text`, starting at (row, column)."""
    newlines = text.count("\n")
    if not newlines:
        return row, column + len(text)
    return row + newlines, len(text) - text.rfind("\n") - 1


def _row_column(text: str, offset: int) -> tuple[int, int]:
    row = text.count("\n", 0, offset)
    return row, offset - (text.rfind("\n", 0, offset) + 1)


def _common_prefix(a: str, b: str) -> int:
    """Length of the common prefix, by halving: each probe is one memcmp."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, prefix: int) -> int:
    """Length of the common suffix, not overlapping `prefix`."""
    low, high = 0, min(len(a), len(b)) - prefix
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle : len(a) - low] == b[len(b) - middle : len(b) - low]:
            low = middle
        else:
            high = middle - 1
    return low

"""Which line each token belongs to, and how a long token sequence is cut
into windows the model's context can hold. Pure: byte pieces in, indices out.

A byte-level BPE tokenizer's pieces concatenate to the input's bytes, so a
token's line is found from byte offsets. That stays right with multi-byte
characters split across tokens, tabs and CRLF (the CR belongs to its line)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass


def token_lines(pieces: Sequence[bytes], text: bytes) -> list[int] | None:
    """The 0-based line of each token, or None when the pieces do not spell
    `text` (a tokenizer that is not byte-level; the caller falls back).

    A token goes to the line of its first byte that is not a line break: Qwen
    merges a newline with the next line's indentation ("\\n    "), and that
    indentation is the next line's."""
    if b"".join(pieces) != text:
        return None
    breaks = [i for i, byte in enumerate(text) if byte == 0x0A]
    lines = []
    offset = 0
    for piece in pieces:
        first = offset
        while first < offset + len(piece) and text[first] in (0x0A, 0x0D):
            first += 1
        if first == offset + len(piece):  # only line breaks: the line they end
            first = offset
        lines.append(bisect.bisect_left(breaks, first))
        offset += len(piece)
    return lines


@dataclass(frozen=True)
class Window:
    """Tokens [start, stop) are evaluated together; the states of tokens
    from `keep` on are kept (the ones before only give them context)."""

    start: int
    stop: int
    keep: int


def windows(count: int, size: int, overlap: int) -> list[Window]:
    """Windows of at most `size` tokens covering `count` tokens; each after
    the first re-reads `overlap` tokens so no kept token starts blind."""
    if size <= 0 or not 0 <= overlap < size:
        raise ValueError(f"bad window: size {size}, overlap {overlap}")
    result = [Window(0, min(count, size), 0)]
    while result[-1].stop < count:
        keep = result[-1].stop
        start = keep - overlap
        result.append(Window(start, min(count, start + size), keep))
    return result

"""Line diffs in near-linear time, and a line map kept in step with edits.

A whole diff is git's patience diff (patiencediff, Breezy's Rust build):
lines unique to both sides anchor the alignment in O(n log n). The stretches
it leaves without such an anchor (runs of `}`, blank lines, `return`) go to
an exact LCS (rapidfuzz's bit-parallel Indel, in C++), as git's patience diff
falls back to Myers there. difflib, which this replaces, is quadratic on
exactly those repeated lines: seconds per call on a 2,000-line file.

`LineMap` holds an editor buffer's alignment against HEAD and, on each edit,
re-diffs only a window around it, so a keystroke costs the same however much
of the file differs from HEAD.

Spans are (old_start, old_end, new_start, new_end): 0-based, end exclusive,
maximal (two spans never touch).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

Span = tuple[int, int, int, int]

# An anchor-free stretch larger than this (old lines x new lines) is marked
# changed as a whole instead of aligned: the LCS costs n*m/64 words of memory.
LCS_CELLS_LIMIT = 4_000_000
# Unchanged lines on each side of an edit that a LineMap re-diffs with it,
# so an edit that restores a line elsewhere in its neighbourhood re-aligns.
WINDOW_MARGIN = 3


def diff_spans(old: Sequence[str], new: Sequence[str]) -> list[Span]:
    """The changed spans between two lists of lines."""
    head = _common_prefix(old, new)
    tail = _common_suffix(old, new, head)
    old_end, new_end = len(old) - tail, len(new) - tail
    if head in (old_end, new_end):
        return [] if head == old_end == new_end else [(head, old_end, head, new_end)]
    import patiencediff  # lazily: the CLI's empty-diff path never diffs

    old_middle, new_middle = old[head:old_end], new[head:new_end]
    spans: list[Span] = []
    matcher = patiencediff.PatienceSequenceMatcher(None, old_middle, new_middle)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for a1, a2, b1, b2 in _refine(old_middle, new_middle, i1, i2, j1, j2):
            _append(spans, (a1 + head, a2 + head, b1 + head, b2 + head))
    return spans


def _refine(
    old: Sequence[str], new: Sequence[str], i1: int, i2: int, j1: int, j2: int
) -> list[Span]:
    """Align a stretch patience left whole (both sides non-empty, no unique
    line in common) with an exact LCS, when it is small enough."""
    if i1 == i2 or j1 == j2 or (i2 - i1) * (j2 - j1) > LCS_CELLS_LIMIT:
        return [(i1, i2, j1, j2)]
    from rapidfuzz.distance import Indel

    return [
        (op.src_start + i1, op.src_end + i1, op.dest_start + j1, op.dest_end + j1)
        for op in Indel.opcodes(old[i1:i2], new[j1:j2])
        if op.tag != "equal"
    ]


def _append(spans: list[Span], span: Span) -> None:
    """Add a span after the others, merged with the last when they touch (a
    deletion next to an insertion is one changed block, as in git)."""
    if spans and spans[-1][1] == span[0] and spans[-1][3] == span[2]:
        last = spans[-1]
        spans[-1] = (last[0], span[1], last[2], span[3])
    else:
        spans.append(span)


def _common_prefix(old: Sequence[str], new: Sequence[str]) -> int:
    limit = min(len(old), len(new))
    count = 0
    while count < limit and old[count] == new[count]:
        count += 1
    return count


def _common_suffix(old: Sequence[str], new: Sequence[str], prefix: int) -> int:
    limit = min(len(old), len(new)) - prefix
    count = 0
    while count < limit and old[len(old) - 1 - count] == new[len(new) - 1 - count]:
        count += 1
    return count


class LineMap:
    """The changed spans of a buffer against a fixed old text, updated one
    edit at a time by re-diffing a window around the edit."""

    def __init__(self, old: Sequence[str], new: Sequence[str]) -> None:
        self.old = list(old)
        self.new = list(new)
        self.spans = diff_spans(self.old, self.new)

    def replace(self, first: int, last: int, lines: Sequence[str]) -> None:
        """Buffer lines first..last (0-based, end exclusive) became `lines`."""
        spans = self.spans
        low = max(0, first - WINDOW_MARGIN)
        high = min(len(self.new), last + WINDOW_MARGIN)
        # The spans the window overlaps or touches; the window widens to hold
        # them whole, so both its ends lie on unchanged lines.
        start = bisect.bisect_left([s[3] for s in spans], low)
        end = start
        while end < len(spans) and spans[end][2] <= high:
            end += 1
        if start < end:
            low = min(low, spans[start][2])
            high = max(high, spans[end - 1][3])
        shift_low = spans[start - 1][3] - spans[start - 1][1] if start else 0
        shift_high = spans[end - 1][3] - spans[end - 1][1] if end else 0
        old_low, old_high = low - shift_low, high - shift_high
        delta = len(lines) - (last - first)
        self.new[first:last] = lines
        window = diff_spans(self.old[old_low:old_high], self.new[low : high + delta])
        moved = [(a1, a2, b1 + delta, b2 + delta) for a1, a2, b1, b2 in spans[end:]]
        spans[start:] = [
            (a1 + old_low, a2 + old_low, b1 + low, b2 + low) for a1, a2, b1, b2 in window
        ]
        spans.extend(moved)

    def reset(self, old: Sequence[str]) -> None:
        """The old text changed (HEAD moved): diff the whole buffer again."""
        self.old = list(old)
        self.spans = diff_spans(self.old, self.new)

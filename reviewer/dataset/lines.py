"""Line bookkeeping across diffs: where a line moves, which lines a diff
changed, and the one-line replacement a fix made."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from reviewer.diff import Hunk, split_lines


def shift_line(hunks: Iterable[Hunk], line: int) -> int | None:
    """Where old line `line` is after the diff; None when the diff removed
    or modified it."""
    offset = 0
    for hunk in hunks:
        if hunk.old_count and hunk.old_start <= line < hunk.old_start + hunk.old_count:
            return None
        before = (
            hunk.old_start + hunk.old_count - 1 < line if hunk.old_count else hunk.old_start < line
        )
        if before:
            offset += hunk.new_count - hunk.old_count
    return line + offset


def old_changed_lines(hunks: Iterable[Hunk], old_lines: Sequence[str]) -> set[int]:
    """Old-side lines a diff removed or modified (blank ones only when a hunk
    has nothing else); a pure insertion marks the line before it (or 1)."""
    found: set[int] = set()
    for hunk in hunks:
        if not hunk.old_count:
            if old_lines:  # filling an empty file leaves no old line to mark
                found.add(max(1, min(hunk.old_start, len(old_lines))))
            continue
        span = range(hunk.old_start, hunk.old_start + hunk.old_count)
        text = [n for n in span if n <= len(old_lines) and old_lines[n - 1].strip()]
        found.update(text or span)
    return found


def new_changed_lines(hunks: Iterable[Hunk], new_lines: Sequence[str]) -> set[int]:
    """New-side lines a diff added or modified, blank lines left out."""
    return {
        n
        for hunk in hunks
        for n in hunk.new_lines
        if n <= len(new_lines) and new_lines[n - 1].strip()
    }


def replacement_for(before: str, after: str | None, line: int) -> str | None:
    """The text that replaced line `line` (1-based) of `before` in `after`,
    when the fix rewrote exactly that one line into one line."""
    if after is None:
        return None
    old, new = split_lines(before), split_lines(after)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace" and i1 < line <= i2:
            return new[j1] if (i2 - i1, j2 - j1) == (1, 1) else None
    return None


def unified_diff(path: str, old: str | None, new: str, cap: int = 8192) -> str:
    text = "\n".join(
        difflib.unified_diff(
            split_lines(old or ""), split_lines(new), f"a/{path}", f"b/{path}", n=3, lineterm=""
        )
    )
    if len(text) > cap:
        return text[:cap] + "\n[... diff truncated at 8 KB ...]"
    return text

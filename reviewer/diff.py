"""Records for a change set, and the line arithmetic on them.

Everything here is pure: git.py (or the LSP buffer) supplies texts and hunks,
the rest of the pipeline reads these frozen records. Lines are 1-based.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

# Lines of unchanged text around a change that a unified diff (and GitHub's
# pull-request view) shows; the `diff_context` filter mode uses the same width.
DIFF_CONTEXT_LINES = 3

_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


class ChangeStatus(str, Enum):
    ADDED = "added"
    MODIFIED = "modified"
    RENAMED = "renamed"


@dataclass(frozen=True)
class Hunk:
    """One region of difference: `old_count` lines at `old_start` became
    `new_count` lines at `new_start` (a count of 0 means a pure insertion or
    deletion, and the start is then the line before it, as in git)."""

    old_start: int
    old_count: int
    new_start: int
    new_count: int

    @property
    def new_lines(self) -> range:
        return range(self.new_start, self.new_start + self.new_count)


@dataclass(frozen=True)
class FileChange:
    """A file whose new text is to be reviewed."""

    path: str  # posix path relative to the repository root, new name
    status: ChangeStatus
    new_text: str
    hunks: tuple[Hunk, ...]
    old_path: str | None = None
    old_text: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def added_lines(self) -> frozenset[int]:
        """Lines of the new text that the change adds or modifies."""
        return frozenset(n for hunk in self.hunks for n in hunk.new_lines)

    @property
    def context_lines(self) -> frozenset[int]:
        """Added lines plus the unchanged lines a unified diff shows around them."""
        total = line_count(self.new_text)
        lines: set[int] = set()
        for hunk in self.hunks:
            first = max(1, hunk.new_start - DIFF_CONTEXT_LINES + (hunk.new_count == 0))
            last = min(total, hunk.new_start + max(hunk.new_count, 1) - 1 + DIFF_CONTEXT_LINES)
            lines.update(range(first, last + 1))
        return frozenset(lines)


@dataclass(frozen=True)
class SkippedFile:
    """A changed file that is not reviewed, and why (shown in the summary)."""

    path: str
    reason: str


@dataclass(frozen=True)
class ChangeSet:
    """What one review looks at: files to review plus files set aside."""

    root: Path
    description: str
    files: tuple[FileChange, ...] = ()
    skipped: tuple[SkippedFile, ...] = ()
    notes: tuple[str, ...] = field(default=())


def split_lines(text: str) -> list[str]:
    """Lines as git counts them: split on LF only (str.splitlines would also
    split on form feeds and Unicode separators), CR of CRLF dropped."""
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def line_count(text: str) -> int:
    return len(split_lines(text))


def parse_hunk_headers(patch: str) -> tuple[Hunk, ...]:
    """The hunks of a unified diff of one file (only the `@@` headers matter)."""
    hunks = []
    for line in patch.split("\n"):
        match = _HUNK_HEADER.match(line)
        if match:
            old_start, old_count, new_start, new_count = match.groups()
            hunks.append(
                Hunk(
                    int(old_start),
                    1 if old_count is None else int(old_count),
                    int(new_start),
                    1 if new_count is None else int(new_count),
                )
            )
    return tuple(hunks)


def hunks_between(old_text: str | None, new_text: str) -> tuple[Hunk, ...]:
    """Hunks from comparing two texts directly (for untracked files and editor
    buffers, where there is no git patch to read)."""
    old_lines = split_lines(old_text or "")
    new_lines = split_lines(new_text)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    hunks = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        old_start = i1 + 1 if i2 > i1 else i1
        new_start = j1 + 1 if j2 > j1 else j1
        hunks.append(Hunk(old_start, i2 - i1, new_start, j2 - j1))
    return tuple(hunks)


def whole_file_hunk(text: str) -> tuple[Hunk, ...]:
    count = line_count(text)
    return (Hunk(0, 0, 1, count),) if count else ()


def lines_in(hunks: Iterable[Hunk]) -> frozenset[int]:
    return frozenset(n for hunk in hunks for n in hunk.new_lines)

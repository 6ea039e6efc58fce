"""Records for a change set, the line arithmetic on them, and the parsing of
git's diff output.

Everything here is pure: git.py (or the LSP buffer) supplies texts and diff
output, the rest of the pipeline reads these frozen records. Lines are 1-based
and counted as git counts them (LF only).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from reviewer.linediff import Span, diff_spans

# Lines of unchanged text around a change that a unified diff (and GitHub's
# pull-request view) shows; the `diff_context` filter mode uses the same width.
DIFF_CONTEXT_LINES = 3

_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_FILE_TYPE_BITS = 0o170000
NULL_MODE = "000000"


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
class LineCount:
    """Lines a change adds to and deletes from one path, as `git diff
    --numstat --no-renames` counts them (None: a binary file)."""

    path: str
    added: int | None
    deleted: int | None


@dataclass(frozen=True)
class ChangeSet:
    """What one review looks at: files to review plus files set aside."""

    root: Path
    description: str
    files: tuple[FileChange, ...] = ()
    skipped: tuple[SkippedFile, ...] = ()
    notes: tuple[str, ...] = field(default=())
    # The commit whose history lies behind the change (None: no commit yet,
    # or a change not read from git).
    base: str | None = None
    # The commit whose change this is (a revision range); None: uncommitted.
    head: str | None = None
    # Every changed path's counts, deleted and skipped files too (None: not
    # read from git; then the reviewed files' hunks are all there is).
    line_counts: tuple[LineCount, ...] | None = None


def split_lines(text: str) -> list[str]:
    """Lines as git counts them: split on LF only (str.splitlines would also
    split on form feeds and Unicode separators), CR of CRLF dropped."""
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if "\r" not in text:  # the common case, without a pass in Python per line
        return lines
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
    buffers, where there is no git patch to read), by the near-linear line
    diff of `reviewer.linediff`."""
    return hunks_from_spans(diff_spans(split_lines(old_text or ""), split_lines(new_text)))


def hunks_from_spans(spans: Iterable[Span]) -> tuple[Hunk, ...]:
    """Hunks, numbered as git numbers them, from 0-based end-exclusive spans."""
    return tuple(
        Hunk(i1 + 1 if i2 > i1 else i1, i2 - i1, j1 + 1 if j2 > j1 else j1, j2 - j1)
        for i1, i2, j1, j2 in spans
    )


def whole_file_hunk(text: str) -> tuple[Hunk, ...]:
    count = line_count(text)
    return (Hunk(0, 0, 1, count),) if count else ()


def lines_in(hunks: Iterable[Hunk]) -> frozenset[int]:
    return frozenset(n for hunk in hunks for n in hunk.new_lines)


# -- git's `diff --patch-with-raw -z` output --------------------------------


@dataclass(frozen=True)
class RawEntry:
    """One line of `git diff --raw -z`: what happened to one path."""

    status: str  # one letter: A C D M R T U (X)
    old_mode: str
    new_mode: str
    old_sha: str
    new_sha: str
    old_path: str
    path: str

    @property
    def type_changed(self) -> bool:
        """File <-> symlink <-> submodule: git prints such a pair as two
        patches, a deletion and then a creation."""
        if NULL_MODE in (self.old_mode, self.new_mode):
            return False
        return int(self.old_mode, 8) & _FILE_TYPE_BITS != int(self.new_mode, 8) & _FILE_TYPE_BITS

    @property
    def patch_header(self) -> str:
        """The `diff --git` line git prints for this entry (with the default
        a/ b/ prefixes and core.quotePath=false)."""
        return f"diff --git {quote_path('a/' + self.old_path)} {quote_path('b/' + self.path)}"


def parse_patch_with_raw(output: str) -> list[tuple[RawEntry, str | None]]:
    """Pair each raw entry of `git diff --patch-with-raw -z` with its patch.

    The patch is found by its `diff --git` header, not by position: git prints
    no patch for an unmerged path ("* Unmerged path") and two for a type
    change, so counting would pair later files with the wrong hunks. The
    patch is None when there is none (unmerged) or it could not be found.
    """
    entries, patch_text = _split_raw(output)
    by_header: dict[str, list[str]] = {}
    for section in _patch_sections(patch_text):
        by_header.setdefault(section.split("\n", 1)[0], []).append(section)
    pairs: list[tuple[RawEntry, str | None]] = []
    for entry in entries:
        candidates = by_header.get(entry.patch_header, [])
        if entry.type_changed:  # the creation half holds the new text
            candidates = [c for c in candidates if "\nnew file mode " in c]
        pairs.append((entry, candidates[0] if candidates else None))
    return pairs


def is_binary_patch(patch: str) -> bool:
    return any(line.startswith(("Binary files ", "GIT binary patch")) for line in patch.split("\n"))


def quote_path(path: str) -> str:
    """A path as git prints it in patch headers (C-style quoting when it holds
    a control character, a double quote or a backslash; core.quotePath=false)."""
    raw = path.encode("utf-8", "surrogateescape")
    if not any(byte < 0x20 or byte in (0x22, 0x5C, 0x7F) for byte in raw):
        return path
    out = bytearray(b'"')
    for byte in raw:
        if byte in _C_ESCAPES:
            out += b"\\" + _C_ESCAPES[byte]
        elif byte < 0x20 or byte == 0x7F:
            out += b"\\%03o" % byte
        else:
            out.append(byte)
    out += b'"'
    return out.decode("utf-8", "surrogateescape")


_C_ESCAPES = {
    0x07: b"a",
    0x08: b"b",
    0x09: b"t",
    0x0A: b"n",
    0x0B: b"v",
    0x0C: b"f",
    0x0D: b"r",
    0x22: b'"',
    0x5C: b"\\",
}


def _split_raw(output: str) -> tuple[list[RawEntry], str]:
    tokens = iter(output.split("\0"))
    entries: list[RawEntry] = []
    rest: list[str] = []
    for token in tokens:
        if not token.startswith(":"):
            rest = [token, *tokens]
            break
        old_mode, new_mode, old_sha, new_sha, status = token[1:].split(" ")
        old_path = next(tokens)
        path = next(tokens) if status[0] in "RC" else old_path
        entries.append(RawEntry(status[0], old_mode, new_mode, old_sha, new_sha, old_path, path))
    return entries, "\0".join(rest).lstrip("\0")


def _patch_sections(patch: str) -> Iterator[str]:
    section: list[str] = []
    for line in patch.split("\n"):
        if line.startswith("diff --git ") and section:
            yield "\n".join(section)
            section = []
        if section or line.startswith("diff --git "):
            section.append(line)
    if section:
        yield "\n".join(section)

"""SZZ: the changes that introduced the lines later fixes repaired.

For each fix commit (dataset.heuristics' fix-message rules, any branch), the
lines it removed or modified in its parent are blamed there (`git blame -w
-M -C --first-parent`); for a pure insertion, the lines around it. Blank and
comment-only lines never count, and neither do whitespace-only edits (the
fix's diff is read with `-w`). `--first-parent` gives each line to the
first-parent change that brought it to the main line (a merge, for a pull
request merged with a merge commit): that is the change a review saw."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from reviewer.dataset.heuristics import is_comment_or_blank, is_fix_message
from reviewer.diff import Hunk, parse_hunk_headers
from reviewer.errors import GitError
from reviewer.git import History
from reviewer.history import Change, log_changes
from reviewer.languages import comment_tokens

_BLAME_HEADER = re.compile(r"^([0-9a-f]{40}) (\d+) (\d+)(?: \d+)?$")


@dataclass(frozen=True)
class SzzOptions:
    max_fix_files: int = 10  # source files a fix may touch
    max_fix_lines: int = 200  # source lines it may add + delete


@dataclass(frozen=True)
class Blamed:
    """A line a fix repaired, where its inducing change left it."""

    inducing: str
    path: str  # in the inducing change's version
    line: int  # 1-based, in that version
    fix: str


def fix_commits(history: History, options: SzzOptions) -> list[Change]:
    """Non-merge commits of any branch behind HEAD with a fix message and
    a small source diff, oldest first."""
    fixes = []
    for change in log_changes(history, "--no-merges"):
        if not change.files or len(change.files) > options.max_fix_files:
            continue
        if any(f.added is None for f in change.files):
            continue
        size = sum((f.added or 0) + (f.deleted or 0) for f in change.files)
        if 1 <= size <= options.max_fix_lines and is_fix_message(change.message):
            fixes.append(change)
    return fixes


def blame_fix(history: History, fix: Change) -> Iterator[Blamed]:
    """The lines `fix` repaired, each with the change that introduced it."""
    parent = fix.parents[0]
    for stat in fix.files:
        old = history.text(parent, stat.path)
        if old is None:
            continue  # the fix created the file: nothing to blame
        old_lines = old.split("\n")
        try:
            patch = history.run(
                "diff", "-U0", "-w", "--no-renames", parent, fix.sha, "--", stat.path
            )
        except GitError:
            continue  # a blob missing from the snapshot
        comments = comment_tokens(stat.path)
        wanted = sorted(
            n
            for n in repaired_lines(parse_hunk_headers(patch), len(old_lines))
            if not is_comment_or_blank(old_lines[n - 1], comments)
        )
        if not wanted:
            continue
        ranges = [arg for start, end in _ranges(wanted) for arg in ("-L", f"{start},{end}")]
        try:
            porcelain = history.run(
                "blame", "-w", "-M", "-C", "--first-parent", "--porcelain", *ranges, parent,
                "--", stat.path,
            )  # fmt: skip
        except GitError:
            continue
        for sha, path, line in parse_porcelain(porcelain, stat.path):
            yield Blamed(sha, path, line, fix.sha)


def repaired_lines(hunks: tuple[Hunk, ...], old_count: int) -> set[int]:
    """Old-side lines a diff removed or modified; for a pure insertion,
    the line before it and the line after it."""
    found: set[int] = set()
    for hunk in hunks:
        if hunk.old_count:
            found.update(range(hunk.old_start, hunk.old_start + hunk.old_count))
        else:  # inserted after old line old_start
            found.update({hunk.old_start, hunk.old_start + 1})
    return {n for n in found if 1 <= n <= old_count}


def parse_porcelain(text: str, default_path: str) -> Iterator[tuple[str, str, int]]:
    """(commit, its path, its line) for each blamed line."""
    paths: dict[str, str] = {}
    current: tuple[str, int] | None = None
    for line in text.split("\n"):
        if line.startswith("\t"):
            if current is not None:
                sha, orig = current
                yield sha, paths.get(sha, default_path), orig
            current = None
            continue
        match = _BLAME_HEADER.match(line)
        if match:
            current = (match.group(1), int(match.group(2)))
        elif line.startswith("filename ") and current is not None:
            paths[current[0]] = line[len("filename ") :]


@dataclass
class Induced:
    """What the fixes blamed on one change."""

    lines: dict[str, set[int]]  # path -> its lines a later fix repaired
    fixes: set[str]


def szz(history: History, options: SzzOptions) -> dict[str, Induced]:
    """inducing sha -> the lines of it that later fixes repaired."""
    found: dict[str, Induced] = {}
    for fix in fix_commits(history, options):
        for blamed in blame_fix(history, fix):
            induced = found.setdefault(blamed.inducing, Induced(defaultdict(set), set()))
            induced.lines[blamed.path].add(blamed.line)
            induced.fixes.add(blamed.fix)
    return found


def _ranges(lines: list[int]) -> Iterator[tuple[int, int]]:
    start = prev = lines[0]
    for n in lines[1:]:
        if n != prev + 1:
            yield start, prev
            start = n
        prev = n
    yield start, prev

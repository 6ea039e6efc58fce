"""SZZ: the changes that introduced the lines later fixes repaired.

For each fix commit (dataset.heuristics' fix-message rules, any branch), the
lines it removed or modified in its parent are blamed there (`git blame -w
-M -C --first-parent`); for a fix that only inserts code, the lines around
its insertions. Blank and comment-only lines never count, and neither do whitespace-only edits (the
fix's diff is read with `-w`). `--first-parent` gives each line to the
first-parent change that brought it to the main line (a merge, for a pull
request merged with a merge commit): that is the change a review saw."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from reviewer.dataset.heuristics import is_comment_or_blank, is_fix_message
from reviewer.diff import Hunk, parse_hunk_headers
from reviewer.errors import GitError
from reviewer.git import History
from reviewer.history import Change, log_changes
from reviewer.languages import comment_tokens

_BLAME_HEADER = re.compile(r"^([0-9a-f]{40}) (\d+) (\d+)(?: \d+)?$")


@dataclass(frozen=True)
class SzzOptions:
    # Large fixes are rewrites or features more often than repairs: their
    # blamed lines are mostly noise (hand check, docs/data/jit.md).
    max_fix_files: int = 5  # source files a fix may touch
    max_fix_lines: int = 100  # source lines it may add + delete


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
    """The lines `fix` repaired, each with the change that introduced it.
    The lines around an insertion count only when the fix removed or
    modified no code line at all: otherwise they are mere neighbours."""
    parent = fix.parents[0]
    removed: dict[str, list[int]] = {}
    around: dict[str, list[int]] = {}
    for stat in fix.files:
        old = history.text(parent, stat.path)
        if old is None:
            continue  # the fix created the file: nothing to blame
        try:
            patch = history.run(
                "diff", "-U0", "-w", "--no-renames", parent, fix.sha, "--", stat.path
            )
        except GitError:
            continue  # a blob missing from the snapshot
        old_lines, comments = old.split("\n"), comment_tokens(stat.path)
        changed, inserted = repaired_lines(parse_hunk_headers(patch), len(old_lines))
        removed[stat.path], around[stat.path] = (
            sorted(n for n in lines if not is_comment_or_blank(old_lines[n - 1], comments))
            for lines in (changed, inserted)
        )
    wanted = removed if any(removed.values()) else around
    for path, lines in wanted.items():
        if lines:
            yield from _blame(history, fix, path, lines)


def _blame(history: History, fix: Change, path: str, lines: list[int]) -> Iterator[Blamed]:
    ranges = [arg for start, end in _ranges(lines) for arg in ("-L", f"{start},{end}")]
    try:
        porcelain = history.run(
            "blame", "-w", "-M", "-C", "--first-parent", "--porcelain", *ranges, fix.parents[0],
            "--", path,
        )  # fmt: skip
    except GitError:
        return
    for sha, blamed_path, line in parse_porcelain(porcelain, path):
        yield Blamed(sha, blamed_path, line, fix.sha)


def repaired_lines(hunks: tuple[Hunk, ...], old_count: int) -> tuple[set[int], set[int]]:
    """Old-side lines a diff removed or modified, and the lines just before
    and after each of its pure insertions."""
    changed: set[int] = set()
    around: set[int] = set()
    for hunk in hunks:
        if hunk.old_count:
            changed.update(range(hunk.old_start, hunk.old_start + hunk.old_count))
        else:  # inserted after old line old_start
            around.update({hunk.old_start, hunk.old_start + 1})
    valid = range(1, old_count + 1)
    return {n for n in changed if n in valid}, {n for n in around if n in valid}


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
    # path -> stripped texts of repaired lines that reached this change from
    # a merged branch (their numbers are in the branch's commit, not here)
    texts: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


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


def onto_main(
    history: History, found: dict[str, Induced], changes: list[Change]
) -> dict[str, Induced]:
    """Blame from a fix made on a branch can land on the branch's own
    commits; their lines count for the first-parent merge that brought them
    to the main line, found there by their text."""
    on_main = {c.sha for c in changes}
    owner = merged_by(history, changes)
    result = {sha: induced for sha, induced in found.items() if sha in on_main}
    for sha, induced in found.items():
        if sha in on_main or sha not in owner:
            continue
        target = result.setdefault(owner[sha], Induced(defaultdict(set), set()))
        target.fixes |= induced.fixes
        for path, lines in induced.lines.items():
            rows = (history.text(sha, path) or "").split("\n")
            target.texts[path].update(rows[n - 1].strip() for n in lines if n <= len(rows))
    return result


def merged_by(history: History, changes: list[Change]) -> dict[str, str]:
    """commit -> the first-parent merge that brought it to the main line."""
    owner: dict[str, str] = {}
    for change in changes:  # oldest first: the first merge to bring a commit owns it
        if len(change.parents) > 1:
            for sha in history.run("rev-list", f"{change.parents[0]}..{change.sha}").split():
                owner.setdefault(sha, change.sha)
    return owner

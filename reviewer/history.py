"""A change's history, read from git, and the just-in-time metrics of Kamei
et al. (TSE 2013) computed from nothing later than the change's parent.

A change is one step of the first-parent history: a commit, or a merge
diffed against its first parent (a whole pull request, as a review sees
it). The metrics are computed in one pass over the changes, oldest first:
each change's features are read from the state that the changes before it
built, and only then is the change added to that state."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from reviewer.dataset.heuristics import is_fix_message, language_of
from reviewer.errors import GitError
from reviewer.git import FileStat, History

FEATURES = ("ns", "nd", "nf", "entropy", "la", "ld", "lt", "fix",
            "ndev", "age", "nuc", "exp", "rexp", "sexp")  # fmt: skip
YEAR = 365.25 * 86400
_FORMAT = "--format=%x1e%H%x1f%P%x1f%aE%x1f%at%x1f%B%x1f"


@dataclass(frozen=True)
class Change:
    sha: str
    parents: tuple[str, ...]
    author: str  # e-mail, lower case
    time: int  # author time, Unix seconds
    message: str
    files: tuple[FileStat, ...]  # mined source files only (dataset.heuristics.language_of)


def read_changes(history: History, rev: str = "HEAD") -> list[Change]:
    """The first-parent changes up to `rev` (inclusive), oldest first."""
    return log_changes(history, "--first-parent", "--diff-merges=first-parent", rev)


def first_parent_changes(history: History, revisions: str) -> list[Change]:
    """The first-parent changes of `revisions` (`rev`, or `old..new`), oldest
    first, as read_changes reads them; GitError when git cannot count a
    change's lines (a damaged clone): no commit is left out silently."""
    output = history.run(
        "log", "--no-renames", "--numstat", "--reverse", _FORMAT,
        "--first-parent", "--diff-merges=first-parent", revisions, "--",
    )  # fmt: skip
    return list(parse_log(output))


def log_changes(history: History, *args: str) -> list[Change]:
    """`git log ARGS` with numstat, oldest first. A snapshot missing some
    blobs stops `log --numstat`; then each commit is asked alone, and those
    whose blobs are missing are left out."""
    try:
        output = history.run("log", "--no-renames", "--numstat", "--reverse", _FORMAT, *args, "--")
    except GitError:
        return list(_one_by_one(history, history.run("log", "--reverse", _FORMAT, *args, "--")))
    return list(parse_log(output))


def _one_by_one(history: History, output: str) -> Iterator[Change]:
    for chunk in output.split("\x1e")[1:]:
        head, _, _ = chunk.rpartition("\x1f")
        parents = head.split("\x1f")[1].split()
        try:
            stats = history.run(
                "diff-tree", "--numstat", "--no-renames", "-r", "--root",
                *(parents[:1] or []), head.split("\x1f")[0],
            )  # fmt: skip
        except GitError:
            continue
        yield from parse_log(f"\x1e{head}\x1f{stats}")


def parse_log(output: str) -> Iterator[Change]:
    for chunk in output.split("\x1e")[1:]:
        sha, parents, author, time, message, stats = chunk.split("\x1f", 5)
        files = []
        for line in stats.strip("\n").split("\n"):
            parts = line.split("\t", 2)
            if len(parts) == 3 and language_of(parts[2]):
                added, deleted = (int(n) if n.isdigit() else None for n in parts[:2])
                files.append(FileStat(parts[2], added, deleted))
        yield Change(
            sha, tuple(parents.split()), author.strip().lower(), int(time), message.strip(),
            tuple(files),
        )  # fmt: skip


def subsystem(path: str) -> str:
    parts = PurePosixPath(path).parts
    return parts[0] if len(parts) > 1 else ""


@dataclass
class KameiState:
    """What the changes seen so far left behind (KameiStream's state; a
    store may fill one with only the entries a change reads)."""

    lines: dict[str, int] = field(default_factory=dict)  # path -> lines now
    touched: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    authors: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    last_time: dict[str, int] = field(default_factory=dict)
    by_author: dict[str, list[tuple[int, frozenset[str]]]] = field(
        default_factory=lambda: defaultdict(list)
    )  # author -> (time, subsystems) of each earlier change
    count: int = 0


class KameiStream:
    """Kamei's 14 metrics for each change in turn, oldest first."""

    def __init__(self, state: KameiState | None = None) -> None:
        self._state = state if state is not None else KameiState()

    @property
    def state(self) -> KameiState:
        return self._state

    def features(self, change: Change) -> dict[str, float]:
        """The change's metrics from the state before it (read only)."""
        state, files = self._state, [f for f in change.files if f.added is not None]
        paths = [f.path for f in files]
        churn = [(f.added or 0) + (f.deleted or 0) for f in files]
        subsystems = {subsystem(p) for p in paths}
        earlier_changes = set().union(*(state.touched.get(p, ()) for p in paths))
        developers = set().union(*(state.authors.get(p, ()) for p in paths))
        ages = [(change.time - state.last_time[p]) / 86400 for p in paths if p in state.last_time]
        own = state.by_author.get(change.author, [])
        return {
            "ns": len(subsystems),
            "nd": len({str(PurePosixPath(p).parent) for p in paths}),
            "nf": len(paths),
            "entropy": _entropy(churn),
            "la": sum(f.added or 0 for f in files),
            "ld": sum(f.deleted or 0 for f in files),
            "lt": sum(state.lines.get(p, 0) for p in paths) / len(paths) if paths else 0.0,
            "fix": float(is_fix_message(change.message)),
            "ndev": len(developers),
            "age": sum(max(a, 0.0) for a in ages) / len(ages) if ages else 0.0,
            "nuc": len(earlier_changes),
            "exp": len(own),
            "rexp": sum(1 / (1 + max(change.time - t, 0) / YEAR) for t, _ in own),
            "sexp": sum(1 for _, s in own if s & subsystems),
        }

    def add(self, change: Change) -> None:
        """Record `change` as history for the changes after it."""
        state = self._state
        index = state.count
        state.count += 1
        for stat in change.files:
            if stat.added is None:
                continue
            path = stat.path
            state.lines[path] = max(0, state.lines.get(path, 0) + stat.added - (stat.deleted or 0))
            state.touched[path].append(index)
            state.authors[path].add(change.author)
            state.last_time[path] = change.time
        if change.files:
            subsystems = frozenset(subsystem(f.path) for f in change.files)
            state.by_author[change.author].append((change.time, subsystems))


def kamei_features(changes: Iterable[Change]) -> Iterator[tuple[Change, dict[str, float]]]:
    """Each change with its metrics, in the order given (oldest first)."""
    stream = KameiStream()
    for change in changes:
        yield change, stream.features(change)
        stream.add(change)


def features_of(history: History, rev: str) -> dict[str, float]:
    """The metrics of the first-parent change `rev`, from its ancestors only."""
    *earlier, change = read_changes(history, rev)
    stream = KameiStream()
    for before in earlier:
        stream.add(before)
    return stream.features(change)


def _entropy(churn: list[int]) -> float:
    """Shannon entropy of the change's spread over files, over its maximum."""
    total = sum(churn)
    if total == 0 or len(churn) < 2:
        return 0.0
    shares = [c / total for c in churn if c]
    return -sum(p * math.log2(p) for p in shares) / math.log2(len(churn))

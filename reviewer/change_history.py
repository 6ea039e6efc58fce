"""The change under review's own just-in-time metrics (Kamei's 14,
reviewer.history.FEATURES), read at the edge and handed to the engine.

The same definitions as KameiStream.features, so that a model trained on
mined changes sees the same numbers at review time: the change's files and
line counts come from the change set (the diff being reviewed); the
history is the first-parent history of the change's base (HEAD for the
work tree or the index, the merge base for `--base/--head` and a pull
request), nothing later; the author is the commit's for a revision range
and the one git would record (`user.email`) for uncommitted work; the
message (FIX) is the head commit's, empty for uncommitted work.

The history comes from a per-repository cache (reviewer.history_store):
only the changes the cache does not hold yet are read from git."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from reviewer.dataset.heuristics import language_of
from reviewer.diff import ChangeSet, ChangeStatus, line_count
from reviewer.errors import ReviewerError
from reviewer.git import FileStat, History
from reviewer.history import Change, KameiState, KameiStream, first_parent_changes
from reviewer.history_store import HistoryStore, cache_file, discard, is_damaged

WALK = 1000  # first-parent commits walked back from the base to meet the cache
OVERLAY = 64  # new changes kept in memory rather than replacing the cached tail
_IDENT = re.compile(r"<([^>]*)>\s+(\d+)")


def change_history(
    change_set: ChangeSet, *, cache: Path | None = None, build: bool = True
) -> dict[str, float] | None:
    """The metrics of `change_set` from the history behind it; None when
    there is none to read (no commit yet, a shallow or damaged clone): the
    review goes on without them, never with a guess. `cache` stands in for
    the user's cache file. `build=False` answers None rather than read the
    whole history when the cache does not hold it (the editor builds it
    aside and asks again)."""
    if change_set.base is None:
        return None
    try:
        history = History(change_set.root)
        if history.run("rev-parse", "--is-shallow-repository").strip() == "true":
            return None
        author, time, message = _author_time_message(history, change_set.head)
        change = Change("", (change_set.base,), author, time, message, review_files(change_set))
        paths = [f.path for f in change.files if f.added is not None]
        state = state_after(history, change_set.base, paths, (author,), cache=cache, build=build)
    except (ReviewerError, ValueError):
        return None
    return None if state is None else KameiStream(state).features(change)


def buffer_history(
    change_set: ChangeSet, *, cache: Path | None = None, build: bool = True
) -> dict[str, float] | None:
    """An editor buffer's metrics: its change against the repository's HEAD
    (the buffer's change set, read by the editor, names no base)."""
    try:
        base = History(change_set.root).head()
    except ReviewerError:
        return None
    return change_history(replace(change_set, base=base, head=None), cache=cache, build=build)


def build_cache(root: Path, *, cache: Path | None = None) -> None:
    """Bring the repository's history cache up to HEAD (the editor does it
    aside, on a thread of its own, the first time it meets a repository)."""
    try:
        history = History(root)
        head = history.head()
        if head is None or history.run("rev-parse", "--is-shallow-repository").strip() == "true":
            return
        state_after(history, head, (), (), cache=cache)
    except ReviewerError:
        return


def review_files(change_set: ChangeSet) -> tuple[FileStat, ...]:
    """The change's source files with lines added and deleted, as the mined
    history counts a commit (git's numstat without renames, source files
    only): git's counts when the change set was read from git, else (an
    editor buffer) its files' hunks."""
    stats: list[FileStat] = []
    if change_set.line_counts is not None:
        stats = [FileStat(c.path, c.added, c.deleted) for c in change_set.line_counts]
    else:
        for file in change_set.files:
            if file.status is ChangeStatus.RENAMED and file.old_path and file.old_text is not None:
                stats.append(FileStat(file.old_path, 0, line_count(file.old_text)))
                stats.append(FileStat(file.path, line_count(file.new_text), 0))
                continue
            added = sum(h.new_count for h in file.hunks)
            stats.append(FileStat(file.path, added, sum(h.old_count for h in file.hunks)))
    return tuple(s for s in stats if language_of(s.path))


def _author_time_message(history: History, head: str | None) -> tuple[str, int, str]:
    """The head commit's author, author time and message; for uncommitted
    work the identity and time git would give a commit now, no message."""
    if head is not None:
        author, time, message = history.run("log", "-1", "--format=%aE%x1f%at%x1f%B", head).split(
            "\x1f", 2
        )
        return author.strip().lower(), int(time), message.strip()
    match = _IDENT.search(history.run("var", "GIT_AUTHOR_IDENT"))
    if match is None:
        raise ReviewerError("git var GIT_AUTHOR_IDENT: no identity")
    return match.group(1).strip().lower(), int(match.group(2)), ""


def state_after(
    history: History,
    base: str,
    paths: Sequence[str],
    authors: Sequence[str],
    *,
    cache: Path | None = None,
    build: bool = True,
) -> KameiState | None:
    """KameiStream's state after the first-parent change `base`, for the
    features of changes on `paths` by `authors`: from the repository's
    cache where it holds the chain, read from git (and stored) where not. A
    damaged cache is deleted and built again; one that cannot be used at
    all (unwritable, busy) leaves git as the only source. None, with
    `build=False`, where the whole history would have to be read."""
    path = cache if cache is not None else cache_file(history.path)
    for attempt in range(2):
        try:
            with HistoryStore(path, history.path) as store:
                state = _from_store(store, history, base, paths, authors, build)
            if state is not None:
                return state
        except _NotBuilt:
            return None
        except sqlite3.Error as error:
            if not is_damaged(error) or attempt:
                break
            discard(path)
        except OSError:
            break
    if not build:
        return None
    stream = KameiStream()
    for change in first_parent_changes(history, base):
        stream.add(change)
    return stream.state


class _NotBuilt(Exception):
    """The cache does not hold the base's history, and building was not asked."""


def _from_store(
    store: HistoryStore,
    history: History,
    base: str,
    paths: Sequence[str],
    authors: Sequence[str],
    build: bool,
) -> KameiState | None:
    """None when another process rewrote the chain under this one."""
    known = store.positions([base])
    if base in known:  # on the stored chain: its rows up to the base, none later
        return store.state_at(base, known[base], paths, authors)
    walk = history.run("rev-list", "--first-parent", f"--max-count={WALK}", base).split()
    known = store.positions(walk)
    anchor_sha = next((sha for sha in walk if sha in known), None)
    anchor = (known[anchor_sha], anchor_sha) if anchor_sha is not None else None
    if anchor is None and not build:
        raise _NotBuilt
    newer = first_parent_changes(history, f"{anchor_sha}..{base}" if anchor_sha else base)
    if anchor_sha is not None and (not newer or newer[0].parents[:1] != (anchor_sha,)):
        return None
    tip = store.tip()
    # The base moved on from the cache's tip (or away from it for good):
    # store its changes in place of what followed the anchor.
    moved_on = anchor is None or anchor == tip or len(newer) > OVERLAY
    if moved_on and store.extend(anchor, newer, tip):
        position = (anchor[0] if anchor else -1) + len(newer)
        return store.state_at(base, position, paths, authors)
    # A branch off the stored chain (or a writer busy elsewhere): its own
    # changes on top of the anchor's state, in memory only.
    state = store.state_at(anchor[1], anchor[0], paths, authors) if anchor else KameiState()
    if state is None:
        return None
    stream = KameiStream(state)
    for change in newer:
        stream.add(change)
    return state

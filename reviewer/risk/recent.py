"""The repository's recent changes, read from the history behind a change
(its base commit, never later), as the facts a change scorer reads: the
rank of the change's risk among them. Read only when the risk is shown.

A learned scorer ranks a change only among changes it scored too, so the
recent changes carry their own just-in-time metrics, computed as the miner
computes them: the state before the oldest of them, from the repository's
history cache, then each change in turn."""

from __future__ import annotations

from pathlib import Path

from reviewer.change_history import state_after
from reviewer.errors import ReviewerError
from reviewer.git import CommitInfo, History
from reviewer.history import KameiState, KameiStream, log_changes
from reviewer.languages import language_for_path
from reviewer.risk import ChangeFacts, FileFacts

RECENT = 100  # first-parent commits before the base


def recent_changes(
    root: Path,
    base: str | None,
    limit: int = RECENT,
    *,
    metrics: bool = False,
    cache: Path | None = None,
) -> tuple[ChangeFacts, ...]:
    """Newest first; () when there is no history to read (no base, a
    shallow or damaged clone: the rank is then left out, never guessed).
    `metrics`: each change with its just-in-time metrics where the history
    behind it can be read; `cache` stands in for the user's cache file."""
    if base is None:
        return ()
    try:
        history = History(root)
        commits = history.commits(max_count=limit, rev=base)
    except ReviewerError:
        return ()
    measured = _metrics(history, base, limit, cache) if metrics else {}
    return tuple(
        _facts(commit, measured.get(commit.sha)) for commit in commits if len(commit.parents) <= 1
    )


def _metrics(
    history: History, base: str, limit: int, cache: Path | None
) -> dict[str, dict[str, float]]:
    """sha -> metrics of the last `limit` first-parent changes up to `base`;
    {} when the history behind them cannot be read (shallow, damaged)."""
    try:
        if history.run("rev-parse", "--is-shallow-repository").strip() == "true":
            return {}
        changes = log_changes(
            history, "--first-parent", "--diff-merges=first-parent", f"--max-count={limit}", base
        )
        if not changes:
            return {}
        parents = changes[0].parents
        state: KameiState | None = KameiState()
        if parents:  # the oldest is not the root commit: read the state before it
            paths = sorted({f.path for change in changes for f in change.files})
            authors = sorted({change.author for change in changes})
            state = state_after(history, parents[0], paths, authors, cache=cache)
    except (ReviewerError, ValueError):
        return {}
    if state is None:
        return {}
    stream, measured = KameiStream(state), {}
    for change in changes:  # oldest first: each read before it is added
        measured[change.sha] = stream.features(change)
        stream.add(change)
    return measured


def _facts(commit: CommitInfo, metrics: dict[str, float] | None) -> ChangeFacts:
    files = []
    for stat in commit.files:
        spec = language_for_path(stat.path)
        files.append(FileFacts(stat.path, spec.name if spec else None, stat.added or 0))
    return ChangeFacts(tuple(files), history=metrics)

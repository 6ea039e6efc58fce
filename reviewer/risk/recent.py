"""The repository's recent changes, read from the history behind a change
(its base commit, never later), as the facts a change scorer reads: the
rank of the change's risk among them. Read only when the risk is shown."""

from __future__ import annotations

from pathlib import Path

from reviewer.errors import ReviewerError
from reviewer.git import CommitInfo, History
from reviewer.languages import language_for_path
from reviewer.risk import ChangeFacts, FileFacts

RECENT = 100  # first-parent commits before the base


def recent_changes(root: Path, base: str | None, limit: int = RECENT) -> tuple[ChangeFacts, ...]:
    """Newest first; () when there is no history to read (no base, a
    shallow or damaged clone: the rank is then left out, never guessed)."""
    if base is None:
        return ()
    try:
        commits = History(root).commits(max_count=limit, rev=base)
    except ReviewerError:
        return ()
    return tuple(_facts(commit) for commit in commits if len(commit.parents) <= 1)


def _facts(commit: CommitInfo) -> ChangeFacts:
    files = []
    for stat in commit.files:
        spec = language_for_path(stat.path)
        files.append(FileFacts(stat.path, spec.name if spec else None, stat.added or 0))
    return ChangeFacts(tuple(files))

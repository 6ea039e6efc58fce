"""`reviewer dataset szz` for one repository: every first-parent change with
its Kamei metrics, labelled buggy (SZZ blamed some of its added source lines
on a later fix) or clean (nothing of it blamed, and old enough to tell)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from reviewer.errors import GitError
from reviewer.git import History
from reviewer.history import Change, kamei_features, read_changes
from reviewer.jit.record import JitRecord, clean, read_diff
from reviewer.jit.szz import Induced, SzzOptions, onto_main, szz

MESSAGE_CAP = 2000
DAY = 86400


@dataclass(frozen=True)
class JitOptions:
    szz: SzzOptions = field(default_factory=SzzOptions)
    # Huge changes (initial imports, vendoring, mass reformatting) are dropped:
    # blame lands on them for lines they only moved or reformatted.
    max_lines: int = 1000  # source lines added + deleted
    max_files: int = 50  # source files
    clean_age_days: float = 365.0  # a clean change is this much older than the newest


@dataclass
class MineStats:
    changes: int = 0
    no_source: int = 0
    huge: int = 0
    huge_blamed: int = 0
    too_recent: int = 0
    blamed_elsewhere: int = 0  # blamed only on lines outside its source diff
    off_main: int = 0  # blamed commits off the first-parent line (given to their merge)
    buggy: int = 0
    clean: int = 0
    fixes: int = 0
    unreadable: int = 0
    extra: dict[str, float] = field(default_factory=dict)


def mine_changes(
    history: History,
    repo: str,
    license: str,
    options: JitOptions,
    progress: Callable[[str], None] | None = None,
) -> tuple[list[JitRecord], MineStats]:
    stats = MineStats()
    changes = read_changes(history)
    if not changes:
        return [], stats
    blamed = szz(history, options.szz)
    on_main = {c.sha for c in changes}
    induced = onto_main(history, blamed, changes)
    stats.fixes = len({fix for found in induced.values() for fix in found.fixes})
    stats.off_main = sum(1 for sha in blamed if sha not in on_main)
    if progress:
        progress(f"{repo}: {len(changes)} changes, {len(induced)} blamed by {stats.fixes} fixes")
    newest = max(c.time for c in changes)
    records = []
    for change, features in kamei_features(changes):
        stats.changes += 1
        record = _record(history, repo, license, change, features, induced.get(change.sha),
                         options, newest, stats)  # fmt: skip
        if record is not None:
            records.append(record)
    return records, stats


def _record(
    history: History,
    repo: str,
    license: str,
    change: Change,
    features: dict[str, float],
    found: Induced | None,
    options: JitOptions,
    newest: int,
    stats: MineStats,
) -> JitRecord | None:
    files = [f for f in change.files if f.added is not None]
    if not files:
        stats.no_source += 1
        return None
    size = sum((f.added or 0) + (f.deleted or 0) for f in files)
    if size > options.max_lines or len(files) > options.max_files:
        stats.huge += 1
        stats.huge_blamed += found is not None
        return None
    if found is None and newest - change.time < options.clean_age_days * DAY:
        stats.too_recent += 1
        return None
    parent = change.parents[0] if change.parents else None
    try:
        diffs = read_diff(history, parent, change.sha, [f.path for f in files])
    except GitError:
        stats.unreadable += 1  # a blob missing from the snapshot
        return None
    if found is not None:
        lines, texts = found.lines, found.texts
        diffs = [
            d.model_copy(update={"buggy": [
                n for n, text in d.added
                if n in lines.get(d.path, ()) or text.strip() in texts.get(d.path, ())
            ]})
            for d in diffs
        ]  # fmt: skip
        if not any(d.buggy for d in diffs):
            stats.blamed_elsewhere += 1
            return None
    stats.buggy += found is not None
    stats.clean += found is None
    return JitRecord(
        id=f"{repo}:{change.sha[:12]}",
        repo=repo,
        license=license,
        sha=change.sha,
        parent=parent,
        author=hashlib.sha1(change.author.encode()).hexdigest()[:12],
        time=change.time,
        date=datetime.fromtimestamp(change.time, timezone.utc).isoformat(),
        message=clean(change.message[:MESSAGE_CAP]),
        label="buggy" if found is not None else "clean",
        fixes=sorted(found.fixes) if found is not None else [],
        features=features,
        files=diffs,
    )

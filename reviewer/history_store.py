"""The history behind reviews, cached per repository in the user's cache
directory: the first-parent changes as KameiStream records them, one row
per change and one per (file, change), in SQLite (no pickle: nothing in the
file is code).

Rows carry the change's position on the chain, so the state "after commit
C" is the rows up to C's position: one file answers for any commit on the
stored chain, a row later than the base is never read (no future), and a
base that moved on only appends its new changes.

Every write is one SQLite transaction, so a process that stops midway
leaves the previous state and two processes never interleave their
writes; readers read one consistent snapshot and never wait (WAL). A
damaged file is deleted and built again."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType

from reviewer import __version__
from reviewer.history import FEATURES, Change, KameiState, subsystem

# Part of the file's identity: another version may count files differently.
SCHEMA = f"history-1 reviewer-{__version__} {','.join(FEATURES)}"
WRITE_WAIT = 2.0  # seconds a writer waits for another writer, then gives up
_DAMAGED = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes (
    idx INTEGER PRIMARY KEY, sha TEXT NOT NULL UNIQUE, author TEXT NOT NULL,
    time INTEGER NOT NULL, subsystems TEXT);
CREATE INDEX IF NOT EXISTS changes_by_author ON changes (author, idx);
CREATE TABLE IF NOT EXISTS touches (
    path TEXT NOT NULL, idx INTEGER NOT NULL, lines INTEGER NOT NULL,
    PRIMARY KEY (path, idx)) WITHOUT ROWID;
"""


def cache_file(root: Path) -> Path:
    """Where a repository's history is cached: the user's cache directory,
    named by a hash of the repository's path."""
    import platformdirs

    key = hashlib.sha256(str(root.resolve()).encode("utf-8")).hexdigest()[:32]
    return Path(platformdirs.user_cache_dir("reviewer")) / "history" / f"{key}.sqlite3"


def is_damaged(error: sqlite3.Error) -> bool:
    """A file that is not (or no longer) a database, as opposed to one that
    is busy or cannot be written."""
    return getattr(error, "sqlite_errorcode", None) in _DAMAGED or "malformed" in str(error)


def discard(path: Path) -> None:
    """Remove a damaged cache file (and SQLite's files beside it)."""
    for name in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        name.unlink(missing_ok=True)


class HistoryStore:
    """One repository's cached chain of first-parent changes."""

    def __init__(self, path: Path, root: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.conn = sqlite3.connect(path, timeout=WRITE_WAIT, isolation_level=None)
        try:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.executescript(_TABLES)
            self._check_identity(str(root.resolve()))
        except BaseException:
            self.conn.close()
            raise

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.conn.close()

    def _check_identity(self, root: str) -> None:
        """A file written by another version (or for another path with the
        same hash) is emptied: it is rebuilt, never read."""
        rows = dict(self.conn.execute("SELECT key, value FROM meta").fetchall())
        if rows == {"schema": SCHEMA, "root": root}:
            return
        with self._writing():
            self.conn.execute("DELETE FROM changes")
            self.conn.execute("DELETE FROM touches")
            self.conn.execute("DELETE FROM meta")
            self.conn.executemany(
                "INSERT INTO meta VALUES (?, ?)", [("schema", SCHEMA), ("root", root)]
            )

    def _writing(self) -> _Transaction:
        return _Transaction(self.conn, "BEGIN IMMEDIATE")

    def tip(self) -> tuple[int, str] | None:
        """The last stored change: (position, sha)."""
        row = self.conn.execute("SELECT idx, sha FROM changes ORDER BY idx DESC LIMIT 1").fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def positions(self, shas: Sequence[str]) -> dict[str, int]:
        """The stored positions of those of `shas` on the chain."""
        rows = self.conn.execute(
            "SELECT sha, idx FROM changes WHERE sha IN (SELECT value FROM json_each(?))",
            (json.dumps(list(shas)),),
        )
        return {str(sha): int(idx) for sha, idx in rows}

    def state_at(
        self, sha: str, position: int, paths: Iterable[str], authors: Iterable[str]
    ) -> KameiState | None:
        """What the changes up to `sha` (at `position`, inclusive) left
        behind, for `paths` and `authors` only (all that the features of
        changes on those paths by those authors read); None when the chain no
        longer holds `sha` there (another process rewrote it meanwhile)."""
        state = KameiState()
        state.count = position + 1
        with _Transaction(self.conn, "BEGIN"):  # one snapshot for every read below
            row = self.conn.execute("SELECT sha FROM changes WHERE idx = ?", (position,)).fetchone()
            if row is None or row[0] != sha:
                return None
            for path in set(paths):
                rows = self.conn.execute(
                    "SELECT t.idx, t.lines, c.author, c.time FROM touches t "
                    "JOIN changes c ON c.idx = t.idx WHERE t.path = ? AND t.idx <= ? "
                    "ORDER BY t.idx",
                    (path, position),
                ).fetchall()
                if not rows:
                    continue
                state.touched[path] = [int(r[0]) for r in rows]
                state.authors[path] = {str(r[2]) for r in rows}
                state.lines[path], state.last_time[path] = int(rows[-1][1]), int(rows[-1][3])
            for author in set(authors):
                own = self.conn.execute(
                    "SELECT time, subsystems FROM changes "
                    "WHERE author = ? AND idx <= ? AND subsystems IS NOT NULL ORDER BY idx",
                    (author, position),
                )
                state.by_author[author] = [(int(t), frozenset(s.split("/"))) for t, s in own]
        return state

    def extend(
        self, after: tuple[int, str] | None, changes: Sequence[Change], tip: tuple[int, str] | None
    ) -> bool:
        """Drop what follows `after` (None: everything) and store `changes`
        in its place, if the chain still ends at `tip` (what the caller
        planned from); False, storing nothing, when it does not or another
        writer holds the file longer than WRITE_WAIT."""
        try:
            with self._writing():
                if self.tip() != tip:
                    raise _Changed
                start = -1 if after is None else after[0]
                if after is not None and self.positions([after[1]]).get(after[1]) != start:
                    raise _Changed
                self.conn.execute("DELETE FROM changes WHERE idx > ?", (start,))
                self.conn.execute("DELETE FROM touches WHERE idx > ?", (start,))
                self._insert(start + 1, changes)
        except _Changed:
            return False
        except sqlite3.OperationalError as error:
            if is_damaged(error):
                raise
            return False  # busy (another writer) or not writable: use it without storing
        return True

    def _insert(self, first: int, changes: Sequence[Change]) -> None:
        """Rows for `changes` from position `first`, as KameiStream.add
        records them (the lines of a file carried on from its last row)."""
        lines: dict[str, int] = {}
        change_rows: list[tuple[int, str, str, int, str | None]] = []
        touch_rows: list[tuple[str, int, int]] = []
        for offset, change in enumerate(changes):
            index = first + offset
            touched: dict[str, int] = {}
            for stat in change.files:
                if stat.added is None:
                    continue
                if stat.path not in lines:
                    lines[stat.path] = self._lines_before(stat.path, first)
                now = max(0, lines[stat.path] + stat.added - (stat.deleted or 0))
                lines[stat.path] = touched[stat.path] = now
            touch_rows.extend((path, index, now) for path, now in touched.items())
            subsystems = "/".join(sorted({subsystem(f.path) for f in change.files}))
            change_rows.append(
                (index, change.sha, change.author, change.time,
                 subsystems if change.files else None)
            )  # fmt: skip
        self.conn.executemany("INSERT INTO changes VALUES (?, ?, ?, ?, ?)", change_rows)
        self.conn.executemany("INSERT INTO touches VALUES (?, ?, ?)", touch_rows)

    def _lines_before(self, path: str, first: int) -> int:
        row = self.conn.execute(
            "SELECT lines FROM touches WHERE path = ? AND idx < ? ORDER BY idx DESC LIMIT 1",
            (path, first),
        ).fetchone()
        return int(row[0]) if row else 0


class _Changed(Exception):
    """The chain is no longer what the writer planned from."""


class _Transaction:
    """BEGIN ... COMMIT, or ROLLBACK when the block raises."""

    def __init__(self, conn: sqlite3.Connection, begin: str) -> None:
        self.conn, self.begin = conn, begin

    def __enter__(self) -> None:
        self.conn.execute(self.begin)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.conn.execute("COMMIT" if kind is None else "ROLLBACK")

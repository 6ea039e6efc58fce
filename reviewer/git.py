"""Reading changes out of Git. The only module that imports GitPython.

Every mode runs one `git diff --patch-with-raw -z -U0` (raw entries give
statuses, modes and blob ids; the patch gives git's own hunks, the same ones
a pull request shows) and reads blobs through one persistent cat-file. Work
tree mode adds one `ls-files` for unmerged paths and one for untracked files;
file contents come straight from disk. The number of git processes never
depends on the number of files.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import git
from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from reviewer.diff import (
    ChangeSet,
    ChangeStatus,
    FileChange,
    Hunk,
    LineCount,
    RawEntry,
    SkippedFile,
    hunks_between,
    is_binary_patch,
    line_count,
    parse_hunk_headers,
    parse_patch_with_raw,
    whole_file_hunk,
)
from reviewer.errors import GitError

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
NULL_SHA = "0" * 40
SUBMODULE_MODE = "160000"
SYMLINK_MODE = "120000"
DEFAULT_MAX_BYTES = 1_000_000
# How much of a file is inspected for NUL bytes to call it binary (as git does).
BINARY_SNIFF_BYTES = 8000
UNMERGED = "unmerged (merge conflict): resolve it and `git add` the file"
INVALID_UTF8 = "invalid UTF-8, decoded with replacement characters"

ChangeOrSkip = FileChange | SkippedFile | None


def open_repo(path: str | os.PathLike[str] = ".") -> git.Repo:
    try:
        return git.Repo(path, search_parent_directories=True)
    except (InvalidGitRepositoryError, NoSuchPathError):
        raise GitError(f"not a git repository: {Path(path).resolve()}") from None


def repo_root(repo: git.Repo) -> Path:
    if repo.working_tree_dir is None:
        raise GitError(f"{repo.git_dir} is a bare repository; run reviewer in a work tree")
    return Path(repo.working_tree_dir)


class ChangeReader:
    """Builds ChangeSets from a repository, one mode per method."""

    def __init__(self, repo: git.Repo, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.repo = repo
        self.root = repo_root(repo)
        self.max_bytes = max_bytes

    def working_tree(self, paths: Sequence[str] = (), untracked: bool = True) -> ChangeSet:
        """Tracked changes in the work tree (and untracked files) against HEAD."""
        base = self._head_or_empty()
        specs = self._pathspecs(paths)
        # `git diff HEAD` shows a conflicted file as modified, markers and all.
        unmerged = self._unmerged(specs)
        files, skipped, counts = self._from_diff([base], specs, worktree=True, leave_out=unmerged)
        skipped.extend(SkippedFile(path, UNMERGED) for path in unmerged)
        if untracked:
            for path in self._untracked(specs):
                item = self._worktree_file(path)
                _collect(item, files, skipped)
                if isinstance(item, FileChange):  # what `git add` then commit would count
                    counts.append(LineCount(path, line_count(item.new_text), 0))
        return self._change_set(
            f"work tree vs {self._label(base)}", files, skipped, base=base, counts=counts
        )

    def staged(self, paths: Sequence[str] = ()) -> ChangeSet:
        """The index against HEAD: exactly what `git commit` would record."""
        base = self._head_or_empty()
        specs = self._pathspecs(paths)
        files, skipped, counts = self._from_diff(["--cached", base], specs, worktree=False)
        return self._change_set(
            f"staged vs {self._label(base)}", files, skipped, base=base, counts=counts
        )

    def between(self, base: str, head: str = "HEAD", paths: Sequence[str] = ()) -> ChangeSet:
        """merge-base(base, head)..head: the pull-request view."""
        head_sha = self._resolve(head)
        base_sha = self._resolve(base)
        specs = self._pathspecs(paths)
        notes: list[str] = []
        try:
            start = self._run("merge_base", base_sha, head_sha).strip()
        except GitCommandError:
            # A shallow clone may not hold the common ancestor; compare the two
            # commits directly rather than review nothing, and say so.
            start = base_sha
            notes.append(
                f"{base} and {head} have no common ancestor here"
                f"{' (shallow clone: git fetch --unshallow)' if self._shallow() else ''};"
                f" compared {base} with {head} directly"
            )
        files, skipped, counts = self._from_diff([start, head_sha], specs, worktree=False)
        return self._change_set(
            f"{base}...{head}", files, skipped, notes, base=start, head=head_sha, counts=counts
        )

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """Whether `ancestor` is in `descendant`'s history (False also when
        it is not in this clone at all, e.g. after a force-push)."""
        try:
            self._run("merge_base", "--is-ancestor", ancestor, descendant)
        except GitCommandError:
            return False
        return True

    def tracked_files(self, paths: Sequence[str] = ()) -> ChangeSet:
        """Every tracked file as it stands in the work tree, all lines "added"
        (what `reviewer baseline` records)."""
        files: list[FileChange] = []
        skipped: list[SkippedFile] = []
        listing = self._git("ls_files", "-z", "-s", "--", *self._pathspecs(paths))
        modes: dict[str, str] = {}
        for record in filter(None, listing.split("\0")):
            meta, path = record.split("\t", 1)
            modes.setdefault(path, meta.split()[0])  # unmerged paths come once per stage
        for path, mode in modes.items():
            if mode == SUBMODULE_MODE:
                skipped.append(SkippedFile(path, "submodule"))
            elif os.path.lexists(self.root / path):
                _collect(self._worktree_file(path), files, skipped)
        return self._change_set("tracked files", files, skipped)

    # -- running git -------------------------------------------------------

    def _run(self, command: str, *args: str) -> str:
        """Run one git command; GitCommandError escapes to the caller."""
        configured = self.repo.git(
            c=[
                "core.quotePath=false",  # patch headers as parse_patch_with_raw expects
                f"core.bigFileThreshold={max(self.max_bytes, 1)}",  # don't diff huge files
            ],
            literal_pathspecs=True,  # a path argument is a name, never a glob
        )
        return str(getattr(configured, command)(*args, strip_newline_in_stdout=False))

    def _git(self, command: str, *args: str) -> str:
        try:
            return self._run(command, *args)
        except GitCommandError as error:
            raise GitError(
                f"git {command.replace('_', '-')} failed: {_git_message(error)}"
            ) from None

    def _head_or_empty(self) -> str:
        try:
            return self.repo.head.commit.hexsha
        except ValueError:  # a repository with no commit yet
            return EMPTY_TREE

    def _label(self, sha: str) -> str:
        return "empty tree (no commits yet)" if sha == EMPTY_TREE else "HEAD"

    def _shallow(self) -> bool:
        return Path(self.repo.common_dir, "shallow").exists()

    def _resolve(self, rev: str) -> str:
        if not rev.startswith("-"):  # an option to git, never a revision
            try:
                return self._run("rev_parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()
            except GitCommandError:
                pass
        hint = (
            "this is a shallow clone: fetch more history (git fetch --unshallow)"
            if self._shallow()
            else "fetch it or check the name"
        )
        raise GitError(f"unknown revision {rev!r} ({hint})")

    def _pathspecs(self, paths: Sequence[str]) -> list[str]:
        """Paths relative to the cwd -> paths relative to the repository root."""
        root = self.root.resolve()
        specs = []
        for path in paths:
            absolute = Path(os.path.abspath(path))
            # Resolve the parent only: a symlink named on the command line is
            # itself the path under review, not what it points at.
            absolute = absolute.parent.resolve() / absolute.name if absolute.name else absolute
            try:
                specs.append(absolute.relative_to(root).as_posix())
            except ValueError:
                raise GitError(f"path {path} is outside the repository {self.root}") from None
        return specs

    # -- the three kinds of change -----------------------------------------

    def _from_diff(
        self,
        revs: list[str],
        specs: list[str],
        worktree: bool,
        leave_out: Sequence[str] = (),
    ) -> tuple[list[FileChange], list[SkippedFile], list[LineCount]]:
        output = self._git(
            "diff",
            *revs,
            "--patch-with-raw",
            "-z",
            "-U0",
            "--inter-hunk-context=0",
            "-M",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--no-abbrev",
            "--ignore-submodules=none",
            "--submodule=short",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            "--",
            *specs,
        )
        files: list[FileChange] = []
        skipped: list[SkippedFile] = []
        counts: list[LineCount] = []
        for entry, patch in parse_patch_with_raw(output):
            if entry.path not in leave_out:
                item = self._file_change(entry, patch, worktree)
                _collect(item, files, skipped)
                counts.extend(self._line_counts(entry, patch, item, worktree))
        return files, skipped, counts

    def _line_counts(
        self, entry: RawEntry, patch: str | None, item: ChangeOrSkip, worktree: bool
    ) -> list[LineCount]:
        """The entry's lines as `git diff --numstat --no-renames` counts
        them: a deleted or skipped file too, and a rename as the old path
        deleted and the new one added (as the mined history counts it)."""
        if entry.status == "U":
            return []
        binary = patch is not None and is_binary_patch(patch)
        if entry.status == "R":
            old = None if binary else self._blob_lines(self._read_blob(entry.old_sha))
            if binary:
                new = None
            elif isinstance(item, FileChange):
                new = line_count(item.new_text)
            else:
                data = self._read_worktree(entry.path) if worktree else None
                new = self._blob_lines(self._read_blob(entry.new_sha) if data is None else data)
            return [
                LineCount(entry.old_path, None if old is None else 0, old),
                LineCount(entry.path, new, None if new is None else 0),
            ]
        path = entry.old_path if entry.status == "D" else entry.path
        if binary or (patch is None and not isinstance(item, FileChange)):
            return [LineCount(path, None, None)]
        hunks = item.hunks if isinstance(item, FileChange) else parse_hunk_headers(patch or "")
        return [LineCount(path, sum(h.new_count for h in hunks), sum(h.old_count for h in hunks))]

    @staticmethod
    def _blob_lines(data: bytes | str) -> int | None:
        """Lines of a blob read by _read_blob (None: unreadable or binary)."""
        if isinstance(data, str) or _is_binary(data):
            return None
        return line_count(_decode(data)[0])

    def _file_change(self, entry: RawEntry, patch: str | None, worktree: bool) -> ChangeOrSkip:
        if entry.status == "D":
            return SkippedFile(entry.old_path, "deleted")
        if entry.status == "U":
            return SkippedFile(entry.path, UNMERGED)
        if entry.new_mode == SUBMODULE_MODE:
            return SkippedFile(entry.path, "submodule")
        if entry.new_mode == SYMLINK_MODE:
            return SkippedFile(entry.path, "symlink")
        hunks: tuple[Hunk, ...] | None = None
        binary = False
        if patch is not None:
            hunks = parse_hunk_headers(patch)
            binary = is_binary_patch(patch)
            if not binary and not any(h.new_count for h in hunks):
                return None  # a pure rename, only deleted lines, a mode change, empty file
        # In work tree mode git names a blob it never stored: read the file.
        data = self._read_worktree(entry.path) if worktree else self._read_blob(entry.new_sha)
        if isinstance(data, str):
            return SkippedFile(entry.path, data)
        if binary or _is_binary(data):
            return SkippedFile(entry.path, "binary")
        new_text, notes = _decode(data)
        old_text = self._old_text(entry)
        if hunks is None:  # no patch found for the entry: compare the texts ourselves
            hunks = hunks_between(old_text, new_text)
            if not any(h.new_count for h in hunks):
                return None
        status = {"A": ChangeStatus.ADDED, "C": ChangeStatus.ADDED, "R": ChangeStatus.RENAMED}
        return FileChange(
            path=entry.path,
            status=status.get(entry.status, ChangeStatus.MODIFIED),
            new_text=new_text,
            hunks=hunks,
            old_path=entry.old_path if entry.status == "R" else None,
            old_text=old_text,
            notes=notes,
        )

    def _old_text(self, entry: RawEntry) -> str | None:
        """The old side as text; None when added, not a regular file, too
        large or binary."""
        if entry.status in "AT" or entry.old_sha == NULL_SHA or entry.old_mode[:3] != "100":
            return None
        data = self._read_blob(entry.old_sha)
        if isinstance(data, str) or _is_binary(data):
            return None
        return _decode(data)[0]

    def _worktree_file(self, path: str) -> ChangeOrSkip:
        """A file read from disk, every line added (untracked or baseline)."""
        full = self.root / path
        if full.is_symlink():
            return SkippedFile(path, "symlink")
        if full.is_dir():
            return SkippedFile(path, "submodule")  # a nested repository
        data = self._read_worktree(path)
        if isinstance(data, str):
            return SkippedFile(path, data)
        if _is_binary(data):
            return SkippedFile(path, "binary")
        text, notes = _decode(data)
        hunks = whole_file_hunk(text)
        if not hunks:
            return None  # an empty file: nothing to review
        return FileChange(path, ChangeStatus.ADDED, text, hunks, notes=notes)

    def _unmerged(self, specs: list[str]) -> list[str]:
        listing = self._git("ls_files", "-z", "--unmerged", "--", *specs)
        paths = (record.split("\t", 1)[1] for record in filter(None, listing.split("\0")))
        return sorted(set(paths))

    def _untracked(self, specs: list[str]) -> list[str]:
        listing = self._git("ls_files", "-z", "--others", "--exclude-standard", "--", *specs)
        # A nested repository is listed once, as "dir/".
        return [path.rstrip("/") for path in filter(None, listing.split("\0"))]

    # -- reading contents --------------------------------------------------

    def _too_large(self, size: int) -> str | None:
        if size > self.max_bytes:
            return f"too large ({size:,} bytes > {self.max_bytes:,})"
        return None

    def _read_worktree(self, path: str) -> bytes | str:
        """The file's bytes, or why they were not read."""
        full = self.root / path
        try:
            return self._too_large(full.stat().st_size) or full.read_bytes()
        except OSError as error:
            return f"unreadable ({error.strerror})"

    def _read_blob(self, sha: str) -> bytes | str:
        """The blob's bytes (via the persistent cat-file), or why they were not read."""
        try:
            _, _, size = self.repo.git.get_object_header(sha)
            if reason := self._too_large(size):
                return reason
            _, _, _, data = self.repo.git.get_object_data(sha)
        except ValueError:  # cat-file says "missing"
            return f"unreadable (blob {sha} is not in the repository)"
        return bytes(data)

    def _change_set(
        self,
        description: str,
        files: list[FileChange],
        skipped: list[SkippedFile],
        notes: Sequence[str] = (),
        *,
        base: str | None = None,
        head: str | None = None,
        counts: Sequence[LineCount] | None = None,
    ) -> ChangeSet:
        return ChangeSet(
            root=self.root,
            description=description,
            files=tuple(sorted(files, key=lambda f: f.path)),
            skipped=tuple(sorted(skipped, key=lambda s: s.path)),
            notes=tuple(notes),
            base=None if base == EMPTY_TREE else base,
            head=head,
            line_counts=None if counts is None else tuple(sorted(counts, key=lambda c: c.path)),
        )


def _collect(item: ChangeOrSkip, files: list[FileChange], skipped: list[SkippedFile]) -> None:
    if isinstance(item, FileChange):
        files.append(item)
    elif isinstance(item, SkippedFile):
        skipped.append(item)


def _is_binary(data: bytes) -> bool:
    return b"\0" in data[:BINARY_SNIFF_BYTES]


def _decode(data: bytes) -> tuple[str, tuple[str, ...]]:
    """Text and notes. Line endings are kept (CRLF stays CRLF); a UTF-8 byte
    order mark is dropped (it is not part of line 1 for a parser)."""
    notes: tuple[str, ...] = ()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text, notes = data.decode("utf-8", errors="replace"), (INVALID_UTF8,)
    return text.removeprefix("\ufeff"), notes


def _git_message(error: GitCommandError) -> str:
    """The first meaningful line git wrote to stderr."""
    stderr = str(error.stderr).strip()
    stderr = stderr.removeprefix("stderr:").strip().strip("'").strip()
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("fatal:", "error:")):
            return line
    return lines[0] if lines else f"exit status {error.status}"


@dataclass(frozen=True)
class HeadVersion:
    """A file as an editor sees it against git: its repository, its path in
    it, and its text at HEAD (None: untracked or new, so every line counts as
    changed)."""

    root: Path
    path: str
    text: str | None


def head_version(file: Path) -> HeadVersion | None:
    """The HEAD version of `file`; None when it is not inside a work tree."""
    try:
        repo = git.Repo(file.parent, search_parent_directories=True)
    except (InvalidGitRepositoryError, NoSuchPathError):
        return None
    if repo.working_tree_dir is None:
        return None
    root = Path(repo.working_tree_dir).resolve()
    try:
        relative = file.resolve().relative_to(root).as_posix()
    except ValueError:
        return None
    try:
        data = (repo.head.commit.tree / relative).data_stream.read()
    except (KeyError, ValueError, GitCommandError):  # untracked, or no commit yet
        return HeadVersion(root, relative, None)
    finally:
        repo.close()
    return HeadVersion(root, relative, _decode(data)[0])


# -- history, for mining review data (`reviewer dataset mine`) ---------------


@dataclass(frozen=True)
class FileStat:
    """One line of `git log --numstat`: None counts for a binary file."""

    path: str
    added: int | None
    deleted: int | None


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    parents: tuple[str, ...]
    date: str  # committer date, ISO 8601
    message: str
    files: tuple[FileStat, ...]


class History:
    """Read-only access to a repository's history; works on bare mirrors too."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        try:
            repo = git.Repo(path)
        except (InvalidGitRepositoryError, NoSuchPathError):
            raise GitError(f"not a git repository: {Path(path).resolve()}") from None
        self.path = Path(path)
        # Run inside the git directory: a mirror without a config file is
        # bare, but GitPython would take its parent for a work tree.
        self.git = git.Git(repo.git_dir)

    def _log(self, *args: str) -> str:
        try:
            return str(self.git(c="core.quotePath=false").log(*args, strip_newline_in_stdout=False))
        except GitCommandError as error:
            raise GitError(f"git log failed: {_git_message(error)}") from None

    def run(self, command: str, *args: str) -> str:
        """Any read-only git command in the repository (blame, diff, rev-list)."""
        try:
            method = getattr(self.git(c="core.quotePath=false"), command.replace("-", "_"))
            return str(method(*args, strip_newline_in_stdout=False))
        except GitCommandError as error:
            raise GitError(f"git {command} failed: {_git_message(error)}") from None

    def head(self) -> str | None:
        try:
            return str(self.git.rev_parse("--verify", "--quiet", "HEAD^{commit}")).strip() or None
        except GitCommandError:
            return None

    def commits(self, max_count: int | None = None, rev: str = "HEAD") -> list[CommitInfo]:
        """First-parent history of `rev`, newest first, with numstat. A
        snapshot missing some blobs stops `log --numstat`; then each commit
        is asked alone and those whose blobs are missing are left out."""
        if self.head() is None:
            return []
        limit = [f"--max-count={max_count}"] if max_count else []
        fields = "--format=%x1e%H%x1f%P%x1f%cI%x1f%B%x1f"
        try:
            output = self._log("--first-parent", "--no-renames", "--numstat", *limit, fields, rev)
        except GitError:
            return self._commits_one_by_one(self._log("--first-parent", *limit, fields, rev))
        return [_commit(chunk) for chunk in output.split("\x1e")[1:]]

    def _commits_one_by_one(self, output: str) -> list[CommitInfo]:
        commits = []
        for chunk in output.split("\x1e")[1:]:
            commit = _commit(chunk)
            if len(commit.parents) != 1:
                commits.append(commit)
                continue
            try:
                stats = str(
                    self.git.diff_tree(
                        "--numstat", "--no-renames", "-r", commit.parents[0], commit.sha
                    )
                )
            except GitCommandError:
                continue
            commits.append(_commit(chunk.rsplit("\x1f", 1)[0] + "\x1f" + stats))
        return commits

    def text(self, rev: str, path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str | None:
        """The file at `rev` as text; None when absent, binary or too large."""
        try:
            _, _, size = self.git.get_object_header(f"{rev}:{path}")
            if size > max_bytes:
                return None
            _, _, _, data = self.git.get_object_data(f"{rev}:{path}")
        except (ValueError, GitCommandError):
            return None
        if _is_binary(data):
            return None
        return _decode(bytes(data))[0]

    def later_hunks(self, since: str, path: str, limit: int) -> list[tuple[str, tuple[Hunk, ...]]]:
        """Each later first-parent commit touching `path` (oldest first) with
        its -U0 hunks on it; stops early at a rename or deletion."""
        output = self._log(
            "--first-parent", "--diff-merges=first-parent", "--no-renames", "-U0",
            f"--max-count={limit}", "--reverse", "--format=%x1e%H", f"{since}..HEAD", "--", path,
        )  # fmt: skip
        later: list[tuple[str, tuple[Hunk, ...]]] = []
        for chunk in output.split("\x1e")[1:]:
            sha, _, patch = chunk.partition("\n")
            if "\n+++ /dev/null" in patch:
                later.append((sha.strip(), ()))
                break
            later.append((sha.strip(), parse_hunk_headers(patch)))
        return later


def _commit(chunk: str) -> CommitInfo:
    sha, parents, date, message, stats = chunk.split("\x1f", 4)
    files = []
    for line in stats.strip("\n").split("\n"):
        parts = line.split("\t", 2)
        if len(parts) == 3:
            added, deleted, path = parts
            files.append(FileStat(path, _count(added), _count(deleted)))
    return CommitInfo(sha, tuple(parents.split()), date, message.strip(), tuple(files))


def _count(value: str) -> int | None:
    return int(value) if value.isdigit() else None


__all__ = [
    "ChangeReader",
    "CommitInfo",
    "FileStat",
    "HeadVersion",
    "History",
    "head_version",
    "hunks_between",
    "open_repo",
    "repo_root",
]

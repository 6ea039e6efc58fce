"""Reading changes out of Git. The only module that imports GitPython.

Every mode runs one `git diff --patch-with-raw -z -U0` (raw entries give
statuses, modes and blob ids; the patch gives git's own hunks, the same ones
a pull request shows) and reads blobs through one persistent cat-file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import git
from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from reviewer.diff import (
    ChangeSet,
    ChangeStatus,
    FileChange,
    SkippedFile,
    hunks_between,
    parse_hunk_headers,
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


@dataclass(frozen=True)
class _RawEntry:
    status: str  # A, M, D, R, T, U
    old_mode: str
    new_mode: str
    old_sha: str
    new_sha: str
    old_path: str
    path: str


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
        files, skipped = self._from_diff([base], paths, new_side="worktree")
        if untracked:
            for path in self._untracked(paths):
                _collect(self._untracked_change(path), files, skipped)
        return self._change_set(f"work tree vs {self._label(base)}", files, skipped)

    def staged(self, paths: Sequence[str] = ()) -> ChangeSet:
        """The index against HEAD: exactly what `git commit` would record."""
        base = self._head_or_empty()
        files, skipped = self._from_diff(["--cached", base], paths, new_side="blob")
        return self._change_set(f"staged vs {self._label(base)}", files, skipped)

    def between(self, base: str, head: str = "HEAD", paths: Sequence[str] = ()) -> ChangeSet:
        """merge-base(base, head)..head: the pull-request view."""
        head_sha = self._resolve(head)
        base_sha = self._resolve(base)
        notes = []
        try:
            start = self.repo.git.merge_base(base_sha, head_sha).strip()
        except GitCommandError:
            # A shallow clone may not hold the common ancestor; compare the two
            # commits directly rather than review nothing.
            start = base_sha
            notes.append(
                f"no merge base of {base} and {head} (shallow clone?); compared them directly"
            )
        files, skipped = self._from_diff([start, head_sha], paths, new_side="blob")
        change_set = self._change_set(f"{base}...{head}", files, skipped)
        return ChangeSet(change_set.root, change_set.description, change_set.files,
                         change_set.skipped, tuple(notes))

    def tracked_files(self, paths: Sequence[str] = ()) -> ChangeSet:
        """Every tracked file as it stands in the work tree, all lines "added"
        (what `reviewer baseline` records)."""
        files: list[FileChange] = []
        skipped: list[SkippedFile] = []
        listing = self.repo.git.ls_files("-z", "-s", "--", *self._pathspecs(paths))
        for record in filter(None, listing.split("\0")):
            meta, path = record.split("\t", 1)
            if meta.split()[0] == SUBMODULE_MODE:
                skipped.append(SkippedFile(path, "submodule"))
            elif (self.root / path).is_file():
                _collect(self._untracked_change(path), files, skipped)
        return self._change_set("tracked files", files, skipped)

    # -- internals ---------------------------------------------------------

    def _change_set(
        self, description: str, files: list[FileChange], skipped: list[SkippedFile]
    ) -> ChangeSet:
        return ChangeSet(
            root=self.root,
            description=description,
            files=tuple(sorted(files, key=lambda f: f.path)),
            skipped=tuple(sorted(skipped, key=lambda s: s.path)),
        )

    def _head_or_empty(self) -> str:
        try:
            return self.repo.head.commit.hexsha
        except ValueError:  # a repository with no commit yet
            return EMPTY_TREE

    def _label(self, sha: str) -> str:
        return "empty tree (no commits yet)" if sha == EMPTY_TREE else "HEAD"

    def _resolve(self, rev: str) -> str:
        try:
            return self.repo.git.rev_parse("--verify", "--quiet", f"{rev}^{{commit}}").strip()
        except GitCommandError:
            raise GitError(f"unknown revision {rev!r} (fetch it or check the name)") from None

    def _pathspecs(self, paths: Sequence[str]) -> list[str]:
        specs = []
        for path in paths:
            absolute = Path(path).resolve()
            try:
                specs.append(absolute.relative_to(self.root.resolve()).as_posix() or ".")
            except ValueError:
                raise GitError(f"path {path} is outside the repository {self.root}") from None
        return specs

    def _from_diff(
        self, revs: list[str], paths: Sequence[str], new_side: str
    ) -> tuple[list[FileChange], list[SkippedFile]]:
        output = self.repo.git.diff(
            *revs,
            "--patch-with-raw", "-z", "-U0", "-M", "--no-color", "--no-ext-diff",
            "--no-textconv", "--no-abbrev", "--ignore-submodules=none",
            "--", *self._pathspecs(paths),
            strip_newline_in_stdout=False,
        )
        entries, patches = _split_raw_and_patch(output)
        files: list[FileChange] = []
        skipped: list[SkippedFile] = []
        for entry, patch in zip(entries, patches):
            _collect(self._file_change(entry, patch, new_side), files, skipped)
        return files, skipped

    def _file_change(
        self, entry: _RawEntry, patch: str, new_side: str
    ) -> FileChange | SkippedFile | None:
        if entry.status == "D":
            return SkippedFile(entry.old_path, "deleted")
        if entry.status == "U":
            return SkippedFile(entry.path, "unmerged (resolve the conflict first)")
        if SUBMODULE_MODE in (entry.new_mode, entry.old_mode):
            return SkippedFile(entry.path, "submodule")
        if entry.new_mode == SYMLINK_MODE:
            return SkippedFile(entry.path, "symlink")
        hunks = parse_hunk_headers(patch)
        if "\nBinary files " in f"\n{patch}" or "\nGIT binary patch" in f"\n{patch}":
            return SkippedFile(entry.path, "binary")
        if not any(h.new_count for h in hunks):
            return None  # a pure rename, deletion of lines only, or a mode change
        if new_side == "worktree":  # git may name a hash it never stored
            data = self._read_worktree(entry.path)
        else:
            data = self._read_blob(entry.new_sha)
        if isinstance(data, str):
            return SkippedFile(entry.path, data)
        status = {"A": ChangeStatus.ADDED, "R": ChangeStatus.RENAMED}.get(
            entry.status, ChangeStatus.MODIFIED
        )
        return _decoded_change(entry.path, data, hunks, status, entry.old_path)

    def _untracked(self, paths: Sequence[str]) -> Iterator[str]:
        listing = self.repo.git.ls_files(
            "-z", "--others", "--exclude-standard", "--", *self._pathspecs(paths)
        )
        yield from filter(None, listing.split("\0"))

    def _untracked_change(self, path: str) -> FileChange | SkippedFile | None:
        full = self.root / path
        if full.is_symlink():
            return SkippedFile(path, "symlink")
        if full.is_dir():
            return SkippedFile(path, "submodule")  # a nested repository
        data = self._read_worktree(path)
        if isinstance(data, str):
            return SkippedFile(path, data)
        change = _decoded_change(path, data, (), ChangeStatus.ADDED, None)
        if isinstance(change, SkippedFile):
            return change
        hunks = whole_file_hunk(change.new_text)
        if not hunks:
            return None
        return FileChange(change.path, change.status, change.new_text, hunks, notes=change.notes)

    def _read_worktree(self, path: str) -> bytes | str:
        full = self.root / path
        try:
            size = full.stat().st_size
            if size > self.max_bytes:
                return f"too large ({size:,} bytes > {self.max_bytes:,})"
            return full.read_bytes()
        except OSError as error:
            return f"unreadable ({error.strerror})"

    def _read_blob(self, sha: str) -> bytes | str:
        _, _, size = self.repo.git.get_object_header(sha)
        if size > self.max_bytes:
            return f"too large ({size:,} bytes > {self.max_bytes:,})"
        _, _, _, data = self.repo.git.get_object_data(sha)
        return bytes(data)


def _collect(
    item: FileChange | SkippedFile | None, files: list[FileChange], skipped: list[SkippedFile]
) -> None:
    if isinstance(item, FileChange):
        files.append(item)
    elif isinstance(item, SkippedFile):
        skipped.append(item)


def _decoded_change(
    path: str, data: bytes, hunks: tuple, status: ChangeStatus, old_path: str | None
) -> FileChange | SkippedFile:
    if b"\0" in data[:BINARY_SNIFF_BYTES]:
        return SkippedFile(path, "binary")
    notes = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        notes.append("invalid UTF-8, decoded with replacement characters")
    if text.startswith("\ufeff"):
        text = text[1:]
    return FileChange(
        path=path,
        status=status,
        new_text=text,
        hunks=hunks,
        old_path=old_path if status is ChangeStatus.RENAMED else None,
        notes=tuple(notes),
    )


def _split_raw_and_patch(output: str) -> tuple[list[_RawEntry], list[str]]:
    """Split `git diff --patch-with-raw -z` output into raw entries and, in the
    same order, each entry's patch section."""
    tokens = output.split("\0")
    entries = []
    index = 0
    while index < len(tokens) and tokens[index].startswith(":"):
        old_mode, new_mode, old_sha, new_sha, status = tokens[index][1:].split(" ")
        letter = status[0]
        if letter in "RC":
            old_path, path = tokens[index + 1], tokens[index + 2]
            index += 3
        else:
            old_path = path = tokens[index + 1]
            index += 2
        entries.append(_RawEntry(letter, old_mode, new_mode, old_sha, new_sha, old_path, path))
    patch_text = "\0".join(tokens[index:]).lstrip("\0")
    return entries, _patch_sections(patch_text)


def _patch_sections(patch: str) -> list[str]:
    sections: list[list[str]] = []
    for line in patch.split("\n"):
        if line.startswith(("diff --git ", "diff --cc ", "diff --combined ")):
            sections.append([])
        if sections:
            sections[-1].append(line)
    return ["\n".join(section) for section in sections]


__all__ = ["ChangeReader", "hunks_between", "open_repo", "repo_root"]

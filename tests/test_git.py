"""The git input layer on real repositories built in tmp_path (never a mocked git)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import git.cmd
import pytest

from reviewer.diff import ChangeSet, ChangeStatus, FileChange, Hunk, split_lines
from reviewer.errors import GitError
from reviewer.git import INVALID_UTF8, UNMERGED, ChangeReader, open_repo
from tests.conftest import GitRepo, make_repo

NUMBERED = "".join(f"line {n}\n" for n in range(1, 11))


def edit(text: str, number: int, new: str) -> str:
    lines = text.splitlines(keepends=True)
    lines[number - 1] = new
    return "".join(lines)


def reader(repo: GitRepo, **kwargs: Any) -> ChangeReader:
    return ChangeReader(open_repo(repo.path), **kwargs)


def by_path(change_set: ChangeSet) -> dict[str, FileChange]:
    return {change.path: change for change in change_set.files}


def reasons(change_set: ChangeSet) -> dict[str, str]:
    return {skip.path: skip.reason for skip in change_set.skipped}


def only_file(change_set: ChangeSet) -> FileChange:
    assert len(change_set.files) == 1, change_set
    return change_set.files[0]


@pytest.fixture
def committed(repo: GitRepo) -> GitRepo:
    """A repository with one commit holding m.py (ten numbered lines)."""
    repo.write("m.py", NUMBERED)
    repo.commit("base")
    return repo


# -- working tree mode ------------------------------------------------------


def test_working_tree_reviews_modified_lines_and_untracked_files(committed: GitRepo) -> None:
    committed.write("m.py", edit(edit(NUMBERED, 3, "three\n"), 7, "seven\nseven b\n"))
    committed.write("new.py", "a = 1\nb = 2\n")
    changes = reader(committed).working_tree()
    assert changes.description == "work tree vs HEAD"
    files = by_path(changes)
    assert files["m.py"].status is ChangeStatus.MODIFIED
    assert files["m.py"].hunks == (Hunk(3, 1, 3, 1), Hunk(7, 1, 7, 2))
    assert files["m.py"].added_lines == {3, 7, 8}
    assert files["m.py"].old_text == NUMBERED
    assert files["new.py"].status is ChangeStatus.ADDED
    assert files["new.py"].added_lines == {1, 2}
    assert changes.skipped == ()


def test_working_tree_without_untracked(committed: GitRepo) -> None:
    committed.write("m.py", edit(NUMBERED, 1, "one\n"))
    committed.write("new.py", "a = 1\n")
    assert list(by_path(reader(committed).working_tree(untracked=False))) == ["m.py"]


def test_gitignored_untracked_files_are_left_out(committed: GitRepo) -> None:
    committed.write(".gitignore", "build/\n*.log\n")
    committed.commit("ignore")
    committed.write("build/gen.py", "x = 1\n")
    committed.write("debug.log", "noise\n")
    committed.write("kept.py", "y = 2\n")
    changes = reader(committed).working_tree()
    assert list(by_path(changes)) == ["kept.py"]
    assert changes.skipped == ()


def test_staged_but_unchanged_work_tree_file_is_reviewed_in_working_tree_mode(
    committed: GitRepo,
) -> None:
    committed.write("m.py", edit(NUMBERED, 2, "two\n"))
    committed.git("add", "m.py")
    assert only_file(reader(committed).working_tree()).added_lines == {2}


# -- staged mode ------------------------------------------------------------


def test_staged_reviews_the_index_not_the_work_tree(committed: GitRepo) -> None:
    staged_text = edit(NUMBERED, 4, "four (staged)\n")
    committed.write("m.py", staged_text)
    committed.git("add", "m.py")
    # Like `git add -p`: the work tree moves on after staging.
    committed.write("m.py", edit(edit(staged_text, 1, "one (unstaged)\n"), 9, "nine\n"))
    committed.write("untracked.py", "z = 1\n")
    changes = reader(committed).staged()
    assert changes.description == "staged vs HEAD"
    change = only_file(changes)
    assert change.new_text == staged_text
    assert change.added_lines == {4}
    assert only_file(reader(committed).working_tree(untracked=False)).added_lines == {1, 4, 9}


def test_staged_new_file(committed: GitRepo) -> None:
    committed.write("n.py", "a\nb\n")
    committed.git("add", "n.py")
    committed.write("n.py", "a\nb\nc\n")
    change = only_file(reader(committed).staged())
    assert (change.path, change.status, change.new_text) == ("n.py", ChangeStatus.ADDED, "a\nb\n")
    assert change.added_lines == {1, 2}
    assert change.old_text is None


# -- between (the pull-request view) ----------------------------------------


@pytest.fixture
def forked(committed: GitRepo) -> GitRepo:
    """main and feature forked at `base`; main moved on after the fork."""
    committed.git("checkout", "-q", "-b", "feature")
    committed.write("m.py", edit(NUMBERED, 5, "five (feature)\n"))
    committed.write("feature.py", "f = 1\n")
    committed.commit("feature work")
    committed.git("checkout", "-q", "main")
    committed.write("m.py", edit(NUMBERED, 1, "one (main)\n"))
    committed.write("main_only.py", "m = 1\n")
    committed.commit("main moves on")
    committed.git("checkout", "-q", "feature")
    return committed


def test_between_reviews_from_the_merge_base(forked: GitRepo) -> None:
    changes = reader(forked).between("main", "feature")
    assert changes.description == "main...feature"
    files = by_path(changes)
    assert sorted(files) == ["feature.py", "m.py"]  # main_only.py came after the fork
    assert files["m.py"].added_lines == {5}  # main's edit of line 1 is not feature's
    assert "five (feature)" in files["m.py"].new_text
    assert "one (main)" not in files["m.py"].new_text
    assert changes.notes == ()


def test_between_defaults_head_to_HEAD_and_ignores_the_work_tree(forked: GitRepo) -> None:
    forked.write("m.py", "uncommitted\n")
    changes = reader(forked).between("main")
    assert by_path(changes)["m.py"].added_lines == {5}


def test_between_accepts_tags_and_relative_revisions(forked: GitRepo) -> None:
    forked.git("tag", "-a", "-m", "v1", "v1", "main")
    assert sorted(by_path(reader(forked).between("v1", "feature"))) == ["feature.py", "m.py"]
    assert sorted(by_path(reader(forked).between("feature~1", "feature"))) == [
        "feature.py",
        "m.py",
    ]


@pytest.mark.parametrize("which", ["base", "head"])
def test_unknown_revision_is_a_one_line_git_error(forked: GitRepo, which: str) -> None:
    args = ("no-such-branch", "feature") if which == "base" else ("main", "no-such-branch")
    with pytest.raises(GitError) as caught:
        reader(forked).between(*args)
    message = str(caught.value)
    assert message == "unknown revision 'no-such-branch' (fetch it or check the name)"


def test_revision_that_looks_like_an_option_is_not_one(forked: GitRepo) -> None:
    with pytest.raises(GitError, match="unknown revision '--all'"):
        reader(forked).between("--all")


# -- path arguments ---------------------------------------------------------


@pytest.fixture
def nested(committed: GitRepo) -> GitRepo:
    committed.write("pkg/a.py", "a\n")
    committed.write("pkg/sub/b.py", "b\n")
    committed.write("other/c.py", "c\n")
    committed.commit("tree")
    for path in ("m.py", "pkg/a.py", "pkg/sub/b.py", "other/c.py"):
        committed.write(path, "changed\n")
    committed.write("pkg/new.py", "n\n")
    committed.write("other/new.py", "n\n")
    return committed


def test_paths_limit_every_mode(nested: GitRepo) -> None:
    review = reader(nested)
    assert sorted(by_path(review.working_tree(["pkg"]))) == [
        "pkg/a.py",
        "pkg/new.py",
        "pkg/sub/b.py",
    ]
    assert sorted(by_path(review.working_tree(["pkg/a.py", "other/c.py"]))) == [
        "other/c.py",
        "pkg/a.py",
    ]
    nested.git("add", "--all")
    assert sorted(by_path(review.staged(["other"]))) == ["other/c.py", "other/new.py"]
    nested.commit("all")
    assert sorted(by_path(review.between("HEAD~1", "HEAD", ["pkg/sub"]))) == ["pkg/sub/b.py"]


def test_paths_are_relative_to_a_subdirectory_cwd(
    nested: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(nested.path / "pkg")
    review = ChangeReader(open_repo("."))
    assert sorted(by_path(review.working_tree(["."]))) == ["pkg/a.py", "pkg/new.py", "pkg/sub/b.py"]
    assert sorted(by_path(review.working_tree(["sub"]))) == ["pkg/sub/b.py"]
    assert sorted(by_path(review.working_tree(["../other/c.py"]))) == ["other/c.py"]
    # With no paths the whole repository is reviewed, wherever the cwd is.
    assert len(review.working_tree().files) == 6


def test_path_outside_the_repository_is_a_git_error(
    nested: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(nested.path / "pkg")
    with pytest.raises(GitError, match=r"^path \.\./\.\./elsewhere is outside the repository"):
        ChangeReader(open_repo(".")).working_tree(["../../elsewhere"])
    with pytest.raises(GitError, match="outside the repository"):
        ChangeReader(open_repo(".")).staged([str(tmp_path)])


def test_paths_are_names_not_globs(committed: GitRepo) -> None:
    committed.write("st*r.py", "1\n")
    committed.write("stXr.py", "2\n")
    assert list(by_path(reader(committed).working_tree(["st*r.py"]))) == ["st*r.py"]


def test_a_missing_path_reviews_nothing(committed: GitRepo) -> None:
    committed.write("m.py", "changed\n")
    changes = reader(committed).working_tree(["not-there.py"])
    assert (changes.files, changes.skipped) == ((), ())


# -- renames, deletions, modes ----------------------------------------------


def test_rename_with_a_small_edit_reviews_only_the_edited_line(committed: GitRepo) -> None:
    committed.git("mv", "m.py", "moved.py")
    committed.write("moved.py", edit(NUMBERED, 6, "six\n"))
    committed.git("add", "moved.py")
    for changes in (reader(committed).working_tree(), reader(committed).staged()):
        change = only_file(changes)
        assert (change.path, change.old_path) == ("moved.py", "m.py")
        assert change.status is ChangeStatus.RENAMED
        assert change.added_lines == {6}
        assert change.old_text == NUMBERED
        assert changes.skipped == ()
    committed.commit("rename")
    change = only_file(reader(committed).between("HEAD~1"))
    assert (change.path, change.old_path) == ("moved.py", "m.py")
    assert change.added_lines == {6}


def test_pure_rename_has_nothing_to_review(committed: GitRepo) -> None:
    committed.git("mv", "m.py", "moved.py")
    for changes in (reader(committed).working_tree(), reader(committed).staged()):
        assert (changes.files, changes.skipped) == ((), ())


def test_deleted_files_are_counted_as_skipped(committed: GitRepo) -> None:
    committed.write("gone.py", "x\n")
    committed.commit("more")
    (committed.path / "m.py").unlink()
    committed.git("rm", "-q", "gone.py")
    changes = reader(committed).working_tree()
    assert changes.files == ()
    assert reasons(changes) == {"gone.py": "deleted", "m.py": "deleted"}
    assert reasons(reader(committed).staged()) == {"gone.py": "deleted"}


def test_change_that_only_deletes_lines_gives_no_file_change(committed: GitRepo) -> None:
    committed.write("m.py", "".join(NUMBERED.splitlines(keepends=True)[:4]))
    changes = reader(committed).working_tree()
    assert (changes.files, changes.skipped) == ((), ())


def test_deletions_next_to_additions_keep_their_hunks(committed: GitRepo) -> None:
    lines = NUMBERED.splitlines(keepends=True)
    committed.write("m.py", "".join([*lines[:2], *lines[4:8], "new\n", *lines[8:]]))
    change = only_file(reader(committed).working_tree())
    assert change.hunks == (Hunk(3, 2, 2, 0), Hunk(8, 0, 7, 1))
    assert change.added_lines == {7}


@pytest.mark.skipif(os.name == "nt", reason="no executable bit")
def test_mode_only_change_has_nothing_to_review(committed: GitRepo) -> None:
    (committed.path / "m.py").chmod(0o755)
    changes = reader(committed).working_tree()
    assert (changes.files, changes.skipped) == ((), ())
    committed.git("add", "m.py")
    changes = reader(committed).staged()
    assert (changes.files, changes.skipped) == ((), ())


@pytest.mark.skipif(os.name == "nt", reason="no executable bit")
def test_mode_change_with_an_edit_reviews_the_edit(committed: GitRepo) -> None:
    (committed.path / "m.py").chmod(0o755)
    committed.write("m.py", edit(NUMBERED, 2, "two\n"))
    assert only_file(reader(committed).working_tree()).added_lines == {2}


# -- binary files, submodules, symlinks -------------------------------------


def test_binary_files_are_skipped(committed: GitRepo) -> None:
    committed.write("img.bin", b"\x89PNG\0\0\0data")
    committed.commit("binary")
    committed.write("img.bin", b"\x89PNG\0\0\0other")
    committed.write("new.bin", b"\0\1\2")
    changes = reader(committed).working_tree()
    assert changes.files == ()
    assert reasons(changes) == {"img.bin": "binary", "new.bin": "binary"}
    committed.git("add", "--all")
    assert reasons(reader(committed).staged()) == {"img.bin": "binary", "new.bin": "binary"}


def test_gitattributes_binary_is_respected(committed: GitRepo) -> None:
    committed.write(".gitattributes", "*.dat binary\n")
    committed.write("table.dat", "a,b\n")
    committed.commit("attributes")
    committed.write("table.dat", "a,b\nc,d\n")
    assert reasons(reader(committed).working_tree()) == {"table.dat": "binary"}


@pytest.fixture
def library(tmp_path: Path) -> GitRepo:
    lib = make_repo(tmp_path / "library")
    lib.write("lib.py", "x = 1\n")
    lib.commit("library")
    return lib


def add_submodule(repo: GitRepo, source: GitRepo, where: str) -> None:
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(source.path), where)


def test_submodules_are_skipped(committed: GitRepo, library: GitRepo) -> None:
    add_submodule(committed, library, "vendor/lib")
    committed.write("m.py", edit(NUMBERED, 1, "one\n"))
    staged = reader(committed).staged()
    assert reasons(staged) == {"vendor/lib": "submodule"}
    assert sorted(by_path(staged)) == [".gitmodules"]
    work_tree = reader(committed).working_tree()
    assert reasons(work_tree) == {"vendor/lib": "submodule"}
    assert sorted(by_path(work_tree)) == [".gitmodules", "m.py"]
    committed.commit("add submodule")
    # A new commit checked out inside the submodule: still not reviewed as text.
    sub = GitRepo(committed.path / "vendor/lib")
    sub.write("lib.py", "x = 2\n")
    sub.commit("bump")
    assert reasons(reader(committed).working_tree()) == {"vendor/lib": "submodule"}
    committed.commit("bump submodule")
    assert reasons(reader(committed).between("HEAD~1")) == {"vendor/lib": "submodule"}


def test_untracked_nested_repository_is_skipped(committed: GitRepo) -> None:
    inner = make_repo(committed.path / "inner")
    inner.write("code.py", "x = 1\n")
    inner.commit("inner")
    changes = reader(committed).working_tree()
    assert changes.files == ()
    assert reasons(changes) == {"inner": "submodule"}


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_symlinks_are_skipped(committed: GitRepo) -> None:
    os.symlink("m.py", committed.path / "tracked_link")
    committed.git("add", "tracked_link")
    os.symlink("m.py", committed.path / "untracked_link")
    changes = reader(committed).working_tree()
    assert changes.files == ()
    assert reasons(changes) == {"tracked_link": "symlink", "untracked_link": "symlink"}
    assert reasons(reader(committed).staged()) == {"tracked_link": "symlink"}


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_type_changes_keep_every_file_paired_with_its_own_hunks(committed: GitRepo) -> None:
    # git prints a type change as two patches: files after it must not shift.
    os.symlink("m.py", committed.path / "a_link")
    committed.write("b_file.py", "b\n")
    committed.write("c.py", NUMBERED)
    committed.commit("more")
    (committed.path / "a_link").unlink()
    committed.write("a_link", "now a file\nwith two lines\n")
    (committed.path / "b_file.py").unlink()
    os.symlink("c.py", committed.path / "b_file.py")
    committed.write("c.py", edit(NUMBERED, 9, "nine\n"))
    changes = reader(committed).working_tree()
    files = by_path(changes)
    assert files["a_link"].added_lines == {1, 2}
    assert files["a_link"].old_text is None
    assert files["c.py"].added_lines == {9}
    assert reasons(changes) == {"b_file.py": "symlink"}
    committed.git("add", "--all")
    staged = reader(committed).staged()
    files = by_path(staged)
    assert files["a_link"].added_lines == {1, 2}
    assert files["c.py"].added_lines == {9}
    assert reasons(staged) == {"b_file.py": "symlink"}
    committed.commit("type changes")
    assert by_path(reader(committed).between("HEAD~1"))["c.py"].added_lines == {9}


# -- text encodings and line numbering --------------------------------------


def test_crlf_files_keep_line_numbers_and_usable_text(committed: GitRepo) -> None:
    crlf = "first\r\nsecond\r\nthird\r\nfourth\r\n"
    committed.write("w.py", crlf)
    committed.commit("crlf")
    committed.write("w.py", crlf.replace("third", "THIRD"))
    change = only_file(reader(committed).working_tree())
    assert change.added_lines == {3}
    assert "THIRD\r\n" in change.new_text  # the text is not rewritten
    assert split_lines(change.new_text)[2] == "THIRD"  # but lines carry no CR
    assert split_lines(change.old_text or "")[2] == "third"
    committed.git("add", "w.py")
    change = only_file(reader(committed).staged())
    assert change.added_lines == {3}
    assert split_lines(change.new_text)[2] == "THIRD"


def test_eol_conversion_keeps_line_numbers(committed: GitRepo) -> None:
    committed.write(".gitattributes", "*.txt text eol=crlf\n")
    committed.write("notes.txt", "a\nb\nc\n")
    committed.commit("eol")
    (committed.path / "notes.txt").unlink()
    committed.git("checkout", "--", "notes.txt")  # checked out with CRLF
    assert (committed.path / "notes.txt").read_bytes() == b"a\r\nb\r\nc\r\n"
    committed.write("notes.txt", "a\r\nB\r\nc\r\n")
    change = only_file(reader(committed).working_tree())
    assert (change.new_text, change.added_lines) == ("a\r\nB\r\nc\r\n", frozenset({2}))
    committed.git("add", "notes.txt")
    change = only_file(reader(committed).staged())  # the blob is stored with LF
    assert (change.new_text, change.added_lines) == ("a\nB\nc\n", frozenset({2}))


def test_form_feed_and_unicode_separators_do_not_split_lines(committed: GitRepo) -> None:
    text = "a = 1\f\nb = '\u2028'\nc = '\x85\u2029'\nd = 4\ne = 5\n"
    committed.write("odd.py", text)
    committed.commit("odd")
    committed.write("odd.py", text.replace("d = 4", "d = 40"))
    change = only_file(reader(committed).working_tree())
    assert change.added_lines == {4}
    assert split_lines(change.new_text)[3] == "d = 40"


def test_invalid_utf8_is_decoded_with_replacement_and_a_note(committed: GitRepo) -> None:
    committed.write("latin.py", b"name = 'caf\xe9'\n")
    committed.write("m.py", edit(NUMBERED, 2, "two \udcff\n").encode("utf-8", "surrogateescape"))
    changes = reader(committed).working_tree()
    files = by_path(changes)
    assert files["latin.py"].new_text == "name = 'caf\ufffd'\n"
    assert files["latin.py"].notes == (INVALID_UTF8,)
    assert files["m.py"].added_lines == {2}
    assert files["m.py"].notes == (INVALID_UTF8,)
    assert "two \ufffd" in files["m.py"].new_text
    committed.git("add", "--all")
    assert all(c.notes == (INVALID_UTF8,) for c in reader(committed).staged().files)


def test_utf8_byte_order_mark_is_dropped(committed: GitRepo) -> None:
    committed.write("bom.py", "\ufeffx = 1\ny = 2\n")
    change = only_file(reader(committed).working_tree())
    assert change.new_text == "x = 1\ny = 2\n"
    assert change.added_lines == {1, 2}


def test_empty_new_file_has_nothing_to_review(committed: GitRepo) -> None:
    committed.write("empty_untracked.py", "")
    committed.write("empty_staged.py", "")
    committed.git("add", "empty_staged.py")
    for changes in (reader(committed).working_tree(), reader(committed).staged()):
        assert (changes.files, changes.skipped) == ((), ())


def test_file_without_trailing_newline(committed: GitRepo) -> None:
    committed.write("m.py", NUMBERED + "eleven")
    committed.write("n.py", "only line")
    files = by_path(reader(committed).working_tree())
    assert files["m.py"].added_lines == {11}
    assert files["n.py"].added_lines == {1}
    committed.write("m.py", NUMBERED.rstrip("\n"))  # only the final newline removed
    assert only_file(reader(committed).working_tree(untracked=False)).added_lines == {10}


def test_names_with_spaces_unicode_and_control_characters(committed: GitRepo) -> None:
    names = ["with space.py", "ünïcödé/файл.py", "tab\there.py", 'quote"d.py', "back\\slash.py"]
    if os.name == "nt":
        names = names[:2]
    for name in names:
        committed.write(name, NUMBERED)
    committed.commit("names")
    for number, name in enumerate(names, start=1):
        committed.write(name, edit(NUMBERED, number, f"edited {number}\n"))
    committed.write("new ünï.py", "n\n")
    files = by_path(reader(committed).working_tree())
    assert sorted(files) == sorted([*names, "new ünï.py"])
    for number, name in enumerate(names, start=1):
        assert files[name].added_lines == {number}, name
    committed.git("add", "--all")
    files = by_path(reader(committed).staged())
    for number, name in enumerate(names, start=1):
        assert files[name].added_lines == {number}, name
    assert list(by_path(reader(committed).staged(["ünïcödé"]))) == ["ünïcödé/файл.py"]


# -- size limit -------------------------------------------------------------


def test_files_over_the_size_limit_are_skipped(committed: GitRepo) -> None:
    big = "x = 1\n" * 50  # 300 bytes
    committed.write("big.py", big)
    committed.commit("big")
    committed.write("big.py", big + "y = 2\n")
    committed.write("big_new.py", big)
    committed.write("small.py", "s = 1\n")
    limited = reader(committed, max_bytes=100)
    changes = limited.working_tree()
    assert list(by_path(changes)) == ["small.py"]
    assert reasons(changes) == {
        "big.py": "too large (306 bytes > 100)",
        "big_new.py": "too large (300 bytes > 100)",
    }
    committed.git("add", "--all")
    assert reasons(limited.staged()) == reasons(changes)
    committed.commit("grow")
    assert reasons(limited.between("HEAD~1")) == reasons(changes)
    assert len(reader(committed).between("HEAD~1").files) == 3  # the default limit is higher


# -- repository states ------------------------------------------------------


def test_first_commit_not_made_yet(repo: GitRepo) -> None:
    repo.write("a.py", "a\nb\n")
    repo.write("b.py", "c\n")
    repo.git("add", "a.py")
    repo.write("a.py", "a\nb\nc\n")
    changes = reader(repo).working_tree()
    assert changes.description == "work tree vs empty tree (no commits yet)"
    files = by_path(changes)
    assert files["a.py"].added_lines == {1, 2, 3}
    assert files["b.py"].added_lines == {1}
    assert files["a.py"].status is ChangeStatus.ADDED
    staged = reader(repo).staged()
    assert staged.description == "staged vs empty tree (no commits yet)"
    assert only_file(staged).new_text == "a\nb\n"
    assert reader(repo).working_tree(untracked=False).files[0].path == "a.py"


def test_empty_repository(repo: GitRepo) -> None:
    for changes in (reader(repo).working_tree(), reader(repo).staged()):
        assert (changes.files, changes.skipped, changes.notes) == ((), (), ())
    with pytest.raises(GitError, match="unknown revision 'HEAD'"):
        reader(repo).between("main")


def test_between_a_revision_and_itself_is_empty(committed: GitRepo) -> None:
    changes = reader(committed).between("HEAD", "main")
    assert (changes.files, changes.skipped, changes.notes) == ((), (), ())


def test_detached_head(forked: GitRepo) -> None:
    forked.git("checkout", "-q", "--detach", "HEAD~1")
    forked.write("m.py", edit(NUMBERED, 8, "eight\n"))
    assert only_file(reader(forked).working_tree()).added_lines == {8}
    forked.git("add", "m.py")
    assert only_file(reader(forked).staged()).added_lines == {8}
    forked.git("commit", "-q", "-m", "detached work")
    changes = reader(forked).between("main")
    assert by_path(changes)["m.py"].added_lines == {8}
    assert "feature.py" not in by_path(changes)


def test_merge_conflicts_are_skipped_not_reviewed(committed: GitRepo) -> None:
    committed.write("other.py", NUMBERED)
    committed.commit("other")
    committed.git("checkout", "-q", "-b", "side")
    committed.write("m.py", edit(NUMBERED, 2, "side\n"))
    committed.commit("side")
    committed.git("checkout", "-q", "main")
    committed.write("m.py", edit(NUMBERED, 2, "main\n"))
    committed.write("other.py", edit(NUMBERED, 2, "main edit\n"))  # side leaves it alone
    committed.commit("main")
    merge = subprocess.run(["git", "merge", "-q", "side"], cwd=committed.path, capture_output=True)
    assert merge.returncode != 0
    committed.write("z_after.py", edit(NUMBERED, 5, "five\n"))
    committed.git("add", "z_after.py")
    committed.write("other.py", edit(edit(NUMBERED, 2, "main edit\n"), 6, "unstaged\n"))
    changes = reader(committed).working_tree()
    assert reasons(changes) == {"m.py": UNMERGED}
    assert sorted(by_path(changes)) == ["other.py", "z_after.py"]
    assert by_path(changes)["other.py"].added_lines == {6}
    # Staged: git prints no patch for the unmerged path; later files keep theirs.
    staged = reader(committed).staged()
    assert reasons(staged) == {"m.py": UNMERGED}
    assert by_path(staged)["z_after.py"].added_lines == set(range(1, 11))
    # Resolved to a text equal to HEAD but not yet added: still unmerged.
    committed.write("m.py", edit(NUMBERED, 2, "main\n"))
    assert reasons(reader(committed).working_tree()) == {"m.py": UNMERGED}
    # tracked_files lists each unmerged path once.
    assert [c.path for c in reader(committed).tracked_files().files].count("m.py") == 1


# -- shallow clones -----------------------------------------------------------


def clone(source: GitRepo, target: Path, *options: str) -> GitRepo:
    subprocess.run(
        ["git", "clone", "-q", *options, f"file://{source.path}", str(target)],
        check=True,
        capture_output=True,
    )
    return GitRepo(target)


def test_shallow_clone_without_the_merge_base_falls_back_with_a_note(
    forked: GitRepo, tmp_path: Path
) -> None:
    shallow = clone(forked, tmp_path / "shallow", "--depth", "1", "--no-single-branch")
    changes = reader(shallow).between("origin/main", "origin/feature")
    assert len(changes.notes) == 1
    assert changes.notes[0].startswith("origin/main and origin/feature have no common ancestor")
    assert "shallow clone" in changes.notes[0]
    # Compared directly: feature's own line 5 is there (and so is main's line 1, reverted).
    assert 5 in by_path(changes)["m.py"].added_lines
    assert "feature.py" in by_path(changes)


def test_shallow_clone_missing_the_base_is_a_clear_git_error(
    forked: GitRepo, tmp_path: Path
) -> None:
    shallow = clone(forked, tmp_path / "shallow", "--depth", "1", "--branch", "feature")
    shallow_reader = reader(shallow)
    assert shallow_reader.working_tree().files == ()
    shallow.write("m.py", "rewritten\n")
    assert only_file(shallow_reader.working_tree()).added_lines == {1}
    with pytest.raises(GitError) as caught:
        shallow_reader.between("HEAD~1")
    assert str(caught.value) == (
        "unknown revision 'HEAD~1' (this is a shallow clone: fetch more history"
        " (git fetch --unshallow))"
    )


# -- errors -------------------------------------------------------------------


def test_not_a_git_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(GitError) as caught:
        open_repo(plain)
    assert str(caught.value) == f"not a git repository: {plain.resolve()}"
    with pytest.raises(GitError, match=r"^not a git repository: "):
        open_repo(tmp_path / "does-not-exist")


def test_open_repo_finds_the_root_from_a_subdirectory(nested: GitRepo) -> None:
    assert ChangeReader(open_repo(nested.path / "pkg" / "sub")).root == nested.path


def test_bare_repository_is_a_git_error(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / "bare.git")], check=True)
    with pytest.raises(GitError, match="bare repository"):
        ChangeReader(open_repo(tmp_path / "bare.git"))


def test_git_failures_become_one_line_git_errors(committed: GitRepo) -> None:
    (committed.path / ".git" / "index").write_bytes(b"not an index")
    with pytest.raises(GitError) as caught:
        reader(committed).working_tree()
    assert str(caught.value).startswith("git ")
    assert "\n" not in str(caught.value)


# -- user configuration must not change what is read --------------------------


def test_user_diff_configuration_is_overridden(committed: GitRepo, library: GitRepo) -> None:
    for key, value in {
        "diff.noprefix": "true",
        "diff.mnemonicPrefix": "true",
        "diff.interHunkContext": "10",
        "diff.context": "8",
        "diff.submodule": "log",
        "diff.renames": "copies",
        "diff.external": "false",
        "core.quotePath": "true",
        "color.ui": "always",
    }.items():
        committed.git("config", key, value)
    add_submodule(committed, library, "lib")
    committed.commit("submodule")
    committed.write("ünï.py", NUMBERED)
    committed.commit("unicode")
    GitRepo(committed.path / "lib").commit("bump")
    committed.write("m.py", edit(edit(NUMBERED, 2, "two\n"), 6, "six\n"))
    committed.write("ünï.py", edit(NUMBERED, 3, "three\n"))
    changes = reader(committed).working_tree()
    files = by_path(changes)
    assert files["m.py"].hunks == (Hunk(2, 1, 2, 1), Hunk(6, 1, 6, 1))
    assert files["ünï.py"].added_lines == {3}
    assert reasons(changes) == {"lib": "submodule"}


# -- tracked files (baseline) -------------------------------------------------


def test_tracked_files_lists_every_file_whole(committed: GitRepo, library: GitRepo) -> None:
    committed.write("pkg/a.py", "a\nb\n")
    committed.write("blob.bin", b"\0\1")
    committed.write("empty.py", "")
    add_submodule(committed, library, "lib")
    committed.commit("more")
    committed.write("untracked.py", "u\n")
    changes = reader(committed).tracked_files()
    files = by_path(changes)
    assert sorted(files) == [".gitmodules", "m.py", "pkg/a.py"]
    assert files["m.py"].added_lines == set(range(1, 11))
    assert reasons(changes) == {"blob.bin": "binary", "lib": "submodule"}
    assert list(by_path(reader(committed).tracked_files(["pkg"]))) == ["pkg/a.py"]


# -- performance: a constant number of git processes --------------------------


@pytest.fixture
def count_git_processes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[str]]]:
    started: list[list[str]] = []
    real: Callable[..., Any] = git.cmd.safer_popen

    def counting(command: list[str], *args: Any, **kwargs: Any) -> Any:
        started.append(list(command))
        return real(command, *args, **kwargs)

    monkeypatch.setattr(git.cmd, "safer_popen", counting)
    yield started


def test_many_changed_files_use_a_constant_number_of_git_processes(
    committed: GitRepo, count_git_processes: list[list[str]]
) -> None:
    for number in range(120):
        committed.write(f"f{number:03}.py", NUMBERED)
    committed.commit("many")
    for number in range(120):
        committed.write(f"f{number:03}.py", edit(NUMBERED, 1 + number % 10, "changed\n"))
        committed.write(f"new/u{number:03}.py", "u\n")
    review = reader(committed)
    count_git_processes.clear()
    changes = review.working_tree()
    assert len(changes.files) == 240
    # diff, ls-files -u, ls-files -o, cat-file --batch-check, cat-file --batch
    assert len(count_git_processes) <= 5, count_git_processes
    committed.git("add", "--all")
    count_git_processes.clear()
    assert len(review.staged().files) == 240
    # diff; the cat-file processes started above are reused
    assert len(count_git_processes) <= 3, count_git_processes

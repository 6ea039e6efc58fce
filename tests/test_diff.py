"""Table tests for the pure diff records and parsers (no git needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.diff import (
    ChangeSet,
    ChangeStatus,
    FileChange,
    Hunk,
    RawEntry,
    hunks_between,
    is_binary_patch,
    line_count,
    lines_in,
    parse_hunk_headers,
    parse_patch_with_raw,
    quote_path,
    split_lines,
    whole_file_hunk,
)

# -- parse_hunk_headers ---------------------------------------------------

MODIFY_ONE = """\
diff --git a/m.py b/m.py
index 1111111..2222222 100644
--- a/m.py
+++ b/m.py
@@ -2 +2 @@ def f():
-    return 1
+    return 2
"""

TWO_HUNKS = """\
diff --git a/m.py b/m.py
--- a/m.py
+++ b/m.py
@@ -1,2 +1,3 @@
-a
-b
+A
+B
+C
@@ -10,0 +12,2 @@ class K:
+x
+y
"""

PURE_DELETE = """\
diff --git a/m.py b/m.py
--- a/m.py
+++ b/m.py
@@ -4,2 +3,0 @@ def g():
-gone
-gone too
"""

NEW_FILE = """\
diff --git a/n.py b/n.py
new file mode 100644
--- /dev/null
+++ b/n.py
@@ -0,0 +1,3 @@
+1
+2
+3
"""

DELETED_FILE = """\
diff --git a/d.py b/d.py
deleted file mode 100644
--- a/d.py
+++ /dev/null
@@ -1,2 +0,0 @@
-1
-2
"""

# Content lines that look like headers must not count: they carry a +/- prefix.
LOOKALIKE_CONTENT = """\
diff --git a/p.diff b/p.diff
--- a/p.diff
+++ b/p.diff
@@ -1 +1 @@
-@@ -1 +1 @@
+@@ -7,3 +7,4 @@
"""

NO_NEWLINE = """\
diff --git a/m.py b/m.py
--- a/m.py
+++ b/m.py
@@ -3 +3 @@
-c
\\ No newline at end of file
+c
"""

BINARY = """\
diff --git a/i.png b/i.png
index 1111111..2222222 100644
Binary files a/i.png and b/i.png differ
"""

MODE_ONLY = """\
diff --git a/run.sh b/run.sh
old mode 100644
new mode 100755
"""


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        pytest.param(MODIFY_ONE, (Hunk(2, 1, 2, 1),), id="counts-omitted-mean-1"),
        pytest.param(TWO_HUNKS, (Hunk(1, 2, 1, 3), Hunk(10, 0, 12, 2)), id="two-hunks"),
        pytest.param(PURE_DELETE, (Hunk(4, 2, 3, 0),), id="pure-delete-zero-new-count"),
        pytest.param(NEW_FILE, (Hunk(0, 0, 1, 3),), id="new-file"),
        pytest.param(DELETED_FILE, (Hunk(1, 2, 0, 0),), id="deleted-file"),
        pytest.param(LOOKALIKE_CONTENT, (Hunk(1, 1, 1, 1),), id="header-lookalike-content"),
        pytest.param(NO_NEWLINE, (Hunk(3, 1, 3, 1),), id="no-newline-marker"),
        pytest.param(BINARY, (), id="binary"),
        pytest.param(MODE_ONLY, (), id="mode-only"),
        pytest.param("", (), id="empty"),
    ],
)
def test_parse_hunk_headers(patch: str, expected: tuple[Hunk, ...]) -> None:
    assert parse_hunk_headers(patch) == expected


@pytest.mark.parametrize(
    ("patch", "binary"),
    [(BINARY, True), ("diff --git a/x b/x\nGIT binary patch\nliteral 3\n", True)]
    + [(p, False) for p in (MODIFY_ONE, NEW_FILE, MODE_ONLY, "")]
    + [("diff --git a/x b/x\n@@ -1 +1 @@\n+Binary files a and b differ\n", False)],
)
def test_is_binary_patch(patch: str, binary: bool) -> None:
    assert is_binary_patch(patch) is binary


# -- split_lines / line_count ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", []),
        ("a", ["a"]),
        ("a\n", ["a"]),
        ("a\nb", ["a", "b"]),  # no trailing newline
        ("\n", [""]),
        ("a\n\n", ["a", ""]),
        ("a\r\nb\r\n", ["a", "b"]),  # CRLF: the CR is dropped
        ("a\r\nb", ["a", "b"]),
        ("a\rb\n", ["a\rb"]),  # a lone CR is not a line break for git
        ("a\fb\n", ["a\fb"]),  # form feed: str.splitlines would split here
        ("a\u2028b\u2029c\x85d\x1ce\n", ["a\u2028b\u2029c\x85d\x1ce"]),
        ("a\vb\n", ["a\vb"]),
    ],
)
def test_split_lines_follows_git(text: str, lines: list[str]) -> None:
    assert split_lines(text) == lines
    assert line_count(text) == len(lines)


# -- hunks_between ----------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(None, "a\nb\n", (Hunk(0, 0, 1, 2),), id="no-old-text"),
        pytest.param("", "a\n", (Hunk(0, 0, 1, 1),), id="from-empty"),
        pytest.param("a\nb\n", "a\nb\n", (), id="identical"),
        pytest.param("a\nb\nc\n", "a\nB\nc\n", (Hunk(2, 1, 2, 1),), id="replace-one"),
        pytest.param("a\nb\n", "x\na\nb\n", (Hunk(0, 0, 1, 1),), id="insert-at-top"),
        pytest.param("a\nb\n", "a\nx\nb\n", (Hunk(1, 0, 2, 1),), id="insert-middle"),
        pytest.param("a\nb\n", "a\nb\nc\n", (Hunk(2, 0, 3, 1),), id="append"),
        pytest.param("a\nb\nc\n", "a\nc\n", (Hunk(2, 1, 1, 0),), id="delete-middle"),
        pytest.param("a\nb\n", "b\n", (Hunk(1, 1, 0, 0),), id="delete-first"),
        pytest.param("a\nb\n", "", (Hunk(1, 2, 0, 0),), id="delete-all"),
        pytest.param(
            "1\n2\n3\n4\n5\n",
            "1\nX\n3\n4\nY\nZ\n",
            (Hunk(2, 1, 2, 1), Hunk(5, 1, 5, 2)),
            id="two-regions",
        ),
        pytest.param("a\r\nb\r\n", "a\r\nB\r\n", (Hunk(2, 1, 2, 1),), id="crlf"),
        pytest.param("a\fb\nc\n", "a\fb\nC\n", (Hunk(2, 1, 2, 1),), id="form-feed-is-not-a-break"),
    ],
)
def test_hunks_between(old: str | None, new: str, expected: tuple[Hunk, ...]) -> None:
    assert hunks_between(old, new) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", ()), ("a", (Hunk(0, 0, 1, 1),)), ("a\nb\n", (Hunk(0, 0, 1, 2),))],
)
def test_whole_file_hunk(text: str, expected: tuple[Hunk, ...]) -> None:
    assert whole_file_hunk(text) == expected


# -- added_lines / context_lines --------------------------------------------

TEN_LINES = "".join(f"line {n}\n" for n in range(1, 11))


def change(hunks: tuple[Hunk, ...], text: str = TEN_LINES) -> FileChange:
    return FileChange("m.py", ChangeStatus.MODIFIED, text, hunks)


@pytest.mark.parametrize(
    ("hunks", "added"),
    [
        ((), set()),
        ((Hunk(5, 1, 5, 1),), {5}),
        ((Hunk(5, 0, 6, 3),), {6, 7, 8}),
        ((Hunk(4, 2, 3, 0),), set()),  # a pure deletion adds nothing
        ((Hunk(1, 1, 1, 2), Hunk(8, 0, 9, 1)), {1, 2, 9}),
    ],
)
def test_added_lines(hunks: tuple[Hunk, ...], added: set[int]) -> None:
    assert change(hunks).added_lines == added
    assert lines_in(hunks) == added


@pytest.mark.parametrize(
    ("hunks", "context"),
    [
        pytest.param((Hunk(5, 1, 5, 1),), set(range(2, 9)), id="middle"),
        pytest.param((Hunk(5, 0, 5, 2),), set(range(2, 10)), id="insert-two"),
        pytest.param((Hunk(1, 1, 1, 1),), {1, 2, 3, 4}, id="clipped-at-top"),
        pytest.param((Hunk(10, 1, 10, 1),), {7, 8, 9, 10}, id="clipped-at-end"),
        pytest.param((Hunk(8, 0, 9, 2),), set(range(6, 11)), id="insert-at-end-clipped"),
        # Deleted after new line 4: git shows 3 lines either side, 2..4 and 5..7.
        pytest.param((Hunk(5, 2, 4, 0),), set(range(2, 8)), id="pure-deletion"),
        pytest.param((Hunk(1, 2, 0, 0),), {1, 2, 3}, id="deletion-at-top"),
        pytest.param(
            (Hunk(1, 1, 1, 1), Hunk(10, 1, 10, 1)), {1, 2, 3, 4, 7, 8, 9, 10}, id="two-hunks"
        ),
        pytest.param((), set(), id="no-hunks"),
    ],
)
def test_context_lines(hunks: tuple[Hunk, ...], context: set[int]) -> None:
    assert change(hunks).context_lines == context
    assert change(hunks).added_lines <= change(hunks).context_lines


def test_context_lines_count_lines_like_git() -> None:
    # A form feed inside line 2 must not shift the lines after it.
    text = "a\nb\fc\nd\ne\nf\ng\n"
    assert change((Hunk(6, 1, 6, 1),), text).context_lines == {3, 4, 5, 6}


def test_change_set_defaults() -> None:
    empty = ChangeSet(Path("/r"), "nothing")
    assert (empty.files, empty.skipped, empty.notes) == ((), (), ())


# -- git's --patch-with-raw -z output ---------------------------------------

SHA_A = "a" * 40
SHA_B = "b" * 40
ZERO = "0" * 40


def raw(modes: str, status: str, *paths: str, shas: tuple[str, str] = (SHA_A, SHA_B)) -> str:
    return f":{modes} {shas[0]} {shas[1]} {status}\0" + "".join(f"{p}\0" for p in paths)


@pytest.mark.parametrize(
    ("path", "quoted"),
    [
        ("a/plain.py", "a/plain.py"),
        ("a/with space.py", "a/with space.py"),
        ("a/ünïcödé.py", "a/ünïcödé.py"),  # core.quotePath=false
        ("a/tab\there", '"a/tab\\there"'),
        ("a/new\nline", '"a/new\\nline"'),
        ('a/say "hi"', '"a/say \\"hi\\""'),
        ("a/back\\slash", '"a/back\\\\slash"'),
        ("a/bell\x07\x01\x7f", '"a/bell\\a\\001\\177"'),
    ],
)
def test_quote_path_like_git(path: str, quoted: str) -> None:
    assert quote_path(path) == quoted


def test_pairs_patches_by_header_not_position() -> None:
    # An unmerged path has no patch; a type change has two (deletion, creation).
    output = (
        raw("100644 000000", "U", "conflict.py", shas=(SHA_A, ZERO))
        + raw("120000 100644", "T", "link")
        + raw("100644 100644", "R087", "old name.py", "new name.py")
        + raw("100644 100644", "M", "tab\there")
        + "\0"
        + "* Unmerged path conflict.py\n"
        + "diff --git a/link b/link\ndeleted file mode 120000\n@@ -1 +0,0 @@\n-target\n"
        + "diff --git a/link b/link\nnew file mode 100644\n@@ -0,0 +1,2 @@\n+1\n+2\n"
        + "diff --git a/old name.py b/new name.py\nsimilarity index 87%\n@@ -3 +3 @@\n-x\n+y\n"
        + 'diff --git "a/tab\\there" "b/tab\\there"\n@@ -1,0 +2 @@\n+z\n'
    )
    pairs = parse_patch_with_raw(output)
    assert [(e.status, e.old_path, e.path) for e, _ in pairs] == [
        ("U", "conflict.py", "conflict.py"),
        ("T", "link", "link"),
        ("R", "old name.py", "new name.py"),
        ("M", "tab\there", "tab\there"),
    ]
    hunks = [parse_hunk_headers(p) if p is not None else None for _, p in pairs]
    assert hunks == [None, (Hunk(0, 0, 1, 2),), (Hunk(3, 1, 3, 1),), (Hunk(1, 0, 2, 1),)]
    assert pairs[1][0].type_changed and not pairs[2][0].type_changed


def test_raw_paths_may_start_with_a_colon_and_patch_may_hold_nul() -> None:
    output = (
        raw("100644 100644", "M", ":odd") + "\0diff --git a/:odd b/:odd\n@@ -1 +1 @@\n-a\n+b\0c\n"
    )
    [(entry, patch)] = parse_patch_with_raw(output)
    assert entry.path == ":odd"
    assert patch is not None and "b\0c" in patch


def test_empty_diff_output() -> None:
    assert parse_patch_with_raw("") == []


@pytest.mark.parametrize(
    ("old_mode", "new_mode", "changed"),
    [
        ("100644", "100755", False),
        ("100644", "120000", True),
        ("160000", "100644", True),
        ("000000", "100644", False),
        ("100644", "000000", False),
    ],
)
def test_type_changed(old_mode: str, new_mode: str, changed: bool) -> None:
    entry = RawEntry("T" if changed else "M", old_mode, new_mode, SHA_A, SHA_B, "p", "p")
    assert entry.type_changed is changed

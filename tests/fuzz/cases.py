"""Generated repositories for the robustness properties (tests/fuzz) and the
fuzz benchmark (bench/fuzz.py): a base tree and an edited tree, drawn from
one `random.Random` (hypothesis hands one in, the benchmark seeds its own).

Contents start from the structural checks' own positive and negative
examples (tests/checks), so there are findings to place, and are then
spoiled: random bytes, invalid UTF-8, NUL, CR/CRLF/mixed endings, no final
newline, long lines, deep nesting, unknown extensions, binary files. Edits
modify, delete, rename, change modes and swap files for symlinks."""

from __future__ import annotations

import functools
import importlib
import os
import random
import subprocess
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.languages import registry

LANGUAGE_TESTS = ("python", "javascript", "typescript", "go", "rust", "java", "c", "cpp", "ruby")
UNKNOWN_EXTENSIONS = (".txt", ".md", ".xyz", "", ".PY", ".json", ".sh")
NAMES = ("main", "util", "a b", "ünï", "x-1", "module", "index", "lib", ".hidden", "q")
DIRS = ("", "src/", "pkg/sub/", "deep/a/b/c/d/", "dir with space/", "ñ/")

# Git without the user's or the machine's config, fixed dates: stable SHAs.
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "fuzz",
    "GIT_AUTHOR_EMAIL": "fuzz@example.invalid",
    "GIT_COMMITTER_NAME": "fuzz",
    "GIT_COMMITTER_EMAIL": "fuzz@example.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00+00:00",
}


@dataclass(frozen=True)
class Entry:
    data: bytes  # the content, or a symlink's target
    executable: bool = False
    symlink: bool = False


Tree = dict[str, Entry]


@dataclass
class Case:
    """A repository to build: `base` committed, then `head` as the change,
    reviewed as `mode` ("worktree", "staged" or "commits")."""

    base: Tree
    head: Tree
    mode: str
    kinds: list[str] = field(default_factory=list)  # what the generator did
    # Defects planted in the change, unspoiled: (path, rule id, line). A review
    # that does not report each one is wrong (an engine that returned no
    # findings at all would otherwise keep every other property).
    planted: list[tuple[str, str, int]] = field(default_factory=list)

    def changed_paths(self) -> int:
        paths = set(self.base) | set(self.head)
        return sum(1 for p in paths if self.base.get(p) != self.head.get(p))


@functools.cache
def corpus() -> dict[str, tuple[str, ...]]:
    """extension -> example sources from the check tables of each language."""
    sources: dict[str, tuple[str, ...]] = {}
    specs = registry()
    for language in LANGUAGE_TESTS:
        module = importlib.import_module(f"tests.checks.test_{language}")
        texts = [textwrap.dedent(row[1]) for row in getattr(module, "POSITIVE", [])]
        texts += [textwrap.dedent(row[1]) for row in getattr(module, "NEGATIVE", [])]
        names = [language, "tsx"] if language == "typescript" else [language]
        for name in names:
            for extension in specs[name].extensions:
                sources[extension] = tuple(texts)
    return sources


@functools.cache
def positives() -> tuple[tuple[str, str, str, int], ...]:
    """(path, rule, source, line) of every example the check tables say must
    fire, at the path those tables review it under."""
    rows = []
    for language in LANGUAGE_TESTS:
        module = importlib.import_module(f"tests.checks.test_{language}")
        path = getattr(module, "PATH", None) or module.PATHS[0]
        for row in module.POSITIVE:
            rows.append((path, row[0], textwrap.dedent(row[1]), row[2]))
    return tuple(rows)


def plant(r: random.Random, head: Tree, planted: list[tuple[str, str, int]]) -> None:
    """Add one check-table defect as a new file of the change (a folder the
    generator never uses, so nothing else lands on it)."""
    path, rule, source, line = r.choice(positives())
    target = f"planted/{path}"
    head[target] = Entry(source.encode())
    planted.append((target, rule, line))


def supported_extensions() -> tuple[str, ...]:
    return tuple(sorted(corpus()))


# -- contents ------------------------------------------------------------------


def _nesting(r: random.Random, extension: str, depth: int) -> str:
    if extension in (".py", ".pyi", ".pyw"):
        return (
            "".join("    " * i + f"if x{i}:\n" for i in range(depth))
            + "    " * depth
            + "x == None\n"
        )
    if extension == ".rb":
        return "x = " + "[" * depth + "nil" + "]" * depth + "\n"
    return (
        "int f() { return " + "(" * depth + "1" + ")" * depth + "; }\n" + "{" * depth + "}" * depth
    )


def _spoil(r: random.Random, text: bytes, extension: str, kinds: list[str], big: bool) -> bytes:
    """Apply zero or more of the odd things real files hold."""
    for _ in range(r.choice((0, 0, 1, 1, 2, 3))):
        kind = r.choice(
            (
                "crlf",
                "cr",
                "mixed",
                "no-newline",
                "invalid-utf8",
                "nul",
                "random-bytes",
                "long-line",
                "nesting",
                "bom",
                "surrogates",
                "tabs",
                "empty",
            )
        )
        kinds.append(kind)
        if kind == "crlf":
            text = text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        elif kind == "cr":
            text = text.replace(b"\n", b"\r")
        elif kind == "mixed":
            lines = text.split(b"\n")
            text = b"".join(line + r.choice((b"\n", b"\r\n", b"\r")) for line in lines)
        elif kind == "no-newline":
            text = text.rstrip(b"\r\n")
        elif kind == "invalid-utf8":
            at = r.randrange(len(text) + 1)
            text = (
                text[:at] + r.choice((b"\xff", b"\xc3(", b"\xed\xa0\x80", b"\xf0\x9f")) + text[at:]
            )
        elif kind == "nul":
            at = r.randrange(len(text) + 1)
            text = text[:at] + b"\0" + text[at:]
        elif kind == "random-bytes":
            at = r.randrange(len(text) + 1)
            text = text[:at] + r.randbytes(r.randrange(1, 64)) + text[at:]
        elif kind == "long-line":
            size = r.choice((2_000, 20_000, 1_000_001 if big else 60_000))
            line = ("x = " + "a" * size + " == None\n").encode()
            text = text + line
        elif kind == "nesting":
            text = text + _nesting(r, extension, r.choice((50, 200, 800 if big else 300))).encode()
        elif kind == "bom":
            text = b"\xef\xbb\xbf" + text
        elif kind == "surrogates":
            text = text + "s = '😀 \u2028 é'\n".encode()
        elif kind == "tabs":
            text = text.replace(b"    ", b"\t")
        elif kind == "empty":
            text = b""
    return text


def content(r: random.Random, extension: str, kinds: list[str], big: bool = False) -> bytes:
    examples = corpus().get(extension) or corpus()[".py"]
    parts = [r.choice(examples) for _ in range(r.choice((1, 1, 2, 3)))]
    text = "\n".join(parts).encode()
    if r.random() < 0.08:
        kinds.append("binary")
        return b"\x89PNG\r\n\x1a\n\0\0" + r.randbytes(r.randrange(16, 4096))
    return _spoil(r, text, extension, kinds, big)


def edit(r: random.Random, before: bytes, extension: str, kinds: list[str], big: bool) -> bytes:
    """A change to a file: lines replaced, inserted or deleted, maybe spoiled."""
    lines = before.split(b"\n")
    for _ in range(r.randrange(1, 4)):
        action = r.choice(("insert", "replace", "delete", "append"))
        snippet = content(r, extension, [], big=False).split(b"\n")
        at = r.randrange(len(lines) + 1)
        if action == "insert":
            lines[at:at] = snippet[: r.randrange(1, 8)]
        elif action == "replace":
            lines[at : at + r.randrange(1, 6)] = snippet[: r.randrange(1, 8)]
        elif action == "delete" and len(lines) > 1:
            del lines[at : at + r.randrange(1, 4)]
        else:
            lines += snippet
    kinds.append("edit")
    return _spoil(r, b"\n".join(lines), extension, kinds, big)


# -- trees -----------------------------------------------------------------------


def _path(r: random.Random, taken: set[str]) -> str:
    while True:
        extension = r.choice((*supported_extensions(), *UNKNOWN_EXTENSIONS))
        path = f"{r.choice(DIRS)}{r.choice(NAMES)}{r.randrange(100)}{extension}"
        # A path can not be a file and a directory at once.
        if path not in taken and not any(t.startswith(path + "/") for t in taken):
            return path


def _extension(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[-1] if "." in name.lstrip(".") else ""


def generate(r: random.Random, *, files: int = 4, big: bool = False) -> Case:
    kinds: list[str] = []
    base: Tree = {}
    for _ in range(r.randrange(1, files + 1)):
        path = _path(r, set(base))
        base[path] = Entry(content(r, _extension(path), kinds, big), executable=r.random() < 0.1)
    head = dict(base)
    for path in list(base):
        roll = r.random()
        if roll < 0.45:
            head[path] = Entry(edit(r, base[path].data, _extension(path), kinds, big))
        elif roll < 0.55:
            kinds.append("delete")
            del head[path]
        elif roll < 0.68:
            kinds.append("rename")
            entry = head.pop(path)
            target = _path(r, set(head))
            if r.random() < 0.5:
                entry = Entry(edit(r, entry.data, _extension(target), kinds, big))
            head[target] = entry
        elif roll < 0.75:
            kinds.append("mode")
            head[path] = Entry(base[path].data, executable=not base[path].executable)
        elif roll < 0.8:
            kinds.append("symlink")
            head[path] = Entry(r.choice(list(base)).encode(), symlink=True)
    for _ in range(r.choice((0, 1, 1, 2))):
        kinds.append("add")
        path = _path(r, set(head))
        head[path] = Entry(content(r, _extension(path), kinds, big))
    if r.random() < 0.1:
        kinds.append("symlink-add")
        path = _path(r, set(head))
        head[path] = Entry(b"../outside/of/the/repo", symlink=True)
    mode = r.choice(("worktree", "worktree", "staged", "commits"))
    planted: list[tuple[str, str, int]] = []
    plant(r, head, planted)  # drawn last: a seed's other files stay as they were
    return Case(base, head, mode, kinds, planted)


# -- building ----------------------------------------------------------------------


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "core.quotepath=false", *args],
        cwd=root,
        env={**os.environ, **GIT_ENV},
        check=True,
        capture_output=True,
    )
    return done.stdout.decode("utf-8", "replace")


def _write(root: Path, tree: Tree) -> None:
    for path, entry in tree.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if entry.symlink:
            target.symlink_to(entry.data.decode())
        else:
            target.write_bytes(entry.data)
            target.chmod(0o755 if entry.executable else 0o644)


def _clear(root: Path) -> None:
    for child in root.iterdir():
        if child.name == ".git":
            continue
        if child.is_dir() and not child.is_symlink():
            _clear(child)
            child.rmdir()
        else:
            child.unlink()


def build(case: Case, root: Path) -> None:
    """A real repository at `root` holding the case, ready to review."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    _write(root, case.base)
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "base")
    _clear(root)
    _write(root, case.head)
    if case.mode in ("staged", "commits"):
        git(root, "add", "-A")
    if case.mode == "commits":
        git(root, "commit", "-q", "--allow-empty", "-m", "head")


def review_argv(case: Case) -> list[str]:
    """How `reviewer diff` is asked to review the case."""
    if case.mode == "staged":
        return ["--staged"]
    if case.mode == "commits":
        return ["--base", "HEAD~1"]
    return []


def added_lines_by_git(case: Case, root: Path) -> dict[str, set[int]]:
    """The oracle: lines git itself calls added, per path (no rename
    detection, so a renamed file counts whole: a superset of the review's)."""
    if case.mode == "worktree":
        git(root, "add", "-A")  # after the review: untracked files enter the diff
    span = ["HEAD~1", "HEAD"] if case.mode == "commits" else ["--cached", "HEAD"]
    output = git(root, "diff", "--no-renames", "--no-color", "--no-ext-diff", "-U0", *span)
    added: dict[str, set[int]] = {}
    path = None
    for line in output.split("\n"):
        if line.startswith("+++ "):
            name = line[4:].rstrip("\t")
            path = name[2:] if name.startswith("b/") else None
            if path is not None:
                added.setdefault(path, set())
        elif line.startswith("@@ ") and path is not None:
            new = line.split(" ")[2]  # +start[,count]
            start, _, count = new[1:].partition(",")
            first, number = int(start), int(count) if count else 1
            added[path].update(range(first, first + number))
    return added

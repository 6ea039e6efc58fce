"""One change as the JIT data holds it: its per-file diffs, metadata,
process features and labels (which added lines a later fix repaired)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from reviewer.git import History

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
LINE_CAP = 400  # characters kept of one diff line


class FileDiff(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    added: list[tuple[int, str]]  # (new line number, text)
    removed: list[tuple[int, str]]  # (old line number, text)
    buggy: list[int] = []  # added lines a later fix repaired (new numbering)


class JitRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    repo: str
    license: str
    sha: str
    parent: str | None
    author: str  # hashed e-mail: enough to tell authors apart
    time: int
    date: str
    message: str
    label: Literal["buggy", "clean"]
    fixes: list[str]  # the fix commits that blamed this change
    features: dict[str, float]
    files: list[FileDiff]


def read_diff(history: History, parent: str | None, sha: str, paths: list[str]) -> list[FileDiff]:
    """The change's -U0 diff of `paths`, as added and removed lines."""
    patch = history.run("diff", "-U0", "--no-renames", "--no-color", parent or EMPTY_TREE, sha,
                        "--", *paths)  # fmt: skip
    return list(parse_patch(patch))


def parse_patch(patch: str) -> Iterator[FileDiff]:
    path: str | None = None
    added: list[tuple[int, str]] = []
    removed: list[tuple[int, str]] = []
    old = new = 0
    header = False  # between `diff --git` and the first `@@`: file names, not lines
    for line in patch.split("\n"):
        if line.startswith("diff --git "):
            if path is not None:
                yield FileDiff(path=path, added=added, removed=removed)
            path, added, removed, header = None, [], [], True
        elif header and (line.startswith("+++ ") or line.startswith("--- ")):
            name = line[4:]
            if name != "/dev/null":
                path = name[2:]
        elif line.startswith("@@"):
            header = False
            starts = line.split("@@")[1].split()
            old = int(starts[0][1:].split(",")[0])
            new = int(starts[1][1:].split(",")[0])
        elif header:
            continue
        elif line.startswith("+") and path is not None:
            added.append((new, clean(line[1:][:LINE_CAP])))
            new += 1
        elif line.startswith("-") and path is not None:
            removed.append((old, clean(line[1:][:LINE_CAP])))
            old += 1
    if path is not None:
        yield FileDiff(path=path, added=added, removed=removed)


def clean(text: str) -> str:
    """Text that JSON can hold: git output that was not UTF-8 reaches us
    with lone surrogates (surrogateescape); they become U+FFFD."""
    try:
        raw = text.encode("utf-8", "surrogateescape")  # the bytes git gave
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "replace")


def write_records(records: Iterable[JitRecord], path: Path) -> int:
    """Written whole to a temporary name, then renamed: a rerun after an
    interruption finds either the finished file or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    count = 0
    with partial.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(record.model_dump_json() + "\n")
            count += 1
    partial.replace(path)
    return count


def read_records(path: Path) -> Iterator[JitRecord]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield JitRecord.model_validate(json.loads(line))

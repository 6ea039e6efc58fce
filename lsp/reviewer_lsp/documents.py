"""Open documents: their text, kept in step with incremental edits, and
their tree-sitter tree, edited in place so each re-parse is incremental."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import tree_sitter
from lsprotocol import types

from reviewer.diff import ChangeSet, ChangeStatus, FileChange, hunks_between
from reviewer.git import head_version
from reviewer.syntax import ParsedFile, parse_file


@dataclass
class Document:
    uri: str
    file: Path
    root: Path  # the repository root, or the file's folder outside git
    path: str  # relative to root, posix: what findings and config globs use
    text: str
    version: int
    head_text: str | None  # None: untracked or outside git, every line changed
    parsed: ParsedFile | None = None

    @classmethod
    def open(cls, uri: str, file: Path, text: str, version: int) -> Document:
        head = head_version(file)
        if head is None:
            return cls(uri, file, file.parent, file.name, text, version, None)
        return cls(uri, file, head.root, head.path, text, version, head.text)

    def refresh_head(self) -> None:
        """After a save or a commit, HEAD may have moved."""
        head = head_version(self.file)
        if head is not None:
            self.head_text = head.text

    def apply(self, change: types.TextDocumentContentChangeEvent, version: int) -> None:
        self.version = version
        if isinstance(change, types.TextDocumentContentChangeWholeDocument) or not hasattr(
            change, "range"
        ):
            self.text = change.text
            self.parsed = None  # a new document: parse from scratch
            return
        start = _offset(self.text, change.range.start)
        end = _offset(self.text, change.range.end)
        old_source = self.text.encode("utf-8")
        start_byte = len(self.text[:start].encode("utf-8"))
        old_end_byte = len(self.text[:end].encode("utf-8"))
        new_text = self.text[:start] + change.text + self.text[end:]
        new_end_byte = start_byte + len(change.text.encode("utf-8"))
        if self.parsed is not None and self.parsed.tree is not None:
            self.parsed.tree.edit(
                start_byte=start_byte,
                old_end_byte=old_end_byte,
                new_end_byte=new_end_byte,
                start_point=_point(old_source, start_byte),
                old_end_point=_point(old_source, old_end_byte),
                new_end_point=_point(new_text.encode("utf-8"), new_end_byte),
            )
        self.text = new_text

    def parse(self) -> ParsedFile:
        """Parse the current text, reusing the edited tree when there is one."""
        old_tree = self.parsed.tree if self.parsed is not None else None
        self.parsed = parse_file(self.path, self.text, old_tree)
        return self.parsed

    def change_set(self) -> ChangeSet:
        status = ChangeStatus.ADDED if self.head_text is None else ChangeStatus.MODIFIED
        change = FileChange(
            self.path,
            status,
            self.text,
            hunks_between(self.head_text, self.text),
            old_text=self.head_text,
        )
        return ChangeSet(self.root, f"{self.path} (editor buffer vs HEAD)", (change,))


def _offset(text: str, position: types.Position) -> int:
    """A string index from an LSP position (line, UTF-16 code units)."""
    line_start = 0
    for _ in range(position.line):
        found = text.find("\n", line_start)
        if found < 0:
            return len(text)
        line_start = found + 1
    line_end = text.find("\n", line_start)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    units = 0
    for index, char in enumerate(line):
        if units >= position.character:
            return line_start + index
        units += 2 if ord(char) > 0xFFFF else 1
    return line_start + len(line)


def _point(source: bytes, byte: int) -> tree_sitter.Point:
    row = source.count(b"\n", 0, byte)
    column = byte - (source.rfind(b"\n", 0, byte) + 1)
    return tree_sitter.Point(row, column)

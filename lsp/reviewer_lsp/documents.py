"""Open documents: the one copy of each buffer's text, kept in step with
edits, its tree-sitter tree, edited in place so each re-parse is
incremental, and its line map against HEAD, re-diffed only around each edit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import tree_sitter
from lsprotocol import types

from reviewer.diff import ChangeSet, ChangeStatus, FileChange, hunks_from_spans, whole_file_hunk
from reviewer.git import head_version
from reviewer.linediff import LineMap
from reviewer.syntax import ParsedFile, parse_file
from reviewer_lsp.text import UTF16, TextBuffer


@dataclass
class Document:
    uri: str
    file: Path
    root: Path  # the repository root, or the file's folder outside git
    path: str  # relative to root, posix: what findings and config globs use
    buffer: TextBuffer
    version: int
    head_text: str | None  # None: untracked or outside git, every line changed
    line_map: LineMap | None  # the buffer's lines against HEAD's
    parsed: ParsedFile | None = None

    @classmethod
    def open(cls, uri: str, file: Path, text: str, version: int, encoding: str = UTF16) -> Document:
        buffer = TextBuffer(text, encoding)
        head = head_version(file)
        if head is None:
            return cls(uri, file, file.parent, file.name, buffer, version, None, None)
        line_map = None if head.text is None else LineMap(head.text.split("\n"), buffer.lines)
        return cls(uri, file, head.root, head.path, buffer, version, head.text, line_map)

    @property
    def text(self) -> str:
        return self.buffer.text

    def refresh_head(self) -> None:
        """After a save or a commit, HEAD may have moved."""
        head = head_version(self.file)
        if head is None or head.text == self.head_text:
            return
        self.head_text = head.text
        if head.text is None:
            self.line_map = None
        elif self.line_map is None:
            self.line_map = LineMap(head.text.split("\n"), self.buffer.lines)
        else:
            self.line_map.reset(head.text.split("\n"))

    def apply(self, change: types.TextDocumentContentChangeEvent, version: int) -> None:
        self.version = version
        if isinstance(change, types.TextDocumentContentChangePartial):
            edits = [self.buffer.replace(change.range.start, change.range.end, change.text)]
        else:  # a whole-document change is edits too: the unchanged lines stay
            edits = self.buffer.replace_all(change.text)
        for edit in edits:
            if edit.start_byte == edit.old_end_byte == edit.new_end_byte:
                # Nothing changed. Handed to tree-sitter, such an empty edit
                # made the next parse return a tree without its text, whose
                # query text predicates then all passed: findings from
                # nowhere (the LSP fuzzer found it).
                continue
            if self.parsed is not None and self.parsed.tree is not None:
                self.parsed.tree.edit(
                    start_byte=edit.start_byte,
                    old_end_byte=edit.old_end_byte,
                    new_end_byte=edit.new_end_byte,
                    start_point=tree_sitter.Point(*edit.start_point),
                    old_end_point=tree_sitter.Point(*edit.old_end_point),
                    new_end_point=tree_sitter.Point(*edit.new_end_point),
                )
            if self.line_map is not None:
                self.line_map.replace(edit.first, edit.last, edit.lines)

    def parse(self) -> ParsedFile:
        """Parse the current text, reusing the edited tree when there is one."""
        if self.parsed is not None and self.parsed.text is self.buffer.text:
            return self.parsed  # nothing changed since the last parse
        old_tree = self.parsed.tree if self.parsed is not None else None
        parsed = parse_file(self.path, self.buffer.text, old_tree)
        if parsed.tree is not None and parsed.tree.root_node.has_changes:
            # tree-sitter gave the edited old tree back, without its text.
            parsed = parse_file(self.path, self.buffer.text)
        # The buffer keeps every line's byte offset up to date edit by edit:
        # the parse need not find them again (a cached property, seeded).
        parsed.__dict__["line_starts"] = self.buffer.byte_starts()
        self.parsed = parsed
        return parsed

    def change_set(self) -> ChangeSet:
        text = self.buffer.text
        if self.line_map is None:
            change = FileChange(self.path, ChangeStatus.ADDED, text, whole_file_hunk(text))
        else:
            change = FileChange(
                self.path,
                ChangeStatus.MODIFIED,
                text,
                hunks_from_spans(self.line_map.spans),
                old_text=self.head_text,
            )
        return ChangeSet(self.root, f"{self.path} (editor buffer vs HEAD)", (change,))

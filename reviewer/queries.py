"""A language's query text (checks.scm, scopes.scm): what it inherits from its
parent language, then its own file, compiled for its grammar.

A language that inherits (`inherits` in grammars/languages.toml) takes its
parent's patterns with the parent's id prefix turned into its own, so a fix
to a JavaScript check reaches TypeScript. Where the grammars name a node
differently, the parent's file marks the line for one side:

    (field_definition ; not typescript
    (public_field_definition ; only typescript

`; only X` keeps the line for X and the languages inheriting from X; `; not X`
drops it for them. A dropped line is left blank, so the line numbers in a
compile error still point into the file it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import tree_sitter

from reviewer.errors import ReviewerError
from reviewer.languages import LanguageSpec

_MARKER = re.compile(r";\s*(only|not)\s+([a-z][a-z0-9_]*)\s*$")
_ID = re.compile(r'(\(#set!\s+id\s+")([a-z0-9]+-)')


# Every compiled query lives as long as the process: py-tree-sitter 0.26.1 can
# crash when a query with text predicates and #set! directives is freed (even
# one dropped because its checks turned out invalid).
_COMPILED: list[tree_sitter.Query] = []


class QueryCompileError(ReviewerError):
    """A query that does not compile for the grammar that loads it (most often
    an inherited pattern naming a node the inheriting grammar lacks)."""


@dataclass(frozen=True)
class Part:
    path: Path  # the .scm file this part of the text comes from
    first_row: int  # its first line's 0-based row in the whole text


@dataclass(frozen=True)
class QueryText:
    text: str
    parts: tuple[Part, ...]

    def part(self, row: int) -> Part:
        """The part holding a 0-based row of the whole text."""
        return max((p for p in self.parts if p.first_row <= row), key=lambda p: p.first_row)

    def where(self, row: int) -> str:
        """`file line N` for a 0-based row of the whole text."""
        part = self.part(row)
        return f"{part.path} line {row - part.first_row + 1}"


def lineage(spec: LanguageSpec) -> tuple[str, ...]:
    """The language and the ones it inherits from, nearest first."""
    names: list[str] = []
    current: LanguageSpec | None = spec
    while current is not None:
        names.append(current.name)
        current = current.parent
    return tuple(names)


def query_text(spec: LanguageSpec, name: str) -> QueryText:
    """`name` (checks.scm or scopes.scm) as `spec` sees it: the inherited
    files first (the farthest ancestor's first), then its own."""
    sources = _sources(spec, name)
    keep_for = set(lineage(spec))
    chunks: list[str] = []
    parts: list[Part] = []
    row = 0
    for source, prefix in sources:
        text = source.read_text(encoding="utf-8")
        lines = [_filtered(line, keep_for) for line in text.splitlines()]
        body = "\n".join(lines)
        if prefix and spec.id_prefix and prefix != spec.id_prefix:
            body = _renamed(body, prefix, spec.id_prefix)
        parts.append(Part(source, row))
        chunks.append(body)
        row += len(lines) + 1
    return QueryText("\n\n".join(chunks) if chunks else "", tuple(parts))


def compile_query(spec: LanguageSpec, name: str) -> tuple[tree_sitter.Query, QueryText] | None:
    """The compiled query, or None when the language has no such patterns.
    A pattern the grammar rejects is reported with its file and line."""
    source = query_text(spec, name)
    if not source.text.strip():
        return None
    try:
        query = tree_sitter.Query(spec.language, source.text)
    except tree_sitter.QueryError as error:
        raise QueryCompileError(_describe(spec, source, error)) from None
    _COMPILED.append(query)
    return query, source


def _sources(spec: LanguageSpec, name: str) -> list[tuple[Path, str]]:
    """(file, the id prefix its checks are written with), farthest first."""
    inherited = (
        _sources(spec.parent, name) if spec.parent is not None and name in spec.inherits else []
    )
    own = spec.query_dir / name
    return [*inherited, (own, spec.id_prefix)] if own.is_file() else inherited


def _filtered(line: str, keep_for: set[str]) -> str:
    marker = _MARKER.search(line)
    if marker is None:
        return line
    wanted = marker.group(2) in keep_for
    return line if wanted == (marker.group(1) == "only") else ""


def _renamed(body: str, old: str, new: str) -> str:
    """`body` with the check ids that start with `old` starting with `new`."""

    def rename(match: re.Match[str]) -> str:
        prefix = match.group(2)
        return match.group(1) + (new if prefix == old else prefix)

    return _ID.sub(rename, body)


def _describe(spec: LanguageSpec, source: QueryText, error: tree_sitter.QueryError) -> str:
    """`FILE line L column C (inherited by X): what tree-sitter said`."""
    message = str(error).splitlines()[0]
    found = re.match(r"(.*?) at row (\d+), column (\d+)(.*)", message)
    if found is None:
        return f"{spec.name} {source.parts[-1].path.name}: {message}"
    part = source.part(int(found.group(2)))
    line = int(found.group(2)) - part.first_row + 1
    own = part.path.parent == spec.query_dir
    whose = f"{spec.name}'s own" if own else f"inherited by {spec.name}"
    return (
        f"{part.path} line {line} column {int(found.group(3)) + 1} ({whose}): "
        f"{found.group(1)}{found.group(4)} (the {spec.name} grammar rejects it)"
    )

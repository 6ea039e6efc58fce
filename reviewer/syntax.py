"""tree-sitter parsing, and the cut of a changed file into ReviewUnits.

A ReviewUnit is the smallest enclosing scope (function, method, class) of a
group of changed lines; changed lines outside any scope form module chunks.
Files no grammar covers still get line-level chunks so later tiers can look.
"""

from __future__ import annotations

import bisect
import functools
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import tree_sitter

from reviewer.diff import split_lines
from reviewer.languages import LanguageSpec, language_for_path
from reviewer.queries import compile_query

# A scope longer than this is too big to hand to a reviewer as one piece;
# its changed lines are chunked as if they were module level.
MAX_UNIT_LINES = 200
# Past this many line spans, one query cursor over their whole range beats
# one cursor per span.
MANY_SPANS = 16
# Changed lines closer than this stay in one chunk.
CHUNK_GAP = 6


@dataclass(frozen=True)
class ParsedFile:
    path: str
    text: str
    source: bytes
    spec: LanguageSpec | None
    tree: tree_sitter.Tree | None

    @functools.cached_property
    def lines(self) -> list[str]:
        return split_lines(self.text)

    @functools.cached_property
    def line_starts(self) -> list[int]:
        """Byte offset where each line starts (index 0 is line 1)."""
        starts = [0]
        offset = self.source.find(b"\n")
        while offset >= 0:
            starts.append(offset + 1)
            offset = self.source.find(b"\n", offset + 1)
        return starts

    def line_bytes(self, line: int) -> bytes:
        starts = self.line_starts
        if not 1 <= line <= len(starts):
            return b""
        end = starts[line] if line < len(starts) else len(self.source)
        return self.source[starts[line - 1] : end]

    @property
    def language(self) -> str | None:
        return self.spec.name if self.spec else None


@dataclass(frozen=True)
class Scope:
    kind: str  # "function" or "class"
    name: str  # qualified, e.g. "Parser.parse"
    start_line: int
    end_line: int


@dataclass(frozen=True)
class ReviewUnit:
    """One piece of changed code, as a reviewer (structural or model) sees it."""

    path: str
    language: str | None
    kind: str  # "function", "class", "module" or "lines"
    symbol: str | None
    start_line: int
    end_line: int
    text: str  # lines start_line..end_line of the new text
    changed_lines: frozenset[int]  # absolute line numbers, all inside the unit


# find_scopes, or a stand-in with its contract.
ScopeFinder = Callable[["ParsedFile", "Sequence[tuple[int, int]] | None"], "list[Scope]"]

_THREAD = threading.local()


def _parser(spec: LanguageSpec) -> tree_sitter.Parser:
    """One parser per language and thread: a Parser holds parse state, and
    the language server parses on its main thread and its model worker at
    once (sharing one crashed the process)."""
    parsers: dict[str, tree_sitter.Parser] = _THREAD.__dict__.setdefault("parsers", {})
    if spec.name not in parsers:
        parsers[spec.name] = tree_sitter.Parser(spec.language)
    return parsers[spec.name]


@functools.cache
def _scope_query(spec: LanguageSpec) -> tree_sitter.Query | None:
    compiled = compile_query(spec, "scopes.scm")
    return compiled[0] if compiled else None


def parse_file(path: str, text: str, old_tree: tree_sitter.Tree | None = None) -> ParsedFile:
    """Parse `text` with the grammar its path calls for (no tree if none).

    `old_tree`, already edited to match `text`, makes the parse incremental.
    """
    spec = language_for_path(path)
    source = text.encode("utf-8", errors="surrogatepass")
    tree = None
    if spec is not None:
        parser = _parser(spec)
        tree = parser.parse(source, old_tree) if old_tree else parser.parse(source)
    return ParsedFile(path=path, text=text, source=source, spec=spec, tree=tree)


def find_scopes(parsed: ParsedFile, spans: Sequence[tuple[int, int]] | None = None) -> list[Scope]:
    """The function/method/class scopes of the file, with qualified names:
    all of them, or those that overlap the given line spans (with every
    scope enclosing them, so names still qualify)."""
    if parsed.spec is None or parsed.tree is None:
        return []
    query = _scope_query(parsed.spec)
    if query is None:
        return []
    raw: list[tuple[tree_sitter.Node, str, str]] = []
    seen: set[int] = set()
    for _, captures in matches_in(query, parsed.tree, spans):
        for capture, nodes in captures.items():
            if not capture.startswith("scope."):
                continue
            names = captures.get("name", [])
            name = _text(names[0]) if names else "<anonymous>"
            # An @owner capture qualifies a name declared outside its type
            # (Go's `func (s *Server) Handle()` is `Server.Handle`).
            owners = captures.get("owner", [])
            if owners:
                name = f"{_text(owners[0])}.{name}"
            for node in nodes:
                if node.id not in seen:  # a scope overlapping two spans comes twice
                    seen.add(node.id)
                    raw.append((node, capture.removeprefix("scope."), name))
    by_node = {node.id: name for node, _, name in raw}
    scopes = []
    for node, kind, name in raw:
        outer = _enclosing_names(node, by_node)
        span = _with_decorations(node)
        scopes.append(
            Scope(
                kind=kind,
                name=".".join([*outer, name]),
                start_line=span.start_point.row + 1,
                end_line=node.end_point.row + 1,
            )
        )
    return scopes


def line_spans(lines: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted lines as (first, last) runs of consecutive numbers."""
    spans: list[tuple[int, int]] = []
    for n in sorted(set(lines)):
        if spans and spans[-1][1] + 1 >= n:
            spans[-1] = (spans[-1][0], max(spans[-1][1], n))
        else:
            spans.append((n, n))
    return spans


def _top_level_spans(parsed: ParsedFile, lines: Sequence[int]) -> list[tuple[int, int]] | None:
    """The lines of the top-level statements holding `lines`: a scope found
    through a narrower range would miss one whose decorator line changed
    (the decorator lies outside the function node the query matches)."""
    if parsed.tree is None:
        return None
    root = parsed.tree.root_node
    covered: set[int] = set()
    for first, last in line_spans(lines):
        node = root.named_descendant_for_point_range((first - 1, 0), (last - 1, 0))
        while node is not None and node.parent is not None and node.parent != root:
            node = node.parent
        if node is None or node == root:
            return None  # the whole file, then
        covered.update(range(node.start_point.row + 1, node.end_point.row + 2))
    return line_spans(covered)


def matches_in(
    query: tree_sitter.Query, tree: tree_sitter.Tree, spans: Sequence[tuple[int, int]] | None
) -> Iterator[tuple[int, dict[str, list[tree_sitter.Node]]]]:
    """The query's matches over the whole tree, or over the matches that
    overlap the line spans (each match once): an editor's edit touches a few
    lines of a long file, and the query then visits only those."""
    if spans is None:
        yield from tree_sitter.QueryCursor(query).matches(tree.root_node)
        return
    if len(spans) > MANY_SPANS:
        yield from _matches_over(query, tree, spans)
        return
    seen: set[tuple[int, ...]] = set()
    for first, last in spans:
        cursor = tree_sitter.QueryCursor(query)
        cursor.set_point_range((first - 1, 0), (last, 0))
        for index, captures in cursor.matches(tree.root_node):
            key = (index, *sorted(node.id for nodes in captures.values() for node in nodes))
            if key not in seen:
                seen.add(key)
                yield index, captures


def _matches_over(
    query: tree_sitter.Query, tree: tree_sitter.Tree, spans: Sequence[tuple[int, int]]
) -> Iterator[tuple[int, dict[str, list[tree_sitter.Node]]]]:
    """The matches overlapping many spans, from one cursor over the range
    that covers them all (one cursor per span costs more past a few dozen)."""
    firsts = [first for first, _ in spans]
    cursor = tree_sitter.QueryCursor(query)
    cursor.set_point_range((spans[0][0] - 1, 0), (spans[-1][1], 0))
    for index, captures in cursor.matches(tree.root_node):
        nodes = [node for found in captures.values() for node in found]
        top = min(node.start_point.row for node in nodes) + 1
        bottom = max(node.end_point.row for node in nodes) + 1
        # the last span starting at or before the match's end must reach its start
        at = bisect.bisect_right(firsts, bottom) - 1
        if at >= 0 and spans[at][1] >= top:
            yield index, captures


def review_units(
    parsed: ParsedFile, changed_lines: Iterable[int], scope_finder: ScopeFinder | None = None
) -> list[ReviewUnit]:
    """Group `changed_lines` by their smallest enclosing scope.

    `scope_finder` stands in for `find_scopes` (the language server's
    remembers the scopes of top-level statements it has seen)."""
    # Blank lines carry nothing to review; alone they would make empty units.
    text_lines = parsed.lines
    lines = sorted(
        {n for n in changed_lines if 1 <= n <= len(text_lines) and text_lines[n - 1].strip()}
    )
    scopes = [
        s
        for s in (scope_finder or find_scopes)(parsed, _top_level_spans(parsed, lines))
        if s.end_line - s.start_line < MAX_UNIT_LINES
    ]
    # Larger scopes first, so that an inner scope overwrites its outer one.
    owner: dict[int, Scope] = {}
    for scope in sorted(scopes, key=_span, reverse=True):
        first = bisect.bisect_left(lines, scope.start_line)
        last = bisect.bisect_right(lines, scope.end_line)
        for n in lines[first:last]:
            owner[n] = scope
    grouped: dict[Scope, list[int]] = defaultdict(list)
    loose: list[int] = []
    for n in lines:
        if n in owner:
            grouped[owner[n]].append(n)
        else:
            loose.append(n)
    units = [
        _unit(parsed, s.kind, s.name, s.start_line, s.end_line, ls) for s, ls in grouped.items()
    ]
    loose_kind = "module" if parsed.tree is not None else "lines"
    for chunk in _chunks(loose):
        units.append(_unit(parsed, loose_kind, None, chunk[0], chunk[-1], chunk))
    return sorted(units, key=lambda u: (u.start_line, u.end_line))


def _unit(
    parsed: ParsedFile, kind: str, symbol: str | None, start: int, end: int, changed: list[int]
) -> ReviewUnit:
    return ReviewUnit(
        path=parsed.path,
        language=parsed.language,
        kind=kind,
        symbol=symbol,
        start_line=start,
        end_line=end,
        text="\n".join(parsed.lines[start - 1 : end]),
        changed_lines=frozenset(changed),
    )


def _chunks(lines: list[int]) -> list[list[int]]:
    chunks: list[list[int]] = []
    for n in lines:
        if chunks and n - chunks[-1][-1] <= CHUNK_GAP and n - chunks[-1][0] < MAX_UNIT_LINES:
            chunks[-1].append(n)
        else:
            chunks.append([n])
    return chunks


def _span(scope: Scope) -> int:
    return scope.end_line - scope.start_line


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")


def _enclosing_names(node: tree_sitter.Node, names: dict[int, str]) -> list[str]:
    outer = []
    parent = node.parent
    while parent is not None:
        if parent.id in names:
            outer.append(names[parent.id])
        parent = parent.parent
    return outer[::-1]


def _with_decorations(node: tree_sitter.Node) -> tree_sitter.Node:
    """Decorators and attributes belong to the scope they decorate."""
    parent = node.parent
    if parent is not None and parent.type == "decorated_definition":
        return parent
    return node

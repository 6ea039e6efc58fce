"""Structural findings remembered per review unit, so an edit re-checks only
the units whose text it changed: on a branch with hundreds of changed
functions a keystroke then costs the same as on a branch with one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import tree_sitter

from reviewer.checks import run_checks
from reviewer.findings import Finding
from reviewer.syntax import ParsedFile, ReviewUnit, Scope, find_scopes

# Units remembered at most (a few hundred bytes each); past it, start over.
CACHE_LIMIT = 20_000
# Only whole scopes are remembered: a module chunk's findings can hang on
# statements that reach beyond its lines.
CACHED_KINDS = frozenset({"function", "class"})

Key = tuple[str, str | None, str, str, str, bool]
# Lines above a unit that its checks can read although they are not its text:
# Rust's `#[test]` and TypeScript's decorators are the scope's siblings.
ATTRIBUTE_STARTS = ("#[", "#![", "@")


class CachedUnitChecks:
    """The producer `StructuralChecks(units_only=True)` is, with each unit's
    findings kept under its path, language (its check set: compiled once per
    process), kind, text, and whether it sits in a parse error (such matches
    are dropped). A unit whose findings reach outside its lines is not kept."""

    def __init__(self) -> None:
        self.entries: dict[Key, tuple[int, tuple[Finding, ...]]] = {}
        self.hits = self.misses = 0

    def review_file(self, parsed: ParsedFile, units: Sequence[ReviewUnit]) -> list[Finding]:
        if parsed.spec is None or parsed.tree is None:
            return []
        broken = parsed.tree.root_node.has_error
        found: dict[tuple[int, int, int, int, str], Finding] = {}
        for unit in units:
            if unit.kind not in CACHED_KINDS:
                findings: Sequence[Finding] = run_checks(parsed, [(unit.start_line, unit.end_line)])
            else:
                key = (
                    parsed.path,
                    parsed.language,
                    unit.kind,
                    _attributes_above(parsed, unit),
                    unit.text,
                    broken and _in_parse_error(parsed.tree, unit),
                )
                findings = self._lookup(key, unit, parsed)
            for finding in findings:  # a match spanning two units comes twice
                found.setdefault(
                    (
                        finding.line,
                        finding.end_line,
                        finding.column,
                        finding.end_column,
                        finding.rule_id,
                    ),
                    finding,
                )
        return list(found.values())

    def notes(self) -> list[str]:
        return []

    def _lookup(self, key: Key, unit: ReviewUnit, parsed: ParsedFile) -> Sequence[Finding]:
        known = self.entries.get(key)
        if known is not None:
            self.hits += 1
            start, findings = known
            if start == unit.start_line:
                return findings
            shift = unit.start_line - start
            return [replace(f, line=f.line + shift, end_line=f.end_line + shift) for f in findings]
        self.misses += 1
        fresh = run_checks(parsed, [(unit.start_line, unit.end_line)])
        if all(unit.start_line <= f.line and f.end_line <= unit.end_line for f in fresh):
            if len(self.entries) >= CACHE_LIMIT:
                self.entries.clear()
            self.entries[key] = (unit.start_line, tuple(fresh))
        return fresh


class CachedScopes:
    """`find_scopes` for the top-level statements' spans `review_units` asks
    about, remembered by the statements' text: a scope's kind and qualified
    name depend only on the top-level statement that holds it."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str | None, bytes], tuple[tuple[str, str, int, int], ...]] = {}

    def __call__(self, parsed: ParsedFile, spans: Sequence[tuple[int, int]] | None) -> list[Scope]:
        if spans is None or parsed.tree is None or parsed.tree.root_node.has_error:
            return find_scopes(parsed, spans)
        starts, source = parsed.line_starts, parsed.source
        scopes: list[Scope] = []
        for first, last in spans:
            end = starts[last] if last < len(starts) else len(source)
            key = (parsed.language, source[starts[first - 1] : end])
            known = self.entries.get(key)
            if known is None:
                # A scope only partly in the span belongs to a statement no
                # changed line is in (the span holds every such one whole).
                known = tuple(
                    (s.kind, s.name, s.start_line - first, s.end_line - first)
                    for s in find_scopes(parsed, [(first, last)])
                    if first <= s.start_line and s.end_line <= last
                )
                if len(self.entries) >= CACHE_LIMIT:
                    self.entries.clear()
                self.entries[key] = known
            scopes.extend(
                Scope(kind, name, start + first, end_line + first)
                for kind, name, start, end_line in known
            )
        return scopes


def _attributes_above(parsed: ParsedFile, unit: ReviewUnit) -> str:
    """The attribute or decorator lines right above the unit: a check such as
    rust-unwrap-in-result-fn spares a `#[test]` function, so the same
    function text with another line above it must be checked again."""
    lines, row = parsed.lines, unit.start_line - 2
    first = row + 1
    while row >= 0 and lines[row].lstrip().startswith(ATTRIBUTE_STARTS):
        first, row = row, row - 1
    return "\n".join(lines[first : unit.start_line - 1])


def _in_parse_error(tree: tree_sitter.Tree, unit: ReviewUnit) -> bool:
    node: tree_sitter.Node | None = tree.root_node.named_descendant_for_point_range(
        (unit.start_line - 1, 0), (unit.end_line - 1, 0)
    )
    while node is not None:
        if node.is_error or node.is_missing:
            return True
        node = node.parent
    return False

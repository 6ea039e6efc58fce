"""Query predicates beyond tree-sitter's built-in text ones (#eq?, #match?,
#any-of? and their negations), for context a pattern cannot express:

    (#not-inside? @cap "type" ...)      no ancestor of @cap has one of the types
    (#inside? @cap "type" ...)          some ancestor has one of the types
    (#not-inside-match? @cap "type" "regex")
                                        no ancestor of that type whose own text
                                        (or the attribute/decorator lines just
                                        before it) matches the regex
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter

Captures = dict[str, list[tree_sitter.Node]]
PredicateArgs = list[tuple[str, str]]


def evaluate(name: str, args: PredicateArgs, pattern_index: int, captures: Captures) -> bool:
    """The `predicate` callback of QueryCursor.matches."""
    if name == "not-inside?":
        return not any(_has_ancestor(node, _strings(args)) for node in _captured(args, captures))
    if name == "inside?":
        return all(_has_ancestor(node, _strings(args)) for node in _captured(args, captures))
    if name == "not-inside-match?":
        node_type, pattern = _strings(args)
        regex = re.compile(pattern)
        return not any(
            _ancestor_matches(node, node_type, regex) for node in _captured(args, captures)
        )
    raise ValueError(f"unknown query predicate #{name}")


def _captured(args: PredicateArgs, captures: Captures) -> list[tree_sitter.Node]:
    names = [value for value, kind in args if kind == "capture"]
    return [node for name in names for node in captures.get(name, [])]


def _strings(args: PredicateArgs) -> list[str]:
    return [value for value, kind in args if kind == "string"]


def _ancestors(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _has_ancestor(node: tree_sitter.Node, types: list[str]) -> bool:
    return any(parent.type in types for parent in _ancestors(node))


def _ancestor_matches(node: tree_sitter.Node, node_type: str, regex: re.Pattern[str]) -> bool:
    for parent in _ancestors(node):
        if parent.type != node_type:
            continue
        if regex.search(_header(parent)):
            return True
    return False


def _header(node: tree_sitter.Node) -> str:
    """A node's first line plus the attribute/decorator/annotation siblings
    right before it (where `#[test]`, `@Test` or `#[cfg(test)]` live)."""
    parts = []
    sibling = node.prev_named_sibling
    while sibling is not None and sibling.type in {"attribute_item", "decorator", "annotation"}:
        parts.append(_decode(sibling))
        sibling = sibling.prev_named_sibling
    parts.append(_decode(node).split("\n", 1)[0])
    return "\n".join(parts)


def _decode(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")

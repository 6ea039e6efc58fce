"""Query predicates beyond tree-sitter's built-in text ones (#eq?, #match?,
#any-of? and their negations), for context a pattern cannot express:

    (#not-inside? @cap "type" ...)      no ancestor of @cap has one of the types
    (#inside? @cap "type" ...)          some ancestor has one of the types
    (#not-inside-match? @cap "type" "regex")
                                        no ancestor of that type whose own text
                                        (or the attribute/decorator lines just
                                        before it) matches the regex
    (#inside-match? @cap "type" "regex")
                                        the nearest ancestor of that type has a
                                        signature matching the regex: the
                                        attribute/annotation lines before it and
                                        its text up to its `body` (so a Rust
                                        return type on a later line counts)
    (#nearest-inside? @cap "type" "stop-type" ...)
                                        walking up from @cap, an ancestor of
                                        "type" comes before any of the stop
                                        types (a `return` in a `finally`, not in
                                        a function nested in it)
    (#nearest-match? @cap "regex" "type" ...)
                                        the nearest ancestor of one of the
                                        types has a signature (as for
                                        #inside-match?) matching the regex
                                        (the nearest enclosing function of
                                        any kind is `async`)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter

Captures = dict[str, list[tree_sitter.Node]]
PredicateArgs = list[tuple[str, str]]
CUSTOM = (
    "not-inside?",
    "inside?",
    "not-inside-match?",
    "inside-match?",
    "nearest-inside?",
    "nearest-match?",
)
_PREDICATE_START = re.compile(rb"\(#(" + b"|".join(re.escape(n.encode()) for n in CUSTOM) + rb")\s")
_TOKEN = re.compile(rb'\s*(?:@([\w.\-]+)|"((?:[^"\\]|\\.)*)"|(\)))')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}


def custom_predicates(pattern_source: bytes) -> tuple[tuple[str, PredicateArgs], ...]:
    """The custom predicates written in one pattern's source text, with their
    arguments as tree-sitter would pass them: (value, "capture"|"string").

    They are evaluated after matching, in Python, rather than through
    QueryCursor.matches' `predicate` callback: py-tree-sitter 0.26.1 leaks a
    few hundred bytes per callback call, which a language server re-running
    the checks on every keystroke turned into hundreds of megabytes."""
    found = []
    for start in _PREDICATE_START.finditer(pattern_source):
        args: PredicateArgs = []
        position = start.end()
        while (token := _TOKEN.match(pattern_source, position)) is not None:
            position = token.end()
            capture, string, close = token.groups()
            if close is not None:
                break
            if capture is not None:
                args.append((capture.decode(), "capture"))
            else:
                args.append((_unescape(string.decode("utf-8")), "string"))
        found.append((start.group(1).decode(), args))
    return tuple(found)


def satisfied(
    predicates: tuple[tuple[str, PredicateArgs], ...], pattern_index: int, captures: Captures
) -> bool:
    return all(evaluate(name, args, pattern_index, captures) for name, args in predicates)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


def evaluate(name: str, args: PredicateArgs, pattern_index: int, captures: Captures) -> bool:
    """One custom predicate over one match's captures."""
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
    if name == "inside-match?":
        node_type, pattern = _strings(args)
        regex = re.compile(pattern)
        return all(
            _nearest_signature_matches(node, node_type, regex) for node in _captured(args, captures)
        )
    if name == "nearest-inside?":
        wanted, *stops = _strings(args)
        return all(
            (parent := _nearest_of(node, [wanted, *stops])) is not None and parent.type == wanted
            for node in _captured(args, captures)
        )
    if name == "nearest-match?":
        pattern, *types = _strings(args)
        regex = re.compile(pattern)
        return all(
            (parent := _nearest_of(node, types)) is not None
            and regex.search(_signature(parent)) is not None
            for node in _captured(args, captures)
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


def _nearest_of(node: tree_sitter.Node, types: list[str]) -> tree_sitter.Node | None:
    """The nearest ancestor whose type is one of `types`."""
    return next((parent for parent in _ancestors(node) if parent.type in types), None)


def _has_ancestor(node: tree_sitter.Node, types: list[str]) -> bool:
    return any(parent.type in types for parent in _ancestors(node))


def _ancestor_matches(node: tree_sitter.Node, node_type: str, regex: re.Pattern[str]) -> bool:
    for parent in _ancestors(node):
        if parent.type != node_type:
            continue
        if regex.search(_header(parent)):
            return True
    return False


def _nearest_signature_matches(
    node: tree_sitter.Node, node_type: str, regex: re.Pattern[str]
) -> bool:
    for parent in _ancestors(node):
        if parent.type == node_type:
            return regex.search(_signature(parent)) is not None
    return False


def _header(node: tree_sitter.Node) -> str:
    """A node's first line plus the attribute/decorator/annotation siblings
    right before it (where `#[test]`, `@Test` or `#[cfg(test)]` live)."""
    return "\n".join([*_attributes(node), _decode(node).split("\n", 1)[0]])


def _signature(node: tree_sitter.Node) -> str:
    """A node's attribute lines and its text up to its `body` field (its
    first line when it has no body)."""
    body = node.child_by_field_name("body")
    if body is None:
        head = _decode(node).split("\n", 1)[0]
    else:
        source = node.text or b""
        head = source[: body.start_byte - node.start_byte].decode("utf-8", errors="replace")
    return "\n".join([*_attributes(node), head])


def _attributes(node: tree_sitter.Node) -> list[str]:
    """The attribute/decorator/annotation siblings right before a node."""
    parts = []
    sibling = node.prev_named_sibling
    while sibling is not None and sibling.type in {"attribute_item", "decorator", "annotation"}:
        parts.append(_decode(sibling))
        sibling = sibling.prev_named_sibling
    return parts


def _decode(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")

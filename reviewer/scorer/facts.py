"""Syntax facts per line, read off the tree-sitter tree: which kinds of
node start on the line (a condition, a return, a call, ...) and how deeply
it is nested. Node type names differ between grammars, so kinds are matched
by the words the grammars share ("if", "call", "return", ...)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from reviewer.syntax import ParsedFile

# (feature name, words any of which in a node type marks the line)
KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("condition", ("if", "conditional", "ternary", "elif", "else", "switch", "match", "case")),
    ("return", ("return", "yield", "throw", "raise")),
    ("call", ("call", "invocation")),
    ("assignment", ("assignment", "declarator", "let_declaration", "short_var", "augmented")),
    ("comparison", ("comparison", "binary_expression", "binary_operator")),
    ("boolean", ("boolean_operator", "not_operator", "unary")),
    ("loop", ("for", "while", "loop", "range")),
    ("exception", ("try", "except", "catch", "finally", "defer", "with")),
    ("index", ("subscript", "index", "slice")),
    ("member", ("attribute", "member", "field_expression", "selector")),
    ("literal", ("string", "integer", "float", "number", "true", "false")),
    ("nothing", ("none", "null", "nil", "undefined")),
    ("definition", ("function_definition", "method", "lambda", "arrow_function", "closure")),
)
NAMES = (*tuple(f"syntax_{name}" for name, _ in KINDS), "syntax_depth", "syntax_indent")


def _kinds_of(node_type: str) -> list[int]:
    return [i for i, (_, words) in enumerate(KINDS) if any(w in node_type for w in words)]


def line_facts(parsed: ParsedFile, lines: Sequence[int]) -> npt.NDArray[np.float32]:
    """A row of NAMES per requested (1-based) line. Kinds are 0/1; depth is
    the nesting of the line's outermost node relative to the shallowest
    requested line; indent is the leading whitespace in columns (tab = 4)."""
    rows = np.zeros((len(lines), len(NAMES)), np.float32)
    wanted = {line - 1: i for i, line in enumerate(lines)}
    depth: dict[int, int] = {}
    if parsed.tree is not None and wanted:
        low, high = min(wanted), max(wanted)
        stack = [(parsed.tree.root_node, 0)]
        while stack:
            node, level = stack.pop()
            if node.end_point.row < low or node.start_point.row > high:
                continue
            row = node.start_point.row
            if node.is_named and row in wanted:
                for kind in _kinds_of(node.type):
                    rows[wanted[row], kind] = 1.0
                depth[row] = min(depth.get(row, level), level)
            stack.extend((child, level + 1) for child in node.children)
    shallowest = min(depth.values(), default=0)
    for row, i in wanted.items():
        rows[i, -2] = depth.get(row, shallowest) - shallowest
        text = parsed.lines[row] if row < len(parsed.lines) else ""
        stripped = text.lstrip(" \t")
        indent = text[: len(text) - len(stripped)]
        rows[i, -1] = indent.count(" ") + 4 * indent.count("\t")
    return rows

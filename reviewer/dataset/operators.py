"""Bug operators on tree-sitter nodes (DeepBugs-style): each finds the places
in a unit where it could inject a realistic defect, as byte edits.

Python is covered by every operator; JavaScript/TypeScript and Go by those
whose node types carry over (comparison, boolean operator, negation, await,
arguments, off-by-one, wrong return, swallowed error, removed nil check)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import tree_sitter

COMPARISON_SWAPS = {
    "<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "==",
    "===": "!==", "!==": "===",
}  # fmt: skip
BOOLEAN_SWAPS = {"and": "or", "or": "and", "&&": "||", "||": "&&"}
BINARY_TYPES = {"comparison_operator", "binary_expression", "boolean_operator"}
CALL_ARGS = {"argument_list", "arguments"}
NULLS = {"None", "null", "undefined", "nil"}


@dataclass(frozen=True)
class Site:
    """One possible mutation: replace bytes start..end with `replacement`."""

    operator: str
    start: int
    end: int
    replacement: bytes
    category: str
    message: str
    deletes_lines: bool = False  # the edit removes whole lines (a missing check)


Finder = Callable[[tree_sitter.Node, bytes], Iterator[Site]]


def text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")


def walk(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    yield node
    for child in node.children:
        yield from walk(child)


def _operator_token(node: tree_sitter.Node, table: dict[str, str]) -> tree_sitter.Node | None:
    tokens = [c for c in node.children if not c.is_named and c.type in table]
    return tokens[0] if len(tokens) == 1 else None


def swapped_comparison(root: tree_sitter.Node, source: bytes) -> Iterator[Site]:
    for node in walk(root):
        if node.type in BINARY_TYPES and (token := _operator_token(node, COMPARISON_SWAPS)):
            new = COMPARISON_SWAPS[token.type]
            why = (
                "the boundary case goes the wrong way"
                if "<" in new or ">" in new
                else ("the test is inverted")
            )
            yield Site(
                "swapped-comparison", token.start_byte, token.end_byte, new.encode(), "bug",
                f"The comparison uses `{new}` where `{token.type}` is needed: {why}.",
            )  # fmt: skip


def wrong_boolean(root: tree_sitter.Node, source: bytes) -> Iterator[Site]:
    for node in walk(root):
        if node.type in BINARY_TYPES and (token := _operator_token(node, BOOLEAN_SWAPS)):
            new = BOOLEAN_SWAPS[token.type]
            yield Site(
                "wrong-boolean-operator", token.start_byte, token.end_byte, new.encode(), "bug",
                f"`{new}` should be `{token.type}`: the condition accepts cases it must reject.",
            )  # fmt: skip


def dropped_negation(root: tree_sitter.Node, source: bytes) -> Iterator[Site]:
    for node in walk(root):
        operand = None
        if node.type == "not_operator":
            operand = node.child_by_field_name("argument")
        elif node.type == "unary_expression" and node.children and node.children[0].type == "!":
            operand = node.child_by_field_name("argument") or node.child_by_field_name("operand")
        if operand is not None:
            yield Site(
                "dropped-negation", node.start_byte, node.end_byte, operand.text or b"", "bug",
                f"The condition lost its negation: it should test `{text(node)}`.",
            )  # fmt: skip


def missing_await(root: tree_sitter.Node, source: bytes) -> Iterator[Site]:
    for node in walk(root):
        if node.type in ("await", "await_expression") and node.named_child_count == 1:
            inner = node.named_children[0]
            yield Site(
                "missing-await", node.start_byte, node.end_byte, inner.text or b"",
                "concurrency",
                f"`{text(inner)}` is not awaited: the coroutine's result is never used.",
            )  # fmt: skip


def swapped_arguments(root: tree_sitter.Node, source: bytes) -> Iterator[Site]:
    for node in walk(root):
        if node.type not in CALL_ARGS:
            continue
        args = node.named_children
        if len(args) < 2 or any(a.type not in ("identifier", "attribute") for a in args[:2]):
            continue
        first, second = args[0], args[1]
        if first.text == second.text:
            continue
        swapped = (
            (second.text or b"") + source[first.end_byte : second.start_byte] + (first.text or b"")
        )
        yield Site(
            "swapped-arguments", first.start_byte, second.end_byte, swapped, "bug",
            f"The arguments `{text(second)}` and `{text(first)}` are passed in the wrong order.",
        )  # fmt: skip


def off_by_one(root: tree_sitter.Node, source: bytes) -> Iterator[Site]:
    """Integer literals in an index, a slice or range()'s arguments, +/- 1."""
    for node in walk(root):
        if node.type not in ("integer", "number", "int_literal") or not text(node).isdigit():
            continue
        parent = node.parent
        if parent is None or parent.type not in (
            "subscript", "slice", "subscript_expression", "index_expression",
            "slice_expression", "argument_list",
        ):  # fmt: skip
            continue
        if parent.type == "argument_list":
            call = parent.parent
            callee = call.child_by_field_name("function") if call else None
            if callee is None or text(callee) != "range":
                continue
        value = int(text(node))
        new = value + 1 if value == 0 else value - 1
        yield Site(
            "off-by-one", node.start_byte, node.end_byte, str(new).encode(), "bug",
            f"Off by one: `{new}` should be `{value}` here.",
        )  # fmt: skip


def _local_names(root: tree_sitter.Node) -> list[str]:
    """Names bound in the unit: parameters and assignment targets."""
    names: list[str] = []
    for node in walk(root):
        target = None
        if node.type in ("assignment", "short_var_declaration", "variable_declarator"):
            target = node.child_by_field_name("left") or node.child_by_field_name("name")
        elif node.type in ("parameters", "formal_parameters", "parameter_list"):
            for param in node.named_children:
                ident = param if param.type == "identifier" else param.child_by_field_name("name")
                if ident is not None and ident.type == "identifier" and text(ident) not in names:
                    names.append(text(ident))
        if target is not None and target.type == "identifier" and text(target) not in names:
            names.append(text(target))
    return [n for n in names if n not in ("self", "cls", "this", "_")]


def wrong_variable(root: tree_sitter.Node, source: bytes) -> Iterator[Site]:
    """An argument that names a local replaced by another local."""
    names = _local_names(root)
    for node in walk(root):
        if node.type != "identifier" or node.parent is None or node.parent.type not in CALL_ARGS:
            continue
        used = text(node)
        others = [n for n in names if n != used]
        if used in names and others:
            other = others[node.start_byte % len(others)]
            yield Site(
                "wrong-variable", node.start_byte, node.end_byte, other.encode(), "bug",
                f"`{other}` is passed where `{used}` is meant.",
            )  # fmt: skip


def wrong_return(root: tree_sitter.Node, source: bytes) -> Iterator[Site]:
    names = _local_names(root)
    for node in walk(root):
        if node.type != "return_statement" or node.named_child_count != 1:
            continue
        value = node.named_children[0]
        if value.type == "expression_list" and value.named_child_count == 1:
            value = value.named_children[0]
        if value.type != "identifier" or text(value) not in names:
            continue
        others = [n for n in names if n != text(value)]
        if others:
            other = others[node.start_byte % len(others)]
            yield Site(
                "returned-wrong-variable", value.start_byte, value.end_byte, other.encode(), "bug",
                f"Returns `{other}` instead of `{text(value)}`.",
            )  # fmt: skip


def swallowed_exception(root: tree_sitter.Node, source: bytes) -> Iterator[Site]:
    for node in walk(root):
        if node.type == "except_clause":
            body = node.named_children[-1] if node.named_children else None
            if body is not None and body.type == "block" and text(body).strip() != "pass":
                yield Site(
                    "swallowed-exception", body.start_byte, body.end_byte, b"pass",
                    "error-handling",
                    "The exception is swallowed: the block neither handles nor re-raises it.",
                )  # fmt: skip
        elif node.type == "catch_clause":
            body = node.child_by_field_name("body")
            if body is not None and body.named_child_count:
                yield Site(
                    "swallowed-exception", body.start_byte, body.end_byte, b"{}",
                    "error-handling", "The error is swallowed: the catch block is empty.",
                )  # fmt: skip
        elif node.type == "return_statement" and (found := _returned_err(node)) is not None:
            yield Site(
                "swallowed-exception", found.start_byte, found.end_byte, b"nil",
                "error-handling", f"Returns nil instead of `{text(found)}`: the error is lost.",
            )  # fmt: skip


def _returned_err(node: tree_sitter.Node) -> tree_sitter.Node | None:
    values = node.named_children[0] if node.named_child_count == 1 else None
    if values is None or values.type != "expression_list":
        return None
    last = values.named_children[-1]
    return last if last.type == "identifier" and text(last) == "err" else None


def removed_null_check(root: tree_sitter.Node, source: bytes) -> Iterator[Site]:
    """`if x is None: return` (and nil / null guards) deleted, whole lines."""
    for node in walk(root):
        if node.type != "if_statement" or node.child_by_field_name("alternative") is not None:
            continue
        condition = node.child_by_field_name("condition")
        if condition is None or not any(text(n) in NULLS for n in walk(condition)):
            continue
        if node.end_point.row - node.start_point.row > 3:
            continue
        start = source.rfind(b"\n", 0, node.start_byte) + 1
        if source[start : node.start_byte].strip():
            continue  # not alone on its line
        end = source.find(b"\n", node.end_byte)
        end = len(source) if end < 0 else end + 1
        yield Site(
            "removed-null-check", start, end, b"", "bug",
            f"A check is missing before this line: `{text(condition)}` is not handled.",
            deletes_lines=True,
        )  # fmt: skip


OPERATORS: dict[str, Finder] = {
    "swapped-comparison": swapped_comparison,
    "off-by-one": off_by_one,
    "wrong-variable": wrong_variable,
    "dropped-negation": dropped_negation,
    "swapped-arguments": swapped_arguments,
    "removed-null-check": removed_null_check,
    "missing-await": missing_await,
    "wrong-boolean-operator": wrong_boolean,
    "returned-wrong-variable": wrong_return,
    "swallowed-exception": swallowed_exception,
}


def sites(root: tree_sitter.Node, source: bytes) -> dict[str, list[Site]]:
    """Every operator's possible sites in the unit (operators without any left out)."""
    found = {name: list(finder(root, source)) for name, finder in OPERATORS.items()}
    return {name: listed for name, listed in found.items() if listed}

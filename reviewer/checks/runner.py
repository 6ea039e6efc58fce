"""Running a file's checks and turning matches into Findings."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence

import tree_sitter

from reviewer.checks import predicates
from reviewer.checks.catalog import Check, checks_for
from reviewer.findings import Finding, RuleInfo
from reviewer.syntax import ParsedFile, matches_in

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w.\-]*)\}")


def run_checks(parsed: ParsedFile, spans: Sequence[tuple[int, int]] | None = None) -> list[Finding]:
    """The structural findings of the whole file, or of the matches that
    overlap the given line spans (the filter narrows them later)."""
    if parsed.spec is None or parsed.tree is None:
        return []
    check_set = checks_for(parsed.spec)
    if check_set is None:
        return []
    findings = []
    # tree-sitter checks the built-in text predicates; the custom ones are
    # checked here (see predicates.custom_predicates for why not in C).
    for index, captures in matches_in(check_set.query, parsed.tree, spans):
        check = check_set.by_pattern[index]
        if _excluded(check, parsed.path) or "finding" not in captures:
            continue
        if not predicates.satisfied(check_set.predicates[index], index, captures):
            continue
        if _inside_parse_error(captures["finding"][0]):
            continue  # half-typed or misparsed code: the match means nothing
        findings.append(_finding(parsed, check, captures, check_set.rules[check.id]))
    return findings


def _inside_parse_error(node: tree_sitter.Node) -> bool:
    parent: tree_sitter.Node | None = node
    while parent is not None:
        if parent.is_error:
            return True
        parent = parent.parent
    return False


def _excluded(check: Check, path: str) -> bool:
    return any(fnmatch.fnmatch(path, pattern) for pattern in check.exclude_paths)


def _finding(
    parsed: ParsedFile, check: Check, captures: predicates.Captures, rule: RuleInfo
) -> Finding:
    node = captures["finding"][0]
    line, end_line = node.start_point.row + 1, node.end_point.row + 1
    if node.end_point.column == 0 and end_line > line:
        end_line -= 1  # a node ending at a newline does not cover the next line
    return Finding(
        path=parsed.path,
        line=line,
        end_line=end_line,
        column=_column(parsed, node.start_point),
        end_column=_column(parsed, node.end_point),
        severity=check.severity,
        rule_id=check.id,
        message=_fill(check.message, captures),
        suggestion=_suggestion(parsed, check, captures, line, end_line),
        # The whole flagged lines identify a finding better than the node
        # alone (many `[]` defaults, one per line).
        snippet="\n".join(parsed.lines[line - 1 : end_line]),
        language=check.language,
        rule=rule,
    )


def _suggestion(
    parsed: ParsedFile, check: Check, captures: predicates.Captures, line: int, end_line: int
) -> str | None:
    """The fixed text of lines line..end_line, or None when there is no fix."""
    if check.fix is None:
        return None
    target = captures.get("fix", captures["finding"])[0]
    if target.start_point.row + 1 < line or target.end_point.row + 1 > end_line:
        return None  # a fix must stay inside the finding's lines
    starts = parsed.line_starts
    first = starts[line - 1]
    last = starts[end_line] if end_line < len(starts) else len(parsed.source)
    replacement = _fill(check.fix, captures).encode("utf-8")
    region = parsed.source[first:last]
    fixed = region[: target.start_byte - first] + replacement + region[target.end_byte - first :]
    return fixed.decode("utf-8", errors="replace").rstrip("\r\n")


def _fill(template: str, captures: predicates.Captures) -> str:
    def text(match: re.Match[str]) -> str:
        nodes = captures.get(match.group(1))
        return _node_text(nodes[0]) if nodes else match.group(0)

    return _PLACEHOLDER.sub(text, template)


def _node_text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")


def _column(parsed: ParsedFile, point: tree_sitter.Point) -> int:
    """1-based character column (tree-sitter counts bytes)."""
    row_bytes = parsed.line_bytes(point.row + 1)
    return len(row_bytes[: point.column].decode("utf-8", errors="replace")) + 1

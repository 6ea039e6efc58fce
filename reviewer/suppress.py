"""Inline suppressions: `reviewer: ignore` or `reviewer: ignore[id, ...]` in a
comment on the finding's line or the line above."""

from __future__ import annotations

import re
from collections.abc import Sequence

from reviewer.findings import Finding

_MARKER = re.compile(r"reviewer:\s*ignore(?:\[(?P<ids>[^\]]*)\])?")


def suppressed_ids(line: str, comment_tokens: Sequence[str]) -> set[str] | None:
    """The ids a line's comment suppresses: None for no marker, an empty set
    for a bare `reviewer: ignore` (everything)."""
    match = _MARKER.search(line)
    if match is None or not _inside_comment(line, match.start(), comment_tokens):
        return None
    ids = match.group("ids")
    return {part.strip() for part in ids.split(",") if part.strip()} if ids else set()


def is_suppressed(finding: Finding, lines: Sequence[str], comment_tokens: Sequence[str]) -> bool:
    for number in (finding.line, finding.line - 1):
        if 1 <= number <= len(lines):
            ids = suppressed_ids(lines[number - 1], comment_tokens)
            if ids is not None and (not ids or finding.rule_id in ids):
                return True
    return False


def suppression_comment(rule_id: str, comment_tokens: Sequence[str]) -> str:
    """The comment text that suppresses `rule_id` (used by quick fixes)."""
    token = comment_tokens[0] if comment_tokens else "#"
    closing = " */" if token == "/*" else " -->" if token == "<!--" else ""
    return f"{token} reviewer: ignore[{rule_id}]{closing}"


def _inside_comment(line: str, position: int, comment_tokens: Sequence[str]) -> bool:
    """A comment token must come before the marker (a string holding the words
    is not a suppression)."""
    prefix = line[:position]
    return any(token in prefix for token in comment_tokens)

"""Which lines of the new side GitHub accepts review comments on: the added
and context lines of each file's patch in the pull request."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def commentable_lines(patch: str) -> frozenset[int]:
    """RIGHT-side line numbers of a unified diff patch (GitHub's `patch`
    field: hunks without file headers)."""
    lines: set[int] = set()
    number = 0
    for row in patch.splitlines():
        header = _HUNK.match(row)
        if header:
            number = int(header.group(1))
        elif (row.startswith(("+", " ")) and number) or (row == "" and number):
            lines.add(number)
            number += 1
        # "-" rows and "\ No newline at end of file" do not move the new side
    return frozenset(lines)


def commentable_by_path(files: Iterable[dict[str, Any]]) -> dict[str, frozenset[int]]:
    """From GET /pulls/{n}/files: path -> commentable lines. A file without
    a patch (binary, too large) has none."""
    return {
        str(item["filename"]): commentable_lines(str(item.get("patch") or ""))
        for item in files
        if isinstance(item, dict) and "filename" in item
    }

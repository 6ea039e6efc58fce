"""Running one language's checks over a snippet, for the per-check tests."""

from __future__ import annotations

import textwrap

from reviewer.checks import run_checks
from reviewer.findings import Finding
from reviewer.syntax import parse_file


def findings(path: str, source: str) -> list[Finding]:
    """All structural findings in `source`, parsed as the file at `path`."""
    return run_checks(parse_file(path, textwrap.dedent(source)))


def rule_ids(path: str, source: str) -> list[str]:
    return sorted(f.rule_id for f in findings(path, source))


def only(path: str, source: str, rule_id: str) -> list[Finding]:
    return [f for f in findings(path, source) if f.rule_id == rule_id]

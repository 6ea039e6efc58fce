"""The check runner itself: positions, fixes, and what it refuses to report."""

from __future__ import annotations

from tests.checks.helpers import findings, rule_ids


def test_matches_inside_a_parse_error_are_not_reported() -> None:
    # Half-typed code (an unclosed list) puts the comparison under an ERROR node.
    assert rule_ids("a.py", "x = [a == None,\n") == []
    assert rule_ids("a.py", "x = [a == None]\n") == ["py-none-equality"]


def test_positions_are_one_based_characters() -> None:
    (finding,) = findings("a.py", "é = 1\nif é == None:\n    pass\n")
    assert (finding.line, finding.column, finding.end_column) == (2, 4, 13)
    assert finding.suggestion == "if é is None:"

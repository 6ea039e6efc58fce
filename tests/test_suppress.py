from __future__ import annotations

import pytest

from reviewer.findings import Finding, Severity
from reviewer.suppress import is_suppressed, suppressed_ids, suppression_comment


def _finding(line: int, rule: str = "py-none-equality") -> Finding:
    return Finding("a.py", line, line, 1, 2, Severity.WARNING, rule, "m")


@pytest.mark.parametrize(
    ("line", "tokens", "expected"),
    [
        ("x = 1  # reviewer: ignore", ("#",), set()),
        ("x = 1  # reviewer: ignore[py-a, py-b]", ("#",), {"py-a", "py-b"}),
        ("x = 1; // reviewer: ignore[js-loose-equality]", ("//", "/*"), {"js-loose-equality"}),
        ("x = 1; /* reviewer:ignore */", ("//", "/*"), set()),
        ("x = 'reviewer: ignore'", ("#",), None),  # in a string, not a comment
        ("x = 1  # nothing here", ("#",), None),
    ],
)
def test_suppressed_ids(line: str, tokens: tuple[str, ...], expected: set[str] | None) -> None:
    assert suppressed_ids(line, tokens) == expected


def test_same_line_and_line_above() -> None:
    lines = [
        "# reviewer: ignore[py-none-equality]",
        "if x == None:",
        "y == None  # reviewer: ignore",
    ]
    assert is_suppressed(_finding(2), lines, ("#",))
    assert is_suppressed(_finding(3), lines, ("#",))


def test_other_ids_are_not_suppressed() -> None:
    lines = ["if x == None:  # reviewer: ignore[py-other]"]
    assert not is_suppressed(_finding(1), lines, ("#",))


def test_two_lines_above_does_not_count() -> None:
    lines = ["# reviewer: ignore", "", "if x == None:"]
    assert not is_suppressed(_finding(3), lines, ("#",))


def test_suppression_comment_per_language() -> None:
    assert suppression_comment("py-x", ("#",)) == "# reviewer: ignore[py-x]"
    assert suppression_comment("c-x", ("/*",)) == "/* reviewer: ignore[c-x] */"
    assert suppressed_ids(suppression_comment("js-x", ("//", "/*")), ("//", "/*")) == {"js-x"}


def test_the_line_below_does_not_count() -> None:
    lines = ["if x == None:", "# reviewer: ignore"]
    assert not is_suppressed(_finding(1), lines, ("#",))
    assert is_suppressed(_finding(2), lines, ("#",))  # its own line
    lines = ["x = 1", "if x == None:", "# reviewer: ignore"]
    assert not is_suppressed(_finding(2), lines, ("#",))


def test_the_comment_uses_the_languages_first_token() -> None:
    """A quick fix writes the line comment when the language has one, closed
    only when it is a block comment."""
    assert suppression_comment("js-x", ("//", "/*")) == "// reviewer: ignore[js-x]"
    assert suppression_comment("html-x", ("<!--",)) == "<!-- reviewer: ignore[html-x] -->"
    assert suppression_comment("sql-x", ("--", "/*")) == "-- reviewer: ignore[sql-x]"
    assert suppression_comment("any", ()) == "# reviewer: ignore[any]"
    # Only the block markers are closed, whatever other tokens sort after them.
    assert suppression_comment("bat-x", ("REM",)) == "REM reviewer: ignore[bat-x]"

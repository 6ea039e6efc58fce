"""The per-file filter, dedupe and the cap, one rule at a time, at their
boundaries (tests/test_engine.py drives them through a whole review)."""

from __future__ import annotations

from collections import Counter

import pytest

from reviewer.config import Config
from reviewer.diff import ChangeStatus, FileChange, Hunk
from reviewer.filter import cap, dedupe, filter_file_findings, in_scope_lines, is_excluded_path
from reviewer.findings import Finding, Severity

TEXT = "".join(f"line{n}\n" for n in range(1, 21))  # 20 lines
# Lines 10-11 added: with diff context, 7-14.
CHANGE = FileChange("a.py", ChangeStatus.MODIFIED, TEXT, (Hunk(10, 1, 10, 2),))


def _finding(
    line: int,
    rule: str = "py-x",
    *,
    end: int | None = None,
    severity: Severity = Severity.WARNING,
    confidence: float = 1.0,
    fingerprint: str = "",
    path: str = "a.py",
) -> Finding:
    return Finding(
        path, line, end or line, 1, 2, severity, rule, f"m{line}", confidence=confidence,
        fingerprint=fingerprint,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("path", "pattern", "excluded"),
    [
        ("vendor/a/b.py", "vendor", True),
        ("vendor/a/b.py", "vendor/**", True),
        ("vendor/a/b.py", "vendor/a", True),
        ("src/gen/generated/x.py", "**/generated/*.py", True),
        ("src/x.py", "src/*.py", True),
        ("src/x.py", "src/x.py", True),
        ("lib/src/x.py", "src", False),  # leading directories only
        ("vendored/x.py", "vendor", False),
        ("x.py", "y.py", False),
    ],
)
def test_excluded_paths(path: str, pattern: str, excluded: bool) -> None:
    assert is_excluded_path(path, [pattern]) is excluded
    assert is_excluded_path(path, []) is False


def test_scope_per_mode() -> None:
    assert in_scope_lines(CHANGE, "added") == frozenset({10, 11})
    assert in_scope_lines(CHANGE, "diff_context") == frozenset(range(7, 15))
    # Modes read from a config file are new strings, not the literals' objects.
    assert in_scope_lines(CHANGE, "".join(["add", "ed"])) == frozenset({10, 11})
    assert in_scope_lines(CHANGE, "".join(["diff_", "context"])) == frozenset(range(7, 15))
    assert in_scope_lines(CHANGE, "file") is None
    assert in_scope_lines(CHANGE, "nofilter") is None


def _filter(
    findings: list[Finding], config: Config, baseline: frozenset[str] = frozenset()
) -> tuple[list[int], dict[str, int]]:
    hidden: Counter[str] = Counter()
    lines = TEXT.splitlines()
    kept = filter_file_findings(findings, CHANGE, lines, ("#",), config, baseline, hidden)
    return [f.line for f in kept], dict(hidden)


def test_a_finding_must_touch_a_line_in_scope() -> None:
    findings = [_finding(9), _finding(10), _finding(11), _finding(12), _finding(8, end=10)]
    assert _filter(findings, Config()) == ([10, 11, 8], {"outside the diff": 2})
    context = Config(filter_mode="diff_context")
    assert _filter([_finding(6), _finding(7), _finding(14), _finding(15)], context) == (
        [7, 14],
        {"outside the diff": 2},
    )
    assert _filter([_finding(1), _finding(20)], Config(filter_mode="file")) == ([1, 20], {})


def test_disabled_suppressed_below_threshold_and_baseline_are_counted() -> None:
    lines = TEXT.splitlines()
    lines[9] = "x  # reviewer: ignore[py-quiet]"
    hidden: Counter[str] = Counter()
    config = Config(disable=("py-off",), min_severity="warning", min_confidence=0.5)
    findings = [
        _finding(10, "py-off"),
        _finding(10, "py-quiet"),
        _finding(11, severity=Severity.INFO),
        _finding(11, "py-warn", severity=Severity.WARNING, confidence=0.5),  # at both bars: kept
        _finding(11, "py-unsure", confidence=0.49),
        _finding(11, "py-known", fingerprint="f:0"),
        _finding(11, "py-new", fingerprint="f:1"),
    ]
    kept = filter_file_findings(findings, CHANGE, lines, ("#",), config, frozenset({"f:0"}), hidden)
    assert [f.rule_id for f in kept] == ["py-warn", "py-new"]
    assert hidden == Counter(
        {"disabled": 1, "suppressed": 1, "below threshold": 2, "in baseline": 1}
    )


def test_dedupe_keeps_the_most_confident_and_counts_the_rest() -> None:
    hidden: Counter[str] = Counter()
    first = _finding(5, confidence=0.5)
    same_confidence = _finding(5, confidence=0.5)
    surer = _finding(5, confidence=0.9)
    other_span = _finding(5, end=6)
    other_rule = _finding(5, "py-y")
    kept = dedupe([first, same_confidence, surer, other_span, _finding(2), other_rule], hidden)
    assert hidden == Counter({"duplicate": 2})
    assert [(f.line, f.end_line, f.rule_id, f.confidence) for f in kept] == [
        (2, 2, "py-x", 1.0),
        (5, 5, "py-x", 0.9),
        (5, 6, "py-x", 1.0),
        (5, 5, "py-y", 1.0),
    ]
    # A less confident duplicate after a surer one does not replace it.
    later: Counter[str] = Counter()
    (kept_surer,) = dedupe([surer, _finding(5, confidence=0.2)], later)
    assert kept_surer is surer and later == Counter({"duplicate": 1})
    tie: Counter[str] = Counter()
    equal = float("0." + "5")  # equal confidence, another float object
    (winner,) = dedupe([first, _finding(5, confidence=equal, fingerprint="later")], tie)
    assert winner is first and tie == Counter({"duplicate": 1})  # a tie keeps the first


def test_the_cap_keeps_the_most_severe_then_most_confident_in_file_order() -> None:
    findings = [
        _finding(1, severity=Severity.INFO),
        _finding(2, severity=Severity.ERROR, confidence=0.6),
        _finding(3, severity=Severity.WARNING),
        _finding(4, severity=Severity.ERROR, confidence=0.9),
        _finding(5, severity=Severity.ERROR, confidence=0.6),
    ]
    hidden: Counter[str] = Counter()
    assert cap(findings, None, hidden) is findings and cap(findings, 5, hidden) is findings
    assert cap(findings, 6, hidden) is findings  # under the cap: untouched, nothing counted
    assert hidden == Counter()
    assert [f.line for f in cap(findings, 2, hidden)] == [2, 4]  # ties: file order
    assert hidden == Counter({"over the cap": 3})
    assert [f.line for f in cap(findings, 4, Counter())] == [2, 3, 4, 5]
    # Confidence ranks within a severity, whatever the file order.
    surest_last = [
        _finding(2, severity=Severity.ERROR, confidence=0.6),
        _finding(4, severity=Severity.ERROR, confidence=0.6),
        _finding(5, severity=Severity.ERROR, confidence=0.9),
    ]
    assert [f.line for f in cap(surest_last, 2, Counter())] == [2, 5]
    zero: Counter[str] = Counter()
    assert cap(findings, 0, zero) == [] and zero == Counter({"over the cap": 5})

"""Findings' fingerprints: stable across versions (baselines and pull-request
markers store them), free of line numbers, counted among identical ones."""

from __future__ import annotations

import dataclasses

import pytest

from reviewer.findings import Finding, RuleInfo, Severity, with_fingerprints


def _finding(line: int, snippet: str, rule_id: str = "py-none-equality") -> Finding:
    return Finding(
        path="pkg/app.py",
        line=line,
        end_line=line,
        column=5,
        end_column=14,
        severity=Severity.WARNING,
        rule_id=rule_id,
        message="compare with None using `is`",
        snippet=snippet,
    )


def test_a_fingerprint_is_stable_across_versions() -> None:
    """A baseline written by an earlier version must still match: the value
    is pinned (sha256 of rule, path and snippet, first 16 hex digits)."""
    (finding,) = with_fingerprints([_finding(3, "if a == None:")])
    assert finding.fingerprint == "91e4888fb7a9c439:0"


def test_identical_findings_are_numbered_in_line_order() -> None:
    same = "if a == None:"
    fingerprinted = with_fingerprints(
        [_finding(9, same), _finding(2, same), _finding(5, "if b == None:"), _finding(7, same)]
    )
    assert [f.line for f in fingerprinted] == [2, 5, 7, 9]
    digest = fingerprinted[0].fingerprint.split(":")[0]
    assert [f.fingerprint for f in fingerprinted if f.snippet == same] == [
        f"{digest}:0",
        f"{digest}:1",
        f"{digest}:2",
    ]
    other = fingerprinted[1].fingerprint
    assert other.endswith(":0") and not other.startswith(digest)


def test_no_line_number_and_no_indentation_in_a_fingerprint() -> None:
    (high,) = with_fingerprints([_finding(3, "if a == None:")])
    (low,) = with_fingerprints([_finding(300, "    if  a ==\tNone:  ")])
    assert high.fingerprint == low.fingerprint
    (other_rule,) = with_fingerprints([_finding(3, "if a == None:", "py-is-literal")])
    assert other_rule.fingerprint != high.fingerprint


def test_severity_names_parse_and_an_unknown_one_says_what_is_allowed() -> None:
    assert Severity.parse(" Warning ") is Severity.WARNING
    assert Severity.INFO < Severity.WARNING < Severity.ERROR
    with pytest.raises(ValueError, match=r"unknown severity 'loud' \(expected one of: info, "
                       r"warning, error\)"):  # fmt: skip
        Severity.parse("loud")


def test_a_finding_with_its_catalog_entry_is_fingerprinted() -> None:
    """Findings are cached by value (the language server fingerprints the same
    ones on every keystroke): a catalog entry must be an immutable value too."""
    rule = RuleInfo("compare with None using `is`", Severity.WARNING, "python")
    finding = _finding(3, "if a == None:")
    (fingerprinted,) = with_fingerprints([dataclasses.replace(finding, rule=rule)])
    assert fingerprinted.rule == RuleInfo(
        "compare with None using `is`", Severity.WARNING, "python"
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.severity = Severity.ERROR  # type: ignore[misc]


def test_a_structural_finding_is_certain() -> None:
    """Confidence defaults to 1.0: no min_confidence setting (at most 1.0)
    hides a structural check's finding."""
    assert _finding(3, "x").confidence == 1.0

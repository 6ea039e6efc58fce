"""SARIF 2.1.0: one run, rules for the ids the results use, relative URIs
under %SRCROOT%, fingerprints without line numbers, fixes from suggestions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from reviewer import __version__
from reviewer.findings import Finding, RuleInfo, Severity
from reviewer.formatters import OutputOptions, ordered
from reviewer.formatters.json import dumps, risk_payload

if TYPE_CHECKING:
    from reviewer.report import Report

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "reviewer/v1"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def format_sarif(report: Report, options: OutputOptions) -> str:
    return dumps(sarif_log(report))


def sarif_log(report: Report) -> dict[str, Any]:
    findings = ordered(report)
    rules = _rules(findings)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "reviewer", "version": __version__, "rules": rules}},
        "originalUriBaseIds": {SRCROOT: {"uri": _root_uri(report.root)}},
        "columnKind": "unicodeCodePoints",
        "invocations": [
            {"executionSuccessful": True, "toolExecutionNotifications": _notifications(report)}
        ],
        "results": [_result(f, index[f.rule_id], report.sources.get(f.path)) for f in findings],
        "properties": {
            "description": report.description,
            "filesReviewed": report.files_reviewed,
            "unitsReviewed": report.units_reviewed,
            "hidden": {reason: n for reason, n in sorted(report.hidden.items()) if n},
            "failed": report.failed,
        },
    }
    if report.risk is not None:
        run["properties"]["risk"] = risk_payload(report.risk)
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _rules(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    by_id: dict[str, list[Finding]] = {}
    for finding in findings:
        by_id.setdefault(finding.rule_id, []).append(finding)
    rules = []
    for rule_id in sorted(by_id):
        group = by_id[rule_id]
        structural = [f for f in group if f.source != "model"]
        info = structural[0].rule if structural else None
        if info is None:
            source = "model" if not structural else structural[0].source
            what = "the review model" if source == "model" else f"the {source} tier"
            info = RuleInfo(
                description=f"{rule_id}: reported by {what}",
                severity=max(f.severity for f in group),
            )
        else:
            source = structural[0].source
        properties: dict[str, Any] = {"source": source}
        if info.language is not None:
            properties["language"] = info.language
        rules.append(
            {
                "id": rule_id,
                "shortDescription": {"text": info.description},
                "defaultConfiguration": {"level": LEVELS[info.severity]},
                "properties": properties,
            }
        )
    return rules


def _result(finding: Finding, rule_index: int, lines: Sequence[str] | None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(finding.path),
                    "region": {
                        "startLine": finding.line,
                        "startColumn": finding.column,
                        "endLine": finding.end_line,
                        "endColumn": finding.end_column,
                    },
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {"source": finding.source, "confidence": finding.confidence},
    }
    if finding.suggestion is not None:
        result["fixes"] = [_fix(finding, finding.suggestion, lines)]
    return result


def _fix(finding: Finding, suggestion: str, lines: Sequence[str] | None) -> dict[str, Any]:
    """Replace lines line..end_line (without the final line break) by the
    suggestion. Columns are given when the text of the file is known."""
    deleted: dict[str, int] = {"startLine": finding.line, "startColumn": 1}
    deleted["endLine"] = finding.end_line
    if lines is not None and finding.end_line <= len(lines):
        deleted["endColumn"] = len(lines[finding.end_line - 1]) + 1
    return {
        "description": {"text": "Apply the suggested change"},
        "artifactChanges": [
            {
                "artifactLocation": _artifact(finding.path),
                "replacements": [
                    {"deletedRegion": deleted, "insertedContent": {"text": suggestion}}
                ],
            }
        ],
    }


def _notifications(report: Report) -> list[dict[str, Any]]:
    notes: list[dict[str, Any]] = [
        {"level": "note", "message": {"text": note}} for note in report.notes
    ]
    for skipped in sorted(report.skipped, key=lambda s: (s.path, s.reason)):
        notes.append(
            {
                "level": "note",
                "message": {"text": f"skipped {skipped.path}: {skipped.reason}"},
                "locations": [{"physicalLocation": {"artifactLocation": _artifact(skipped.path)}}],
            }
        )
    return notes


def _artifact(path: str) -> dict[str, str]:
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _root_uri(root: Path) -> str:
    absolute = root if root.is_absolute() else root.absolute()
    return absolute.as_uri().rstrip("/") + "/"

"""The reviewer's own JSON report: stable keys, sorted, one document."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from reviewer.findings import Finding
from reviewer.formatters import OutputOptions, ordered, severity_counts

if TYPE_CHECKING:
    from reviewer.report import Report
    from reviewer.risk import ChangeRisk

SCHEMA_VERSION = 1


def format_json(report: Report, options: OutputOptions) -> str:
    return dumps(json_payload(report))


def dumps(payload: Any) -> str:
    """Deterministic JSON text: sorted keys, two-space indent, final newline."""
    return json.dumps(payload, sort_keys=True, indent=2) + "\n"


def json_payload(report: Report) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "version": SCHEMA_VERSION,
        "tool": "reviewer",
        "description": report.description,
        "findings": [finding_payload(f) for f in ordered(report)],
        "summary": {
            "files_reviewed": report.files_reviewed,
            "units_reviewed": report.units_reviewed,
            "counts": severity_counts(report),
            "hidden": {reason: n for reason, n in sorted(report.hidden.items()) if n},
            "skipped": [
                {"path": s.path, "reason": s.reason}
                for s in sorted(report.skipped, key=lambda s: (s.path, s.reason))
            ],
            "notes": list(report.notes),
            "fail_level": report.fail_level.label,
            "failed": report.failed,
        },
    }
    if report.risk is not None:
        payload["summary"]["risk"] = risk_payload(report.risk)
    return payload


def risk_payload(risk: ChangeRisk) -> dict[str, Any]:
    """`summary.risk`: the change's probability (a placeholder score when
    `calibrated` is false), its highest-scored lines and the reasons."""
    rank = risk.rank
    return {
        "probability": risk.probability,
        "calibrated": risk.calibrated,
        "scorer": risk.scorer,
        "reasons": list(risk.reasons),
        "lines": [
            {
                "path": line.path,
                "line": line.line,
                "score": line.score,
                "reasons": list(line.reasons),
            }
            for line in risk.lines
        ],
        "rank": None if rank is None else {"above": rank.above, "of": rank.of},
    }


def finding_payload(finding: Finding) -> dict[str, Any]:
    return {
        "path": finding.path,
        "line": finding.line,
        "end_line": finding.end_line,
        "column": finding.column,
        "end_column": finding.end_column,
        "severity": finding.severity.label,
        "rule_id": finding.rule_id,
        "source": finding.source,
        "message": finding.message,
        "suggestion": finding.suggestion,
        "confidence": finding.confidence,
        "fingerprint": finding.fingerprint,
    }

"""reviewdog Diagnostic Format (rdjson), for `reviewdog -f=rdjson`.

rdjson columns count UTF-8 bytes; ours count characters, so they are
converted where the text of the line is known.

rdjson has no place for a run's properties (reviewdog refuses unknown
fields), so the change's risk is one INFO diagnostic, `reviewer/change-risk`,
on the line to look at first, naming the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from reviewer.findings import Finding, Severity
from reviewer.formatters import OutputOptions, ordered
from reviewer.formatters.json import dumps
from reviewer.risk import line_words, risk_words

if TYPE_CHECKING:
    from reviewer.report import Report
    from reviewer.risk import ChangeRisk

RISK_CODE = "reviewer/change-risk"

SEVERITIES = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO"}


def format_rdjson(report: Report, options: OutputOptions) -> str:
    return dumps(rdjson_payload(report))


def rdjson_payload(report: Report) -> dict[str, Any]:
    diagnostics = [diagnostic(f, report.sources.get(f.path)) for f in ordered(report)]
    if report.risk is not None and report.risk.lines:
        diagnostics.insert(0, _risk_diagnostic(report.risk))
    return {"source": {"name": "reviewer"}, "diagnostics": diagnostics}


def _risk_diagnostic(risk: ChangeRisk) -> dict[str, Any]:
    first = risk.lines[0]
    reasons = f": {'; '.join(risk.reasons)}" if risk.reasons else ""
    look = "; ".join(line_words(line) for line in risk.lines)
    return {
        "message": f"Change {risk_words(risk)}{reasons}. Look first at {look}",
        "location": {
            "path": first.path,
            "range": {"start": {"line": first.line}, "end": {"line": first.line}},
        },
        "severity": "INFO",
        "source": {"name": "reviewer"},
        "code": {"value": RISK_CODE},
    }


def diagnostic(finding: Finding, lines: Sequence[str] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "message": finding.message,
        "location": {
            "path": finding.path,
            "range": {
                "start": _position(finding.line, finding.column, lines),
                "end": _position(finding.end_line, finding.end_column, lines),
            },
        },
        "severity": SEVERITIES[finding.severity],
        "source": {"name": "reviewer"},
        "code": {"value": finding.rule_id},
    }
    if finding.suggestion is not None:
        # Whole lines line..end_line, line breaks included.
        whole_lines = {
            "start": {"line": finding.line, "column": 1},
            "end": {"line": finding.end_line + 1, "column": 1},
        }
        result["suggestions"] = [{"range": whole_lines, "text": finding.suggestion + "\n"}]
    return result


def _position(line: int, column: int, lines: Sequence[str] | None) -> dict[str, int]:
    if lines is not None and 1 <= line <= len(lines):
        text = lines[line - 1]
        beyond = max(0, column - 1 - len(text))
        column = len(text[: column - 1].encode("utf-8")) + beyond + 1
    return {"line": line, "column": column}

"""reviewdog Diagnostic Format (rdjson), for `reviewdog -f=rdjson`.

rdjson columns count UTF-8 bytes; ours count characters, so they are
converted where the text of the line is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from reviewer.findings import Finding, Severity
from reviewer.formatters import OutputOptions, ordered
from reviewer.formatters.json import dumps

if TYPE_CHECKING:
    from reviewer.report import Report

SEVERITIES = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO"}


def format_rdjson(report: Report, options: OutputOptions) -> str:
    return dumps(rdjson_payload(report))


def rdjson_payload(report: Report) -> dict[str, Any]:
    return {
        "source": {"name": "reviewer"},
        "diagnostics": [diagnostic(f, report.sources.get(f.path)) for f in ordered(report)],
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

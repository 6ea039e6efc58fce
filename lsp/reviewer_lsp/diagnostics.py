"""Findings as LSP diagnostics (0-based positions: the only place that
converts), and the quick fixes offered on them."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from reviewer.findings import Finding, Severity
from reviewer.formatters import risk_text
from reviewer.languages import language_for_path
from reviewer.report import Report
from reviewer.risk import NO_CODE
from reviewer_lsp.text import UTF16, unit_length

SOURCE = "reviewer"
SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def to_diagnostic(
    finding: Finding, uri: str, lines: list[str], encoding: str = UTF16
) -> types.Diagnostic:
    """`lines` are the document's, to count columns in the client's encoding."""
    span = types.Range(
        start=_position(lines, finding.line, finding.column, encoding),
        end=_position(lines, finding.end_line, finding.end_column, encoding),
    )
    related = None
    if finding.suggestion is not None:
        related = [
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=uri, range=span),
                message=f"suggested change: {finding.suggestion.strip()}",
            )
        ]
    message = finding.message
    if finding.source != "structural":
        message += f" ({finding.source}, confidence {finding.confidence:.2f})"
    return types.Diagnostic(
        range=span,
        message=message,
        severity=SEVERITIES[finding.severity],
        code=finding.rule_id,
        source=SOURCE,
        related_information=related,
        data={
            "line": finding.line,
            "end_line": finding.end_line,
            "suggestion": finding.suggestion,
            "fingerprint": finding.fingerprint,
        },
    )


def risk_messages(report: Report) -> list[str]:
    """What a model review logs (window/logMessage: no popup, no code lens to
    redraw on each edit) about the change's risk, or that it has none."""
    if report.risk is not None:
        return [f"reviewer: {report.description}: {risk_text(report.risk)}"]
    return [f"reviewer: {report.description}: {NO_CODE}"] if NO_CODE in report.notes else []


def moved(diagnostic: dict[str, Any], line: int, end_line: int) -> dict[str, Any]:
    """A diagnostic's JSON on other lines (its text and columns unchanged)."""
    span = diagnostic["range"]
    lines = {
        "start": {**span["start"], "line": line - 1},
        "end": {**span["end"], "line": end_line - 1},
    }
    shifted = {**diagnostic, "range": lines}
    shifted["data"] = {**diagnostic["data"], "line": line, "end_line": end_line}
    if diagnostic.get("relatedInformation"):
        shifted["relatedInformation"] = [
            {**related, "location": {**related["location"], "range": lines}}
            for related in diagnostic["relatedInformation"]
        ]
    return shifted


def code_actions(
    uri: str, path: str, lines: list[str], diagnostic: types.Diagnostic, encoding: str = UTF16
) -> list[types.CodeAction]:
    """Apply the suggestion; add a `reviewer: ignore[id]` comment."""
    if diagnostic.source != SOURCE or not isinstance(diagnostic.data, dict):
        return []
    data: dict[str, Any] = diagnostic.data
    line, end_line = int(data["line"]), int(data["end_line"])
    if not 1 <= line <= end_line <= len(lines):
        return []  # the document changed under the diagnostic
    actions = []
    suggestion = data.get("suggestion")
    if isinstance(suggestion, str):
        replaced = types.Range(
            start=types.Position(line - 1, 0),
            end=types.Position(end_line - 1, unit_length(lines[end_line - 1], encoding)),
        )
        actions.append(
            types.CodeAction(
                title=f"Apply reviewer's suggestion ({diagnostic.code})",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                is_preferred=True,
                edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(replaced, suggestion)]}),
            )
        )
    spec = language_for_path(path)  # a known language: its own comment syntax
    tokens = spec.comments if spec is not None else ()
    if tokens:
        text = lines[line - 1]
        end = types.Position(line - 1, unit_length(text, encoding))
        comment = f"  {tokens[0]} reviewer: ignore[{diagnostic.code}]"
        actions.append(
            types.CodeAction(
                title=f"Suppress {diagnostic.code} on this line",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                edit=types.WorkspaceEdit(
                    changes={uri: [types.TextEdit(types.Range(end, end), comment)]}
                ),
            )
        )
    return actions


def _position(lines: list[str], line: int, column: int, encoding: str) -> types.Position:
    """A 1-based line and character column as an LSP position."""
    text = lines[line - 1] if 1 <= line <= len(lines) else ""
    return types.Position(max(line - 1, 0), unit_length(text[: max(column - 1, 0)], encoding))

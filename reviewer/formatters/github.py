"""GitHub Actions workflow commands: one annotation per finding, a notice per
note, then plain summary lines for the job log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reviewer.findings import Finding, Severity
from reviewer.formatters import (
    OutputOptions,
    hidden_line,
    ordered,
    risk_text,
    skipped_line,
    summary_line,
)

if TYPE_CHECKING:
    from reviewer.report import Report

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """The message of a workflow command (after `::`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A `key=value` property of a workflow command."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, properties: dict[str, str | int] | None = None) -> str:
    props = ",".join(
        f"{key}={escape_property(str(value))}" for key, value in (properties or {}).items()
    )
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def annotation(finding: Finding) -> str:
    properties: dict[str, str | int] = {
        "file": finding.path,
        "line": finding.line,
        "endLine": finding.end_line,
    }
    # GitHub takes columns only for an annotation on a single line.
    if finding.line == finding.end_line:
        properties["col"] = finding.column
        properties["endColumn"] = finding.end_column
    title = finding.rule_id
    if finding.source != "structural":
        title += f" ({finding.source}, confidence {finding.confidence:.2f})"
    properties["title"] = title
    message = finding.message
    if finding.suggestion is not None:
        message += "\n\nSuggested change:\n" + finding.suggestion
    return command(COMMANDS[finding.severity], message, properties)


def format_github(report: Report, options: OutputOptions) -> str:
    lines = [annotation(f) for f in ordered(report)]
    if report.risk is not None:
        lines.append(command("notice", risk_text(report.risk), {"title": "reviewer: change risk"}))
    lines.extend(command("notice", note, {"title": "reviewer"}) for note in report.notes)
    lines.extend(line for line in (skipped_line(report), hidden_line(report)) if line)
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"

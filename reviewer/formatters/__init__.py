"""Rendering a Report: one formatter per output format behind a registry.

Every formatter is a pure function `(Report, OutputOptions) -> str` with
deterministic output (findings in `Finding.sort_key` order, stable JSON). The
modules are imported on first use, so `--format json` never imports rich.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reviewer.findings import Finding, Severity
from reviewer.risk import line_words, risk_words

if TYPE_CHECKING:
    from reviewer.report import Report
    from reviewer.risk import ChangeRisk


@dataclass(frozen=True)
class OutputOptions:
    color: bool = False
    width: int = 100


Formatter = Callable[["Report", OutputOptions], str]


def ordered(report: Report) -> list[Finding]:
    """The findings in the one order every format uses."""
    return sorted(report.findings, key=lambda f: f.sort_key)


def plural(count: int, noun: str) -> str:
    if count == 1 or noun == "info":
        return f"{count} {noun}"
    return f"{count} {noun}s"


def severity_counts(report: Report) -> dict[str, int]:
    """Findings per severity label, highest severity first, zeros included."""
    counts = Counter(f.severity for f in report.findings)
    return {s.label: counts[s] for s in sorted(Severity, reverse=True)}


def summary_line(report: Report) -> str:
    """`3 findings (1 error, 2 warnings) in 4 files, 7 units reviewed (desc)`."""
    scope = f"{plural(report.files_reviewed, 'file')}, {plural(report.units_reviewed, 'unit')}"
    if report.findings:
        counts = ", ".join(plural(n, label) for label, n in severity_counts(report).items() if n)
        head = f"{plural(len(report.findings), 'finding')} ({counts})"
        text = f"{head} in {scope} reviewed"
    elif report.files_reviewed == 0 and not report.skipped:
        text = "Nothing to review"
    else:
        text = f"No findings in {scope} reviewed"
    return f"{text} ({report.description})" if report.description else text


def skipped_line(report: Report) -> str | None:
    """`skipped 2 files: 1 binary, 1 deleted`, or None when nothing was skipped."""
    if not report.skipped:
        return None
    reasons = Counter(s.reason for s in report.skipped)
    parts = ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items()))
    return f"skipped {plural(len(report.skipped), 'file')}: {parts}"


def hidden_line(report: Report) -> str | None:
    """`hidden: 3 outside the diff, 1 suppressed`, or None when nothing was hidden."""
    parts = ", ".join(f"{n} {reason}" for reason, n in sorted(report.hidden.items()) if n)
    return f"hidden: {parts}" if parts else None


def risk_line(risk: ChangeRisk) -> str:
    """The header line: `Change risk 0.42 ...: adds 240 lines of code`."""
    reasons = f": {'; '.join(risk.reasons)}" if risk.reasons else ""
    return f"Change {risk_words(risk)}{reasons}"


def look_first(risk: ChangeRisk) -> list[str]:
    """`path:line (score 0.31): reason; reason`, highest first (may be empty)."""
    return [line_words(line) for line in risk.lines]


def risk_text(risk: ChangeRisk) -> str:
    """The risk and the lines to look at first, in one paragraph."""
    lines = look_first(risk)
    return risk_line(risk) + (". Look first at " + "; ".join(lines) if lines else "")


def _text(report: Report, options: OutputOptions) -> str:
    """The text format; a plain report with nothing but its summary line is
    written without importing rich (an empty diff answers in a blink)."""
    shown = report.findings or report.notes or report.skipped or report.risk
    plain = not options.color and not shown
    summary = summary_line(report)
    fits = summary.isascii() and summary.isprintable() and len(summary) <= options.width
    if plain and fits and hidden_line(report) is None:
        return summary + "\n"
    return _lazy("text", "format_text")(report, options)


def _lazy(module: str, function: str) -> Formatter:
    def render(report: Report, options: OutputOptions) -> str:
        formatter: Formatter = getattr(
            importlib.import_module(f"reviewer.formatters.{module}"), function
        )
        return formatter(report, options)

    render.__name__ = render.__qualname__ = function
    return render


FORMATTERS: dict[str, Formatter] = {
    "text": _text,
    "json": _lazy("json", "format_json"),
    "sarif": _lazy("sarif", "format_sarif"),
    "github": _lazy("github", "format_github"),
    "rdjson": _lazy("rdjson", "format_rdjson"),
}

__all__ = ["FORMATTERS", "Formatter", "OutputOptions", "ordered", "summary_line"]

"""Writing a rendered report to stdout or a file."""

from __future__ import annotations

import sys
from pathlib import Path

from reviewer.formatters import summary_line
from reviewer.report import Report


def write_report(rendered: str, report: Report, output: str | None) -> None:
    """Print to stdout, or write the file and say so on stderr (so a report
    sent to a file still leaves a trace in the log)."""
    if output is None:
        sys.stdout.write(rendered)
        if rendered and not rendered.endswith("\n"):
            sys.stdout.write("\n")
        sys.stdout.flush()
        return
    Path(output).write_text(rendered, encoding="utf-8")
    print(f"reviewer: {summary_line(report)}; report written to {output}", file=sys.stderr)

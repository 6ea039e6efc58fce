"""Terminal output: findings grouped by file with their code, changed lines
marked, the flagged columns underlined, suggestions, then the summary.

Rendered with rich into a string at a fixed width; plain text (no ANSI) unless
colour is asked for. Only ASCII is added around the user's own text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from io import StringIO
from itertools import groupby
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from reviewer.findings import Finding, Severity
from reviewer.formatters import (
    OutputOptions,
    hidden_line,
    look_first,
    ordered,
    plural,
    risk_line,
    skipped_line,
    summary_line,
)

if TYPE_CHECKING:
    from reviewer.report import Report
    from reviewer.risk import ChangeRisk

SEVERITY_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
MAX_CODE_LINES = 6  # of one finding (and of one suggestion)
TAB_SIZE = 4
MIN_WIDTH = 40
# Control characters (other than tab) in code or messages could drive the
# terminal; each is shown as one `?` so columns stay aligned.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TRAILING_SPACE = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$", re.MULTILINE)


def format_text(report: Report, options: OutputOptions) -> str:
    console = Console(
        file=StringIO(),
        width=max(options.width, MIN_WIDTH),
        force_terminal=options.color,
        color_system="standard" if options.color else None,
        no_color=not options.color,
        highlight=False,
        markup=False,
        emoji=False,
        force_jupyter=False,
        force_interactive=False,
        legacy_windows=False,
        _environ={},  # the result depends on the options only
    )
    if report.risk is not None:
        _print_risk(console, report.risk)
    for path, group in groupby(ordered(report), key=lambda f: f.path):
        findings = list(group)
        console.print(_file_heading(path, len(findings)))
        lines = report.sources.get(path)
        added = report.added_lines.get(path, frozenset())
        gutter = len(str(max(f.end_line for f in findings)))
        for finding in findings:
            console.print(_finding_header(finding))
            if lines is not None:
                _print_code(console, finding, lines, added, gutter)
            if finding.suggestion is not None:
                _print_suggestion(console, finding.suggestion, gutter)
        console.print()
    _print_footer(console, report)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    # Wrapping leaves the space it broke at; the end of a line needs none.
    return _TRAILING_SPACE.sub(r"\1", output)


def _print_risk(console: Console, risk: ChangeRisk) -> None:
    """The change's risk on one line, then up to LOOK_FIRST lines to read first."""
    # One line each, however long (soft_wrap: the terminal folds it, rich does not).
    console.print(Text(_printable(risk_line(risk)), style="bold"), soft_wrap=True)
    lines = look_first(risk)
    if lines:
        console.print(Text("look first at:", style="bold"))
        for line in lines:
            console.print(Text("  " + _printable(line)), soft_wrap=True)
    else:
        console.print(Text("(no line ranking: the model scored no line)", style="dim"))
    console.print()


def _file_heading(path: str, count: int) -> Text:
    heading = Text()
    heading.append(_printable(path), style="bold underline")
    heading.append(f" ({plural(count, 'finding')})", style="dim")
    return heading


def _finding_header(finding: Finding) -> Text:
    """`path:line:col: severity: message [rule-id]`, as compilers print it."""
    header = Text()
    header.append(f"{_printable(finding.path)}:{finding.line}:{finding.column}:", style="bold")
    header.append(" ")
    header.append(finding.severity.label, style=SEVERITY_STYLES[finding.severity])
    header.append(": ")
    header.append(_CONTROL_BUT_NEWLINE.sub("?", finding.message))
    header.append(" ")
    header.append(f"[{finding.rule_id}]", style="magenta")
    if finding.source != "structural":
        header.append(f" ({finding.source}, confidence {finding.confidence:.2f})", style="dim")
    return header


def _print_code(
    console: Console,
    finding: Finding,
    lines: Sequence[str],
    added: frozenset[int],
    gutter: int,
) -> None:
    last = min(finding.end_line, len(lines), finding.line + MAX_CODE_LINES - 1)
    width = console.width - _gutter_cells(gutter)
    style = SEVERITY_STYLES[finding.severity]
    for number in range(finding.line, last + 1):
        text = lines[number - 1]
        row = Text("  ")
        row.append("+" if number in added else " ", style="green")
        row.append(f" {number:>{gutter}} | ", style="dim")
        row.append_text(_clip(_display(text), width))
        console.print(row, no_wrap=True, crop=True)
        if number == finding.line:
            end = finding.end_column if finding.end_line == finding.line else len(text) + 1
            start_cell = _cells(text[: finding.column - 1])
            end_cell = min(_cells(text[: max(end, finding.column) - 1]), width)
            carets = _blank_gutter(gutter)
            carets.append(" " * start_cell + "^" * max(1, end_cell - start_cell), style=style)
            console.print(carets, no_wrap=True, crop=True)
    if finding.end_line > last and last < len(lines):
        more = finding.end_line - last
        console.print(_blank_gutter(gutter).append(f"... {plural(more, 'more line')}"))


def _print_suggestion(console: Console, suggestion: str, gutter: int) -> None:
    console.print(Text("  suggestion:", style="green"))
    replacement = suggestion.split("\n")
    width = console.width - _gutter_cells(gutter)
    for text in replacement[:MAX_CODE_LINES]:
        row = _blank_gutter(gutter)
        row.append_text(_clip(_display(text.rstrip("\r")), width, style="green"))
        console.print(row, no_wrap=True, crop=True)
    if len(replacement) > MAX_CODE_LINES:
        more = len(replacement) - MAX_CODE_LINES
        console.print(_blank_gutter(gutter).append(f"... {plural(more, 'more line')}"))


def _print_footer(console: Console, report: Report) -> None:
    for note in report.notes:
        row = Text().append("note: ", style="yellow")
        row.append(_CONTROL_BUT_NEWLINE.sub("?", note))
        console.print(row)
    for line in (skipped_line(report), hidden_line(report)):
        if line:
            console.print(Text(_printable(line), style="dim"))
    if report.failed:
        style = "bold red"
    elif report.findings:
        style = "bold yellow"
    else:
        style = "bold green"
    console.print(Text(_printable(summary_line(report)), style=style))


def _gutter_cells(digits: int) -> int:
    return len(f"  +  {'9' * digits}| ")


def _blank_gutter(digits: int) -> Text:
    return Text().append(" " * (_gutter_cells(digits) - 2) + "| ", style="dim")


def _display(text: str) -> str:
    return _printable(text.expandtabs(TAB_SIZE))


def _cells(prefix: str) -> int:
    """Terminal cells taken by a line's first characters, as displayed."""
    return cell_len(_display(prefix))


def _clip(text: str, width: int, style: str = "") -> Text:
    """One line of code cut to `width` cells, with `...` when cut."""
    line = Text(text, style=style)
    if cell_len(text) > width > 3:
        line.truncate(width - 3)
        line.append("...", style="dim")
    return line


def _printable(text: str) -> str:
    return _CONTROL.sub("?", text)

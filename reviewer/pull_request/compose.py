"""The text of what is posted: one inline comment per finding, and the
review's summary body (which also carries whatever could not go inline)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from reviewer.findings import Finding
from reviewer.pull_request.markers import (
    SUMMARY_TAG,
    fingerprint_marker,
    head_marker,
    resolved_marker,
)
from reviewer.risk import ChangeRisk, RiskLine, risk_words

ICONS = {"error": "🔴", "warning": "🟠", "info": "🔵"}
MAX_BODY_CHARS = 60_000  # GitHub refuses a review body over 65,536 characters


@dataclass
class Summary:
    """What the summary body reports, filled while the review is built."""

    head_sha: str
    range_text: str  # e.g. "abc1234..def5678 (the commits since the last review)"
    inline: list[Finding] = field(default_factory=list)
    not_inline: list[tuple[Finding, str]] = field(default_factory=list)  # finding, why
    resolved: list[str] = field(default_factory=list)  # fingerprints
    resolved_text: dict[str, str] = field(default_factory=dict)  # fingerprint -> description
    notes: Sequence[str] = ()
    already_posted: int = 0
    risk: ChangeRisk | None = None  # the reviewed range's risk, when the model gave one
    line_url: Callable[[str, int], str] | None = None  # a line's web page


def comment_body(finding: Finding) -> str:
    severity = finding.severity.label
    title = f"{ICONS[severity]} **{severity}** `{finding.rule_id}`"
    if finding.source != "structural":
        title += f" ({finding.source}, confidence {finding.confidence:.2f})"
    parts = [f"{title}: {finding.message}"]
    if finding.suggestion is not None:
        parts.append(f"```suggestion\n{finding.suggestion}\n```")
    parts.append(fingerprint_marker(finding.fingerprint, finding.source))
    return "\n\n".join(parts)


def inline_comment(finding: Finding) -> dict[str, Any]:
    comment: dict[str, Any] = {
        "path": finding.path,
        "line": finding.end_line,
        "side": "RIGHT",
        "body": comment_body(finding),
    }
    if finding.end_line > finding.line:
        comment["start_line"] = finding.line
        comment["start_side"] = "RIGHT"
    return comment


def summary_body(summary: Summary, limit: int = MAX_BODY_CHARS) -> str:
    """The summary; past `limit` characters (GitHub refuses bodies over
    65,536) the last rows give way to a line pointing at the job's log,
    which lists every finding."""
    body = _summary_body(summary, len(summary.not_inline))
    if len(body) <= limit:
        return body
    fits, too_many = 0, len(summary.not_inline)  # rows: binary search the most that fit
    while too_many - fits > 1:
        middle = (fits + too_many) // 2
        if len(_summary_body(summary, middle)) <= limit:
            fits = middle
        else:
            too_many = middle
    return _summary_body(summary, fits)


def _summary_body(summary: Summary, shown: int) -> str:
    count = len(summary.inline) + len(summary.not_inline)
    lines = [
        SUMMARY_TAG,
        "### reviewer",
        "",
        f"Reviewed {summary.range_text}: {_plural(count, 'new finding')}"
        + (f", {len(summary.inline)} inline" if summary.inline else "")
        + (f"; {summary.already_posted} already posted" if summary.already_posted else "")
        + ".",
    ]
    if summary.risk is not None:
        lines += _where_to_look(summary.risk, summary.line_url)
    listed = summary.not_inline[:shown]
    if listed:
        lines += ["", "| | finding | where | why not inline |", "|---|---|---|---|"]
        for finding, why in listed:
            where = f"`{finding.path}:{finding.line}`"
            text = _cell(f"`{finding.rule_id}`: {finding.message}")
            lines.append(
                f"| {ICONS[finding.severity.label]} | {text} | {where} | {why} "
                f"{fingerprint_marker(finding.fingerprint, finding.source)} |"
            )
        suggested = [f for f, _ in listed if f.suggestion is not None]
        for finding in suggested:
            lines += [
                "",
                f"Suggested change for `{finding.path}:{finding.line}`:",
                f"```\n{finding.suggestion}\n```",
            ]
    if shown < len(summary.not_inline):
        hidden = len(summary.not_inline) - shown
        lines += ["", f"{_plural(hidden, 'more finding')} did not fit here: see the job's log."]
    if summary.resolved:
        lines += ["", f"Resolved since the last review ({len(summary.resolved)}):"]
        for fingerprint in summary.resolved:
            description = summary.resolved_text.get(fingerprint, "a finding")
            lines.append(f"- ✅ {description} {resolved_marker(fingerprint)}")
    if summary.notes:
        lines += ["", "<details><summary>Notes</summary>", ""]
        lines += [f"- {_cell(note)}" for note in summary.notes]
        lines += ["", "</details>"]
    lines += ["", head_marker(summary.head_sha)]
    return "\n".join(lines)


def _where_to_look(risk: ChangeRisk, line_url: Callable[[str, int], str] | None) -> list[str]:
    """The "Where to look first" section: the risk, then the ranked lines
    with links (a ranking to read in order, not findings)."""
    reasons = f": {'; '.join(risk.reasons)}" if risk.reasons else ""
    lines = ["", "#### Where to look first", "", f"Change {_cell(risk_words(risk))}{reasons}."]
    if not risk.lines:
        return [*lines, "", "No line ranking: the model scored no line of this change."]
    lines.append("")
    lines += [f"{n}. {_line_entry(line, line_url)}" for n, line in enumerate(risk.lines, 1)]
    return lines


def _line_entry(line: RiskLine, line_url: Callable[[str, int], str] | None) -> str:
    where = f"`{line.path}:{line.line}`"
    if line_url is not None:
        where = f"[{where}]({line_url(line.path, line.line)})"
    reasons = f": {_cell('; '.join(line.reasons))}" if line.reasons else ""
    return f"{where} (score {line.score:.2f}){reasons}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")

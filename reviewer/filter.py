"""Deciding which findings are shown: position mode, suppressions, disabled
checks, thresholds, baseline, dedupe and the cap. Hidden findings are counted
by reason, so the summary can say what was left out."""

from __future__ import annotations

import fnmatch
from collections import Counter
from collections.abc import Iterable, Sequence

from reviewer.config import Config
from reviewer.diff import FileChange
from reviewer.findings import Finding
from reviewer.suppress import is_suppressed


def is_excluded_path(path: str, patterns: Iterable[str]) -> bool:
    """Globs match the whole relative path, or any leading directory of it
    (so `vendor` and `vendor/**` both exclude vendor/a/b.py)."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(fnmatch.fnmatch(prefix, pattern) for pattern in patterns for prefix in prefixes)


def in_scope_lines(change: FileChange, mode: str) -> frozenset[int] | None:
    """Lines a finding must touch to be shown; None means anywhere."""
    if mode == "added":
        return change.added_lines
    if mode == "diff_context":
        return change.context_lines
    return None


def filter_file_findings(
    findings: Iterable[Finding],
    change: FileChange,
    lines: Sequence[str],
    comment_tokens: Sequence[str],
    config: Config,
    baseline: frozenset[str],
    hidden: Counter[str],
) -> list[Finding]:
    """The findings of one file that survive every per-file filter."""
    allowed = in_scope_lines(change, config.filter_mode)
    disabled = set(config.disable)
    kept = []
    for finding in findings:
        span = range(finding.line, finding.end_line + 1)
        if allowed is not None and not any(n in allowed for n in span):
            reason = "outside the diff"
        elif finding.rule_id in disabled:
            reason = "disabled"
        elif is_suppressed(finding, lines, comment_tokens):
            reason = "suppressed"
        elif finding.severity < config.min_severity or finding.confidence < config.min_confidence:
            reason = "below threshold"
        elif finding.fingerprint in baseline:
            reason = "in baseline"
        else:
            kept.append(finding)
            continue
        hidden[reason] += 1
    return kept


def dedupe(findings: Iterable[Finding], hidden: Counter[str]) -> list[Finding]:
    """One finding per (path, lines, rule): the most confident one wins
    (the same defect matched by two patterns, or by both tiers under one id)."""
    best: dict[tuple[str, int, int, str], Finding] = {}
    for finding in findings:
        key = (finding.path, finding.line, finding.end_line, finding.rule_id)
        current = best.get(key)
        if current is not None:
            hidden["duplicate"] += 1
        if current is None or finding.confidence > current.confidence:
            best[key] = finding
    return sorted(best.values(), key=lambda f: f.sort_key)


def cap(findings: list[Finding], limit: int | None, hidden: Counter[str]) -> list[Finding]:
    """Keep the `limit` most severe, most confident findings, in file order."""
    if limit is None or len(findings) <= limit:
        return findings
    ranked = sorted(findings, key=lambda f: (-f.severity, -f.confidence, f.sort_key))
    hidden["over the cap"] += len(findings) - limit
    return sorted(ranked[:limit], key=lambda f: f.sort_key)

"""The one record every producer of review comments emits."""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import IntEnum


class Severity(IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, name: str) -> Severity:
        try:
            return cls[name.strip().upper()]
        except KeyError:
            allowed = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {name!r} (expected one of: {allowed})") from None

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class RuleInfo:
    """What the catalog says about the check behind a finding, so formatters
    (SARIF's rule table) need not look it up again."""

    description: str  # the message template, captures shown as <name>
    severity: Severity  # the check's own severity
    language: str | None = None


@dataclass(frozen=True)
class Finding:
    """A review comment on a span of the new text of a file.

    Positions are 1-based; `end_column` is exclusive. `fingerprint` never
    contains a line number, so it survives edits above the finding and can be
    used for baselines, deduplication and pull-request comment markers.
    """

    path: str
    line: int
    end_line: int
    column: int
    end_column: int
    severity: Severity
    rule_id: str
    message: str
    source: str = "structural"  # "structural" or "model"
    suggestion: str | None = None  # replacement text for lines line..end_line
    confidence: float = 1.0
    snippet: str = ""  # the flagged source text, used for the fingerprint
    fingerprint: str = ""
    language: str | None = None  # of the file, when a grammar covers it
    rule: RuleInfo | None = None  # the structural check's catalog entry

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.rule_id, self.message)


def normalized_snippet(snippet: str) -> str:
    """Whitespace-insensitive form of the flagged text (re-indenting code must
    not change a fingerprint)."""
    return " ".join(snippet.split())


def with_fingerprints(findings: Iterable[Finding]) -> list[Finding]:
    """Sort findings and give each a fingerprint: hash(rule, path, snippet)
    plus an occurrence index among identical ones, in line order."""
    seen: Counter[str] = Counter()
    result = []
    for finding in sorted(findings, key=lambda f: f.sort_key):
        digest = _digest(finding.rule_id, finding.path, finding.snippet)
        result.append(_fingerprinted(finding, f"{digest}:{seen[digest]}"))
        seen[digest] += 1
    return result


# The language server fingerprints the same findings on every keystroke.
@functools.lru_cache(maxsize=65536)
def _digest(rule_id: str, path: str, snippet: str) -> str:
    base = "\0".join((rule_id, path, normalized_snippet(snippet)))
    return hashlib.sha256(base.encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=65536)
def _fingerprinted(finding: Finding, fingerprint: str) -> Finding:
    return replace(finding, fingerprint=fingerprint)

"""The result of a review, as every formatter and surface receives it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.diff import SkippedFile
from reviewer.findings import Finding, Severity
from reviewer.risk import ChangeRisk


@dataclass(frozen=True)
class Report:
    description: str
    root: Path
    findings: tuple[Finding, ...]
    fail_level: Severity
    files_reviewed: int = 0
    units_reviewed: int = 0
    skipped: tuple[SkippedFile, ...] = ()
    hidden: Mapping[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    # The new text of each file with findings, and its added lines, so that
    # formatters can show the code without reading files again.
    sources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    added_lines: Mapping[str, frozenset[int]] = field(default_factory=dict)
    # The change's risk, when a change-level step gave one; and the risk at
    # which the run fails (None: the risk never fails a run).
    risk: ChangeRisk | None = None
    fail_risk: float | None = None

    @property
    def failed(self) -> bool:
        return any(f.severity >= self.fail_level for f in self.findings) or self.risk_failed

    @property
    def risk_failed(self) -> bool:
        return (
            self.risk is not None
            and self.fail_risk is not None
            and self.risk.probability >= self.fail_risk
        )

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

"""The model tier as a producer of findings: score every changed line of
each unit in one forward pass, flag a unit whose best line reaches the gate,
and only then ask the model to explain that line. Its change-level step
gives the change's risk: the change scorer's probability, and the
highest-scored lines of the whole change with the reasons for each."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from reviewer.checks import run_checks
from reviewer.diff import split_lines
from reviewer.findings import Finding, Severity
from reviewer.model.base import BackendError
from reviewer.risk import (
    LOOK_FIRST,
    NO_CODE,
    ChangeFacts,
    ChangeRisk,
    ChangeScorer,
    RiskLine,
    rank_among,
)
from reviewer.risk.choose import scorer_for
from reviewer.risk.defaults import line_severity
from reviewer.scorer.explain import Explainer, fallback_message, with_reasons
from reviewer.scorer.features import FeatureExtractor, scoring_input
from reviewer.scorer.forward import ForwardError, UnitNotScored
from reviewer.scorer.head import Head
from reviewer.scorer.reasons import line_reasons
from reviewer.scorer.sentence_check import sentence_problem
from reviewer.syntax import ParsedFile, ReviewUnit, line_spans

UnitCallback = Callable[[ReviewUnit], None]
# Called with a flagged line's finding before its explanation is written
# (the language server publishes it at once, then the explained one).
FlagCallback = Callable[[Finding], None]


@dataclass
class Scorer:
    """What outlives one run (the language server keeps it between edits):
    the loaded model, the head, the gate and the explainer."""

    extractor: FeatureExtractor
    head: Head
    threshold: float  # the gate on a unit's best calibrated line probability
    explainer: Explainer | None = None
    # The change-level scorer; None: no risk is shown (the model is on by
    # default but the change scorer's card has not earned a default yet).
    change: ChangeScorer | None = None

    def changed_on_disk(self) -> bool:
        """The model file was replaced since it was loaded (the language
        server then builds a new scorer rather than use a stale state)."""
        return self.extractor.model.changed_on_disk()

    def interrupt(self) -> None:
        """Stop a running pass or explanation soon (another thread calls this)."""
        self.extractor.model.interrupt()
        if self.explainer is not None:
            self.explainer.backend.interrupt()

    def close(self) -> None:
        """Free the model (and the explaining backend, if it was loaded)."""
        self.extractor.model.close()
        if self.explainer is not None:
            self.explainer.backend.close()


@dataclass(frozen=True)
class Limits:
    max_units: int
    max_seconds: float


@dataclass
class ScoringStats:
    scored: int = 0
    flagged: int = 0
    explained: int = 0


class ScoringTier:
    """Implements the engine's Producer protocol."""

    def __init__(
        self,
        scorer: Scorer,
        limits: Limits,
        on_unit: UnitCallback | None = None,
        on_flag: FlagCallback | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.scorer = scorer
        self.limits = limits
        self.on_unit = on_unit
        self.on_flag = on_flag
        self.clock = clock
        self.started = clock()
        self.stats = ScoringStats()
        self.not_scored: list[ReviewUnit] = []
        self.stop_reason: str | None = None
        self.failures: Counter[str] = Counter()
        self.invalid_explanations = 0
        self.withheld: Counter[str] = Counter()  # sentences not shown, by why (sentence_check)
        # Every sentence the model wrote, by (path, line), and why it was withheld
        # (None: shown): for bench/explain_judged.py, which judges them all.
        self.sentences: dict[tuple[str, int], tuple[str, str | None]] = {}
        self.lines: list[RiskLine] = []  # every scored line, for the change's ranking
        self.no_code = False
        self.severity = line_severity(scorer.head.card)

    def review_file(self, parsed: ParsedFile, units: Sequence[ReviewUnit]) -> list[Finding]:
        units = [unit for unit in units if unit.changed_lines]
        if not units or parsed.spec is None:
            return []  # the head was trained on code in a known language
        covered = (n for unit in units for n in range(unit.start_line, unit.end_line + 1))
        fired = frozenset(
            n
            for finding in run_checks(parsed, line_spans(covered))
            for n in range(finding.line, finding.end_line + 1)
        )
        findings = []
        for unit in units:
            if self.stop_reason is None:
                self.stop_reason = self._budget_exhausted()
            if self.stop_reason is not None:
                self.not_scored.append(unit)
                continue
            if self.on_unit is not None:
                self.on_unit(unit)
            finding = self._score_unit(parsed, unit, fired)
            if finding is not None:
                findings.append(finding)
        return findings

    def review_change(self, change: ChangeFacts) -> ChangeRisk | None:
        """The change's risk (None when no change scorer is on, or when the
        change adds no reviewable code: then a note says so)."""
        scorer = scorer_for(self.scorer.change, change)  # learned where history was read
        if scorer is None:
            return None
        if change.lines_added == 0:
            self.no_code = True
            return None
        scored = scorer.score(change)
        ranked = sorted(self.lines, key=lambda line: (-line.score, line.path, line.line))
        recent = tuple(
            scorer.score(other).probability
            for other in change.recent
            if scorer_for(self.scorer.change, other) is scorer  # ranked among its own kind
        )
        return ChangeRisk(
            probability=round(scored.probability, 3),
            lines=tuple(ranked[:LOOK_FIRST]),
            reasons=scored.reasons,
            calibrated=scorer.calibrated,
            scorer=scorer.name,
            rank=rank_among(scored.probability, recent),
        )

    def close(self) -> None:
        self.scorer.close()

    def notes(self) -> list[str]:
        notes = [NO_CODE] if self.no_code else []
        invalid = self.invalid_explanations
        if invalid:
            notes.append(
                f"model: {invalid} explanations were not valid JSON for the "
                "schema (the flagged lines are shown with a generic message)"
            )
        if self.withheld:
            why = "; ".join(f"{n} because {reason}" for reason, n in sorted(self.withheld.items()))
            notes.append(f"model: sentences withheld (the reasons stand alone): {why}")
        notes.extend(f"model: {reason}" for reason in sorted(self.failures))
        if self.not_scored:
            listed = ", ".join(_describe(unit) for unit in self.not_scored)
            notes.append(
                f"model: {self.stop_reason}; {len(self.not_scored)} units not scored by "
                f"the model: {listed}"
            )
        return notes

    # -- internals ---------------------------------------------------------

    def _budget_exhausted(self) -> str | None:
        if self.stats.scored >= self.limits.max_units:
            return f"unit budget reached ({self.limits.max_units} units)"
        if self.clock() - self.started >= self.limits.max_seconds:
            return f"time budget reached ({self.limits.max_seconds:g} s)"
        return None

    def _score_unit(
        self, parsed: ParsedFile, unit: ReviewUnit, fired: frozenset[int]
    ) -> Finding | None:
        item = scoring_input(parsed, unit.start_line, sorted(unit.changed_lines), fired)
        if item is None:
            return None  # only blank lines changed
        try:
            features = self.scorer.extractor.features(item)
        except UnitNotScored as error:
            self.failures[f"units not scored: {error}"] += 1
            return None
        except ForwardError as error:
            self.stop_reason = f"stopped: {error}"
            self.not_scored.append(unit)
            return None
        self.stats.scored += 1
        probabilities = self.scorer.head.probabilities(features)
        reasons = line_reasons(self.scorer.head, features)
        self.lines.extend(
            RiskLine(parsed.path, line, round(float(p), 3), why)
            for line, p, why in zip(features.lines, probabilities, reasons, strict=True)
        )
        best = int(np.argmax(probabilities))
        probability = float(probabilities[best])
        if probability < self.scorer.threshold:
            return None
        self.stats.flagged += 1
        line, why = features.lines[best], reasons[best]
        message = fallback_message(probability, why)
        flagged = _finding(parsed, line, probability, message, "bug", self.severity)
        if self.on_flag is not None:
            self.on_flag(flagged)
        explainer = self.scorer.explainer
        if explainer is None:
            return flagged
        try:
            explained = explainer.explain(unit, line)
        except BackendError as error:
            self.failures[f"explanations not written: {error}"] += 1
            return flagged
        if explained is None:
            self.invalid_explanations += 1
            return flagged
        problem = sentence_problem(explained.message, _line_text(unit, line), unit.text)
        self.sentences[(parsed.path, line)] = (explained.message, problem)
        if problem is not None:
            # The reasons stand alone: a wrong sentence costs more than none.
            self.withheld[problem] += 1
            return flagged
        self.stats.explained += 1
        message = with_reasons(explained.message, why)
        return _finding(parsed, line, probability, message, explained.category, self.severity)


def _line_text(unit: ReviewUnit, line: int) -> str:
    lines = split_lines(unit.text)
    index = line - unit.start_line
    return lines[index] if 0 <= index < len(lines) else ""


def _finding(
    parsed: ParsedFile,
    line: int,
    probability: float,
    message: str,
    category: str,
    severity: Severity,
) -> Finding:
    text = parsed.lines[line - 1]
    return Finding(
        path=parsed.path,
        line=line,
        end_line=line,
        column=len(text) - len(text.lstrip()) + 1,
        end_column=len(text) + 1,
        severity=severity,
        rule_id=f"model/{category}",
        message=message,
        source="model",
        confidence=round(probability, 3),
        snippet=text,
    )


def _describe(unit: ReviewUnit) -> str:
    name = unit.symbol or unit.kind
    return f"{unit.path}:{unit.start_line}-{unit.end_line} ({name})"

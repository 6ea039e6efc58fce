"""The model tier as a producer of findings: for each ReviewUnit, ask the
backend (or the cache), check the answer, score each comment, and stop at the
run's budget, listing whatever was not reviewed."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reviewer.config import ModelConfig
from reviewer.findings import Finding, Severity
from reviewer.model.base import Backend, BackendError, BackendTimeout, UnitSkipped
from reviewer.model.cache import AnswerCache, CachedAnswer, cache_key
from reviewer.model.prompt import PROMPT_VERSION, build_request
from reviewer.model.schema import ModelAnswer, ModelComment, file_line, parse_answer
from reviewer.syntax import ParsedFile, ReviewUnit

# Called before each unit is reviewed (the CLI drives a progress bar with it).
UnitCallback = Callable[[ReviewUnit], None]


@dataclass
class TierStats:
    reviewed: int = 0
    cached: int = 0
    invalid: int = 0
    completion_tokens: int = 0


class ModelTier:
    """Implements the engine's Producer protocol."""

    def __init__(
        self,
        backend: Backend,
        settings: ModelConfig,
        cache: AnswerCache | None = None,
        on_unit: UnitCallback | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backend = backend
        self.settings = settings
        self.cache = cache
        self.on_unit = on_unit
        self.clock = clock
        self.started = clock()
        self.stats = TierStats()
        self.not_reviewed: list[ReviewUnit] = []
        self.stop_reason: str | None = None
        self.failures: Counter[str] = Counter()

    def review_file(self, parsed: ParsedFile, units: Sequence[ReviewUnit]) -> list[Finding]:
        findings: list[Finding] = []
        for unit in units:
            if not unit.changed_lines:
                continue
            if self.stop_reason is None:
                self.stop_reason = self._budget_exhausted()
            if self.stop_reason is not None:
                self.not_reviewed.append(unit)
                continue
            if self.on_unit is not None:
                self.on_unit(unit)
            findings.extend(self._review_unit(parsed, unit))
        return findings

    def notes(self) -> list[str]:
        notes = []
        if self.stats.invalid:
            notes.append(f"model: {self.stats.invalid} answers were not valid JSON for the schema")
        notes.extend(f"model: {reason}" for reason in sorted(self.failures))
        notes.extend(f"model: {note}" for note in self.backend.notes())
        if self.not_reviewed:
            listed = ", ".join(_describe(unit) for unit in self.not_reviewed)
            notes.append(
                f"model: {self.stop_reason}; {len(self.not_reviewed)} units not reviewed by "
                f"the model: {listed}"
            )
        return notes

    # -- internals ---------------------------------------------------------

    def _budget_exhausted(self) -> str | None:
        limits = self.settings
        if self.stats.reviewed >= limits.max_units:
            return f"unit budget reached ({limits.max_units} units)"
        if self.clock() - self.started >= limits.max_seconds:
            return f"time budget reached ({limits.max_seconds:g} s)"
        return None

    def _review_unit(self, parsed: ParsedFile, unit: ReviewUnit) -> list[Finding]:
        request = build_request(
            unit, self.settings.max_comments_per_unit, self.settings.max_tokens_per_unit
        )
        try:
            identity = self.backend.identity  # a server backend asks the server
        except BackendError as error:
            return self._stop(unit, error)
        key = cache_key(
            identity,
            PROMPT_VERSION,
            request.messages,
            request.schema,
            request.max_tokens,
        )
        cached = self.cache.get(key) if self.cache else None
        if cached is not None:
            self.stats.cached += 1
            answer = self._parse(cached.text, unit)
            confidences = cached.confidences
        else:
            try:
                generation = self.backend.review(request)
            except BackendError as error:
                return self._stop(unit, error)
            self.stats.reviewed += 1
            self.stats.completion_tokens += generation.completion_tokens
            answer = self._parse(generation.text, unit)
            try:
                confidences = tuple(
                    self.backend.verify(request, comment) for comment in answer.comments
                )
            except BackendError as error:
                return self._unverified(unit, answer, error)
            if self.cache is not None:
                self.cache.put(key, CachedAnswer(generation.text, confidences))
        return [
            _finding(parsed, unit, comment, confidence)
            for comment, confidence in zip(answer.comments, confidences, strict=False)
        ]

    def _stop(self, unit: ReviewUnit, error: BackendError) -> list[Finding]:
        """The backend failed: no more units go to it this run (unless only
        this unit was the problem)."""
        if isinstance(error, UnitSkipped):
            self.failures[f"{_describe(unit)} not reviewed: {error}"] += 1
            return []
        if isinstance(error, BackendTimeout):
            self.stop_reason = f"stopped after a timeout ({error})"
        else:
            self.stop_reason = f"stopped: {error}"
        self.not_reviewed.append(unit)
        return []

    def _unverified(
        self, unit: ReviewUnit, answer: ModelAnswer, error: BackendError
    ) -> list[Finding]:
        """The unit was reviewed but scoring its comments failed. Unscored
        comments from a small model are not trustworthy, so they are not
        shown; the summary names them, and nothing is cached (a re-run
        scores them again)."""
        lines = ", ".join(str(file_line(unit, comment.line)) for comment in answer.comments)
        self.failures[
            f"{_describe(unit)}: {len(answer.comments)} comments (lines {lines}) not shown, "
            f"their confidence check failed: {error}"
        ] += 1
        if not isinstance(error, UnitSkipped):
            self.stop_reason = f"stopped: {error}"
        return []

    def _parse(self, text: str, unit: ReviewUnit) -> ModelAnswer:
        try:
            return parse_answer(text, unit, self.settings.max_comments_per_unit)
        except ValueError:
            self.stats.invalid += 1
            return ModelAnswer(comments=[])


def _finding(
    parsed: ParsedFile, unit: ReviewUnit, comment: ModelComment, confidence: float
) -> Finding:
    line = file_line(unit, comment.line)  # the model counts from the unit's first line
    line_text = parsed.lines[line - 1] if line <= len(parsed.lines) else ""
    return Finding(
        path=parsed.path,
        line=line,
        end_line=line,
        column=len(line_text) - len(line_text.lstrip()) + 1,
        end_column=len(line_text) + 1,
        severity=Severity.parse(comment.severity),
        rule_id=f"model/{comment.category}",
        message=comment.message.strip(),
        source="model",
        suggestion=comment.suggestion if comment.suggestion else None,
        confidence=round(confidence, 3),
        snippet=line_text,
        language=parsed.language,
    )


def _describe(unit: ReviewUnit) -> str:
    name = unit.symbol or unit.kind
    return f"{unit.path}:{unit.start_line}-{unit.end_line} ({name})"

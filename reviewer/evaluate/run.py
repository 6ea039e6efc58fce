"""Running one configuration over records: each record's unit is reviewed
alone through reviewer.engine.review (the path `reviewer diff` takes), as a
file whose changed lines are the record's candidate lines, in diff mode
(`added`: only comments on changed lines count)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from reviewer.config import Config, ModelConfig
from reviewer.dataset.candidates import candidate_lines, labelled_lines
from reviewer.dataset.record import Record
from reviewer.diff import ChangeSet, ChangeStatus, FileChange, Hunk
from reviewer.engine import Producer, StructuralChecks, review
from reviewer.evaluate.metrics import Outcome
from reviewer.findings import Finding

# Comments with their confidence: the threshold is applied afterwards, so one
# run gives the raw and the filtered numbers.
Reviewed = tuple[Outcome, tuple[tuple[int, float], ...]]
Progress = Callable[[int, int], None]


def sample(records: Sequence[Record], size: int | None, seed: int) -> list[Record]:
    """`size` records, half buggy, drawn with a seed (all when None)."""
    if size is None or size >= len(records):
        return list(records)
    rng = random.Random(seed)
    buggy = [r for r in records if r.buggy]
    clean = [r for r in records if not r.buggy]
    take = min(len(buggy), size // 2)
    chosen = rng.sample(buggy, take) + rng.sample(clean, min(len(clean), size - take))
    return sorted(chosen, key=lambda r: r.id)


def hunks_for(lines: Iterable[int]) -> tuple[Hunk, ...]:
    """One hunk per run of consecutive lines (old side mirrored)."""
    hunks: list[Hunk] = []
    for n in sorted(set(lines)):
        last = hunks[-1] if hunks else None
        if last is not None and last.new_start + last.new_count == n:
            hunks[-1] = Hunk(last.old_start, last.old_count + 1, last.new_start, last.new_count + 1)
        else:
            hunks.append(Hunk(n, 1, n, 1))
    return tuple(hunks)


def evaluate(
    records: Sequence[Record],
    producer: Producer,
    seed: int = 0,
    progress: Progress | None = None,
) -> list[Reviewed]:
    config = Config(
        filter_mode="added",
        min_confidence=0.0,
        model=ModelConfig(cache=False, max_units=10**9, max_seconds=1e12),
    )
    results = []
    for index, record in enumerate(records):
        candidates = candidate_lines(record, seed)
        change = FileChange(
            path=record.path,
            status=ChangeStatus.MODIFIED,
            new_text=record.unit_before + "\n",
            hunks=hunks_for(candidates),
        )
        started = time.perf_counter()
        report = review(ChangeSet(Path("."), record.id, (change,)), config, producers=(producer,))
        seconds = time.perf_counter() - started
        scored = _lines(report.findings, candidates)
        outcome = Outcome(
            record.id,
            record.buggy,
            tuple(candidates),
            tuple(labelled_lines(record)),
            tuple(line for line, _ in scored),
            seconds,
        )
        results.append((outcome, scored))
        if progress is not None:
            progress(index + 1, len(records))
    return results


def at_threshold(reviewed: Sequence[Reviewed], threshold: float) -> list[Outcome]:
    """The outcomes keeping only comments at or above `threshold`."""
    kept = []
    for outcome, scored in reviewed:
        lines = tuple(sorted({line for line, confidence in scored if confidence >= threshold}))
        kept.append(
            Outcome(
                outcome.record_id,
                outcome.buggy,
                outcome.candidates,
                outcome.labelled,
                lines,
                outcome.seconds,
            )
        )
    return kept


def _lines(findings: Sequence[Finding], candidates: Sequence[int]) -> tuple[tuple[int, float], ...]:
    """Distinct commented candidate lines, each with its best confidence."""
    best: dict[int, float] = {}
    for finding in findings:
        if finding.line in candidates:
            best[finding.line] = max(best.get(finding.line, 0.0), finding.confidence)
    return tuple(sorted(best.items()))


def structural() -> Producer:
    return StructuralChecks()

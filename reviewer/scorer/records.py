"""Labelled dataset records as scoring inputs: each record's unit is parsed
as a file, its candidate window (reviewer.dataset.candidates, the lines
`reviewer eval` marks as changed) is what is scored, and a line's label
says whether the fix changed it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from reviewer.checks import run_checks
from reviewer.dataset.candidates import candidate_lines, labelled_lines
from reviewer.dataset.record import Record
from reviewer.scorer.features import FeatureExtractor, LineFeatures, ScoringInput, scoring_input
from reviewer.scorer.fit import LineSet
from reviewer.syntax import parse_file


@dataclass(frozen=True)
class LabelledUnit:
    record: Record
    item: ScoringInput
    labels: tuple[bool, ...]  # per scored line


def labelled_unit(record: Record, seed: int = 0) -> LabelledUnit | None:
    parsed = parse_file(record.path, record.unit_before + "\n")
    fired = frozenset(
        n for finding in run_checks(parsed) for n in range(finding.line, finding.end_line + 1)
    )
    item = scoring_input(parsed, 1, candidate_lines(record, seed), fired)
    if item is None:
        return None
    buggy = set(labelled_lines(record))
    return LabelledUnit(record, item, tuple(n in buggy for n in item.lines))


Progress = Callable[[int, int], None]


def extract(
    units: Sequence[LabelledUnit], extractor: FeatureExtractor, progress: Progress | None = None
) -> list[LineFeatures]:
    """Features of every unit (cached per text: an interrupted run resumes)."""
    result = []
    for index, unit in enumerate(units):
        result.append(extractor.features(unit.item))
        if progress is not None:
            progress(index + 1, len(units))
    return result


def line_set(units: Sequence[LabelledUnit], features: Sequence[LineFeatures]) -> LineSet:
    return LineSet(
        np.concatenate([f.hidden for f in features]),
        np.concatenate([f.scalars for f in features]),
        np.concatenate([np.array(u.labels, np.float64) for u in units]),
        np.concatenate([np.full(len(u.labels), i, np.int64) for i, u in enumerate(units)]),
    )

"""Which lines count as "changed" when a record is shown to a model, in
training and in evaluation alike.

The trap: a fix record's `changed_lines_in_unit` are exactly its fixed lines,
so marking them as changed hands the model the answer. At inference the
reviewer marks a whole hunk, so a record is shown the same way: a window of
WINDOW_MIN..WINDOW_MAX lines holding the record's anchor lines (the fixed
lines of a fix, the changed lines of a clean unit) at a random position,
drawn identically for both kinds. chance@k is computed on these lines."""

from __future__ import annotations

import random
from typing import Literal

from reviewer.dataset.record import Record
from reviewer.diff import split_lines

WINDOW_MIN = 4
WINDOW_MAX = 12
Policy = Literal["window", "unit"]


def labelled_lines(record: Record) -> list[int]:
    """The unit-relative lines a comment should land on ([] for clean)."""
    count = len(split_lines(record.unit_before))
    return sorted({n for n in record.fixed_lines_in_unit if 1 <= n <= count})


def candidate_lines(record: Record, seed: int = 0, policy: Policy = "window") -> list[int]:
    """Unit-relative, non-blank lines to mark as changed; deterministic given
    the seed and the record's id."""
    lines = split_lines(record.unit_before)
    text = [n for n, line in enumerate(lines, start=1) if line.strip()]
    if policy == "unit" or not text:
        return text
    rng = random.Random(f"{seed}:{record.id}")
    anchor = labelled_lines(record) if record.buggy else []
    if not record.buggy:
        anchor = sorted({n for n in record.changed_lines_in_unit if 1 <= n <= len(lines)})
    if not anchor:
        anchor = [rng.choice(text)]
    if anchor[-1] - anchor[0] >= WINDOW_MAX:  # a long change: a hunk-sized part of it
        first = rng.choice(anchor)
        anchor = [n for n in anchor if first <= n < first + WINDOW_MAX]
    low, high = anchor[0], anchor[-1]
    size = min(len(lines), max(high - low + 3, rng.randint(WINDOW_MIN, WINDOW_MAX)))
    start = rng.randint(max(1, high - size + 1), max(1, min(low, len(lines) - size + 1)))
    window = [n for n in text if start <= n < start + size]
    return window or anchor

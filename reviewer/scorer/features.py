"""Per changed line, the feature vector the head reads: the line's pooled
hidden states (mean and max), its surprisal, where it sits in the change,
how long it is, the syntax on it and whether a structural check fired there.

The model reads the code from the unit's first line (at most MAX_ABOVE lines
before the first changed one) to the last changed line: it is causal, so
nothing after the last changed line could change a state it gives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from reviewer.scorer.cache import StatesCache, states_key
from reviewer.scorer.facts import NAMES as SYNTAX_NAMES
from reviewer.scorer.facts import line_facts
from reviewer.scorer.forward import LineStates, Pass
from reviewer.syntax import ParsedFile

Array = npt.NDArray[np.float32]
MAX_ABOVE = 60

SCALAR_NAMES = (
    "surprisal_mean",
    "surprisal_max",
    "surprisal_mean_rel",
    "surprisal_max_rel",
    "tokens",
    "tokens_rel",
    "chars",
    "chars_rel",
    "position",
    "is_first",
    "is_last",
    "changed_count",
    "unit_mean_tokens",
    "check_fired",
    *SYNTAX_NAMES,
)


@dataclass(frozen=True)
class ScoringInput:
    """What is scored: `lines` (1-based, of `parsed`) are the changed,
    non-blank lines; the model reads from `first_line`."""

    parsed: ParsedFile
    first_line: int
    lines: tuple[int, ...]
    check_lines: frozenset[int] = frozenset()

    def text(self) -> str:
        last = max(self.lines)
        return "".join(line + "\n" for line in self.parsed.lines[self.first_line - 1 : last])


def scoring_input(
    parsed: ParsedFile, unit_start: int, changed: Sequence[int], check_lines: frozenset[int]
) -> ScoringInput | None:
    """The input for one unit's changed lines; None when none is scorable."""
    count = len(parsed.lines)
    text = parsed.lines
    lines = tuple(sorted(n for n in set(changed) if 1 <= n <= count and text[n - 1].strip()))
    if not lines:
        return None
    first = max(unit_start, lines[0] - MAX_ABOVE, 1)
    return ScoringInput(parsed, first, lines, check_lines)


@dataclass(frozen=True)
class LineFeatures:
    lines: tuple[int, ...]
    hidden: Array  # lines x 2d: mean then max of the hidden states
    scalars: Array  # lines x len(SCALAR_NAMES)
    tokens: npt.NDArray[np.int32]  # tokens on each line (the trivial baselines use it)


class FeatureExtractor:
    """Turns ScoringInputs into LineFeatures, one cached pass per text."""

    def __init__(self, model: Pass, model_sha256: str, cache: StatesCache | None = None) -> None:
        self.model = model
        self.model_sha256 = model_sha256
        self.cache = cache

    def states(self, item: ScoringInput) -> LineStates:
        text = item.text()
        key = states_key(self.model_sha256, text)
        cached = self.cache.get(key) if self.cache is not None else None
        if cached is not None:
            return cached
        states = self.model.states(text, text.count("\n"))
        if self.cache is not None:
            self.cache.put(key, states)
        return states

    def is_cached(self, item: ScoringInput) -> bool:
        key = states_key(self.model_sha256, item.text())
        return self.cache is not None and self.cache.contains(key)

    def features(self, item: ScoringInput) -> LineFeatures:
        return assemble(item, self.states(item))


def assemble(item: ScoringInput, states: LineStates) -> LineFeatures:
    rows = [n - item.first_line for n in item.lines]
    hidden = np.concatenate([states.mean[rows], states.max[rows]], axis=1)
    surprisal = states.surprisal[rows]
    tokens = states.tokens[rows].astype(np.float32)
    chars = np.array([len(item.parsed.lines[n - 1].strip()) for n in item.lines], np.float32)
    count = len(rows)
    position = np.arange(count, dtype=np.float32) / max(count - 1, 1)
    scalars = np.column_stack(
        [
            surprisal[:, 0],
            surprisal[:, 1],
            surprisal[:, 0] - surprisal[:, 0].mean(),
            surprisal[:, 1] - surprisal[:, 1].mean(),
            np.log1p(tokens),
            tokens / max(float(tokens.max()), 1.0),
            np.log1p(chars),
            chars / max(float(chars.max()), 1.0),
            position,
            (np.arange(count) == 0).astype(np.float32),
            (np.arange(count) == count - 1).astype(np.float32),
            np.full(count, np.log1p(count), np.float32),
            np.full(count, np.log1p(tokens.mean()), np.float32),
            np.array([n in item.check_lines for n in item.lines], np.float32),
            line_facts(item.parsed, item.lines),
        ]
    ).astype(np.float32)
    return LineFeatures(item.lines, hidden.astype(np.float32), scalars, states.tokens[rows])

"""Why the head scored a line high, from its own inputs: a logistic head's
logit is a sum of terms (coefficient times standardised value), so the
terms are grouped by what they measure and the largest positive groups are
named in words. A head of another kind (an MLP) has no such terms and gives
no reasons rather than invented ones."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from reviewer.scorer.features import SCALAR_NAMES, LineFeatures
from reviewer.scorer.head import Head

MAX_REASONS = 3
MIN_TERM = 0.05  # a group adding less than this to the logit is not named

# scalar group -> (words when its value is above the training mean, below it);
# None: the direction says nothing worth naming (e.g. "no check fired")
_WORDS: dict[str, tuple[str | None, str | None]] = {
    "surprisal": ("tokens the model found surprising", "code the model found predictable"),
    "length": ("a long line", "a short line"),
    "position": ("late in its unit's changes", "early in its unit's changes"),
    "unit": ("many changed lines around it", "few changed lines around it"),
    "check": ("a structural check fired on it", None),
    "condition": ("a condition", None),
    "return": ("a return, raise or throw", None),
    "call": ("a call", None),
    "assignment": ("an assignment", None),
    "comparison": ("a comparison", None),
    "boolean": ("a boolean operator", None),
    "loop": ("a loop", None),
    "exception": ("exception handling", None),
    "index": ("an index or slice", None),
    "member": ("a member access", None),
    "literal": ("a literal", None),
    "nothing": ("a null value", None),
    "definition": ("a definition", None),
    "depth": ("deep nesting", None),
    "indent": ("deep indentation", None),
}
STATES = "the model's states on it resemble lines that were later fixed"


def _group(name: str) -> str:
    if name.startswith("surprisal"):
        return "surprisal"
    if name.startswith(("tokens", "chars")):
        return "length"
    if name in ("position", "is_first", "is_last"):
        return "position"
    if name in ("changed_count", "unit_mean_tokens"):
        return "unit"
    if name == "check_fired":
        return "check"
    return name.removeprefix("syntax_")


GROUPS = tuple(_group(name) for name in SCALAR_NAMES)


def line_reasons(head: Head, features: LineFeatures) -> list[tuple[str, ...]]:
    """Per line of `features`, the words for its largest positive terms."""
    count = len(features.lines)
    if head.kind != "logistic" or len(head.layers) != 1:
        return [()] * count
    x = head.inputs.matrix(features.hidden, features.scalars)
    terms = x * head.layers[0][0][:, 0]
    hidden = x.shape[1] - len(SCALAR_NAMES)
    return [_words(terms[row], x[row], hidden) for row in range(count)]


Row = npt.NDArray[np.float64]


def _words(terms: Row, x: Row, hidden: int) -> tuple[str, ...]:
    totals: dict[str, float] = {STATES: float(terms[:hidden].sum())}
    strongest: dict[str, tuple[float, float]] = {}  # group -> (|term|, value) of its largest term
    for offset, group in enumerate(GROUPS):
        term, value = float(terms[hidden + offset]), float(x[hidden + offset])
        if abs(term) > strongest.get(group, (-1.0, 0.0))[0]:
            strongest[group] = (abs(term), value)
        totals[group] = totals.get(group, 0.0) + term
    named: list[tuple[float, str]] = []
    for group, total in totals.items():
        if total < MIN_TERM:
            continue
        if group == STATES:
            named.append((total, STATES))
            continue
        high, low = _WORDS[group]
        words = high if strongest[group][1] > 0 else low
        if words is not None:
            named.append((total, words))
    named.sort(key=lambda pair: (-pair[0], pair[1]))
    return tuple(words for _, words in named[:MAX_REASONS])

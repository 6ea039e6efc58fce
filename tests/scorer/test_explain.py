"""The explanation's token budget holds the longest answer its schema
allows: a budget cut mid-sentence leaves invalid JSON, and the flag then
shows the generic message instead of the model's sentence."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reviewer.model.schema import CATEGORIES
from reviewer.scorer.explain import MAX_MESSAGE_CHARS, MAX_TOKENS, Explanation

pytestmark = pytest.mark.model

# Code-dense, as sentences about a line are: about 2 characters per token.
SENTENCE = (
    "`range(1, len(values))` skips `values[0]`; `total += values[i] * weights[i - 1]` then "
    "reads `weights[-1]` for i == 1, so `mean_weighted([x])` returns 0.0 not x."
)


def longest_answer(message: str) -> str:
    category = max(CATEGORIES, key=len)
    # indented, as a model may write it under the schema's grammar
    return json.dumps({"line": 9999, "category": category, "message": message}, indent=2)


def test_the_budget_holds_the_longest_valid_answer(forward: Any) -> None:
    message = SENTENCE[:MAX_MESSAGE_CHARS]
    answer = longest_answer(message)
    Explanation.model_validate_json(answer)  # a valid answer at the schema's limit
    tokens, _ = forward.tokenize(answer)
    assert len(tokens) <= MAX_TOKENS, (len(tokens), MAX_TOKENS)


def test_the_budget_is_not_the_message_alone(forward: Any) -> None:
    """The JSON around the sentence costs tokens of its own."""
    message = SENTENCE[:MAX_MESSAGE_CHARS]
    wrapper, _ = forward.tokenize(longest_answer(""))
    sentence, _ = forward.tokenize(message)
    assert len(wrapper) >= 10
    assert len(wrapper) + len(sentence) <= MAX_TOKENS

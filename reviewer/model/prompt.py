"""What a backend is asked: a ReviewRequest. The scorer's explainer
(reviewer.scorer.explain) builds the one request the model tier makes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reviewer.syntax import ReviewUnit


@dataclass(frozen=True)
class ReviewRequest:
    """Everything a backend needs to answer about one unit."""

    messages: tuple[dict[str, str], ...]
    schema: dict[str, Any]
    max_tokens: int
    unit: ReviewUnit

"""What a review answer may hold: a JSON schema built per unit (its `line`
is an enum of the unit's changed lines, numbered from the unit's first line,
so no other line can come out), and the pydantic model that parses it. It is
the answer `reviewer train` teaches an adapter; the explainer's answer uses
its categories."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from reviewer.syntax import ReviewUnit

CATEGORIES = (
    "bug",
    "security",
    "error-handling",
    "performance",
    "concurrency",
    "resource-leak",
    "api-misuse",
    "maintainability",
)
SEVERITIES = ("error", "warning", "info")
MAX_MESSAGE_CHARS = 200
MAX_SUGGESTION_CHARS = 300

Category = Literal[
    "bug",
    "security",
    "error-handling",
    "performance",
    "concurrency",
    "resource-leak",
    "api-misuse",
    "maintainability",
]


class ModelComment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line: int
    severity: Literal["error", "warning", "info"]
    category: Category
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    suggestion: str | None = Field(default=None, max_length=MAX_SUGGESTION_CHARS)


class ModelAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comments: list[ModelComment]


def model_lines(unit: ReviewUnit) -> frozenset[int]:
    """The unit's changed lines as the model numbers them: from 1 at the
    unit's first line."""
    return frozenset(n - unit.start_line + 1 for n in unit.changed_lines)


def answer_schema(unit: ReviewUnit, max_comments: int) -> dict[str, Any]:
    """The JSON schema for one unit's answer (llama.cpp turns it into a
    grammar; OpenAI-compatible servers take it as `json_schema`)."""
    comment = {
        "type": "object",
        "properties": {
            "line": {"enum": sorted(model_lines(unit))},
            "severity": {"enum": list(SEVERITIES)},
            "category": {"enum": list(CATEGORIES)},
            "message": {"type": "string", "minLength": 1, "maxLength": MAX_MESSAGE_CHARS},
            "suggestion": {"type": "string", "maxLength": MAX_SUGGESTION_CHARS},
        },
        "required": ["line", "severity", "category", "message"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {"comments": {"type": "array", "items": comment, "maxItems": max_comments}},
        "required": ["comments"],
        "additionalProperties": False,
    }


def parse_answer(text: str, unit: ReviewUnit, max_comments: int) -> ModelAnswer:
    """Parse and re-check an answer: a server that ignores the schema must not
    get comments onto other lines. Raises ValueError on anything invalid."""
    answer = ModelAnswer.model_validate_json(text)
    allowed = model_lines(unit)
    for comment in answer.comments:
        if comment.line not in allowed:
            raise ValueError(f"line {comment.line} is not a changed line of the unit")
    if len(answer.comments) > max_comments:
        raise ValueError(f"{len(answer.comments)} comments, at most {max_comments} allowed")
    return answer

"""Training examples: the exact prompt the model tier builds at inference
(reviewer.model.prompt.build_request on the units reviewer.syntax cuts from
the record's code, with the candidate lines as the changed lines) and, as
the target, the schema-constrained JSON answer it should give."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from reviewer.dataset.candidates import Policy, candidate_lines, labelled_lines
from reviewer.dataset.record import Record
from reviewer.model.prompt import build_request
from reviewer.model.schema import (
    CATEGORIES,
    MAX_MESSAGE_CHARS,
    MAX_SUGGESTION_CHARS,
    parse_answer,
)
from reviewer.syntax import ReviewUnit, parse_file, review_units

MAX_COMMENTS = 1  # the tier's default: one comment per unit
MAX_ANSWER_TOKENS = 256
_PR_NUMBER = re.compile(r"\s*\((#|gh-|GH-)\d+\)\s*$")
_CONVENTIONAL = re.compile(r"^\w+(\([^)]*\))?!?:\s*")
_FIX_VERB = re.compile(r"^(bug ?fix|hot ?fix|fix(es|ed|ing)?)\b[:\s]*", re.IGNORECASE)


@dataclass(frozen=True)
class Example:
    """One chat exchange: the review request and the answer to learn."""

    record_id: str
    messages: tuple[dict[str, str], ...]
    target: str
    buggy: bool  # the target holds a comment


def record_units(record: Record, seed: int = 0, policy: Policy = "window") -> list[ReviewUnit]:
    """The units the reviewer would cut from the record's code with the
    candidate lines marked as changed (the unit's text is the whole file)."""
    parsed = parse_file(record.path, record.unit_before + "\n")
    return review_units(parsed, candidate_lines(record, seed, policy))


def examples_for(record: Record, seed: int = 0, policy: Policy = "window") -> list[Example]:
    examples = []
    for unit in record_units(record, seed, policy):
        request = build_request(unit, MAX_COMMENTS, MAX_ANSWER_TOKENS)
        target = answer_for(record, unit)
        parse_answer(target, unit, MAX_COMMENTS)  # the target obeys the schema
        examples.append(Example(record.id, request.messages, target, target != EMPTY))
    return examples


def build_examples(records: Iterable[Record], seed: int = 0) -> Iterator[Example]:
    for record in records:
        yield from examples_for(record, seed)


EMPTY = json.dumps({"comments": []})


def answer_for(record: Record, unit: ReviewUnit) -> str:
    """The JSON the model should answer for `unit`: one comment on the first
    labelled line among the unit's changed lines, else an empty list. Keys
    come in the schema's order, the order llama.cpp's grammar generates."""
    labelled = [n for n in labelled_lines(record) if n in unit.changed_lines]
    if not labelled:
        return EMPTY
    line = labelled[0]
    comment: dict[str, object] = {
        "line": line - unit.start_line + 1,
        "severity": "error" if record.category in (None, "bug", "security") else "warning",
        "category": record.category if record.category in CATEGORIES else "bug",
        "message": comment_message(record),
    }
    first_fixed = labelled_lines(record)[0]
    if record.suggestion and line == first_fixed:
        comment["suggestion"] = record.suggestion[:MAX_SUGGESTION_CHARS]
    return json.dumps({"comments": [comment]}, ensure_ascii=False)


def comment_message(record: Record) -> str:
    """A reviewer's sentence from the record: a mutation's own message, or
    the fix commit's subject without its `fix:` prefix and PR number."""
    text = record.message.strip().split("\n", 1)[0].strip()
    if record.origin == "mined":
        text = _PR_NUMBER.sub("", text)
        text = _CONVENTIONAL.sub("", text)
        text = _FIX_VERB.sub("", text).strip()
        text = text[:1].upper() + text[1:] if text else "This line is wrong."
        if not text.endswith((".", "!", "?")):
            text += "."
    return text[:MAX_MESSAGE_CHARS] or "This line is wrong."

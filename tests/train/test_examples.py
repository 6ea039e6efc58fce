"""Training examples: the candidate lines hide the answer (never just the
fixed lines, drawn the same way for clean units), and the target is the
schema's JSON with lines counted from the unit's first line."""

from __future__ import annotations

import json
import re

from reviewer.dataset.candidates import WINDOW_MAX, candidate_lines
from reviewer.dataset.record import Record
from reviewer.model.prompt import SYSTEM_PROMPT
from reviewer.train.examples import EMPTY, comment_message, examples_for

BODY = "\n".join(
    ["def compute(items, limit):"]
    + [f"    value_{i} = items[{i}] + limit" for i in range(1, 19)]
    + ["    return value_1"]
)


def record(kind: str = "fix", lines: tuple[int, ...] = (10,), **extra: object) -> Record:
    fields: dict[str, object] = {
        "id": "acme/x:abc:mod.py:1",
        "repo": "acme/x",
        "license": "MIT",
        "language": "python",
        "path": "mod.py",
        "commit": "abc",
        "parent": "def",
        "date": "2026-01-01",
        "message": "fix: wrong offset in compute (#12)",
        "kind": kind,
        "unit_start": 1,
        "unit_end": 20,
        "unit_before": BODY,
        "unit_after": BODY,
        "fixed_lines": list(lines) if kind == "fix" else [],
        "fixed_lines_in_unit": list(lines) if kind == "fix" else [],
        "changed_lines_in_unit": list(lines),
        "symbol": "compute",
    }
    fields.update(extra)
    return Record.model_validate(fields)


def test_candidates_hold_the_fixed_line_at_varying_positions_and_more() -> None:
    offsets = set()
    for seed in range(40):
        lines = candidate_lines(record(), seed=seed)
        assert 10 in lines
        assert len(lines) > 1  # never just the fixed line
        assert lines == list(range(lines[0], lines[-1] + 1))  # one hunk-like run
        assert len(lines) <= WINDOW_MAX
        offsets.add(lines.index(10))
    assert len(offsets) >= 5


def test_clean_units_are_drawn_the_same_way() -> None:
    for seed in range(20):
        fix = candidate_lines(record("fix", (7, 8)), seed=seed)
        clean = candidate_lines(record("clean", (7, 8)), seed=seed)
        assert fix == clean


def test_candidates_are_deterministic_and_whole_unit_on_request() -> None:
    assert candidate_lines(record(), seed=3) == candidate_lines(record(), seed=3)
    assert candidate_lines(record(), policy="unit") == list(range(1, 21))


def test_a_fix_example_marks_the_window_and_targets_the_fixed_line() -> None:
    (example,) = examples_for(record(suggestion="    value_10 = items[10] - limit"), seed=5)
    assert example.messages[0]["content"] == SYSTEM_PROMPT
    marked = [int(n) for n in re.findall(r"^\s*(\d+)\+\|", example.messages[1]["content"], re.M)]
    assert marked == candidate_lines(record(), seed=5)
    answer = json.loads(example.target)
    (comment,) = answer["comments"]
    assert comment["line"] == 10  # the unit starts at line 1 of its file
    assert comment["message"] == "Wrong offset in compute."
    assert comment["suggestion"] == "    value_10 = items[10] - limit"
    assert list(comment) == ["line", "severity", "category", "message", "suggestion"]
    assert example.buggy


def test_a_clean_example_answers_an_empty_list() -> None:
    (example,) = examples_for(record("clean", (4, 5)), seed=1)
    assert example.target == EMPTY and not example.buggy


def test_mutation_messages_are_kept_as_written() -> None:
    mutant = record(origin="mutation", message="Returns `a` instead of `b`.")
    assert comment_message(mutant) == "Returns `a` instead of `b`."

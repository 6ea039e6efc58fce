"""The edit scenarios bench/lsp_latency.py plays to both servers: each is the
text opened and a list of didChange content changes, one list per edit, so
both servers get exactly the same messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FUNCTIONS = 250  # 8 lines each: a 2,000-line file
LINES_PER_FUNCTION = 8
DEFECT_LINE = "        flag = item is 3\n"
TAIL_FUNCTION = "def appended(values=[]):\n    return values\n\n\n"

Change = dict[str, Any]  # one LSP content change, as JSON


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    opened: str  # the buffer's text when the edits start (HEAD is `function` x FUNCTIONS)
    edits: list[list[Change]]


def function(index: int) -> str:
    return (
        f"def compute_{index}(items, limit):\n"
        "    total = 0\n"
        "    for item in items:\n"
        "        if item > limit:\n"
        "            total += item\n"
        "    return total\n"
        "\n\n"
    )


def head_text() -> str:
    return "".join(function(i) for i in range(FUNCTIONS))


def ranged(start: tuple[int, int], end: tuple[int, int], text: str) -> Change:
    return {
        "range": {
            "start": {"line": start[0], "character": start[1]},
            "end": {"line": end[0], "character": end[1]},
        },
        "text": text,
    }


def apply(text: str, change: Change) -> str:
    if "range" not in change:
        return str(change["text"])
    lines = text.split("\n")

    def offset(position: dict[str, int]) -> int:
        return sum(len(line) + 1 for line in lines[: position["line"]]) + position["character"]

    span = change["range"]
    return text[: offset(span["start"])] + change["text"] + text[offset(span["end"]) :]


def spread_row(step: int) -> int:
    """The first line (0-based) of a different function for each step."""
    return ((step * 37) % FUNCTIONS) * LINES_PER_FUNCTION


def insert_delete(count: int) -> list[list[Change]]:
    """Pairs of edits: a defective line typed after a function's loop header,
    then deleted; places spread over the file."""
    edits = []
    for pair in range(count // 2):
        row = spread_row(pair) + 3  # the line after `for ...:`
        edits.append([ranged((row, 0), (row, 0), DEFECT_LINE)])
        edits.append([ranged((row, 0), (row + 1, 0), "")])
    return edits


def incremental(edits: int) -> Scenario:
    return Scenario(
        "incremental",
        f"incremental sync, {edits} edits: a line holding a defect typed into a "
        "function, then deleted, at places spread over the file",
        head_text(),
        insert_delete(edits),
    )


def full_sync(edits: int) -> Scenario:
    """As a simple client sends them: the whole text on every edit; each edit
    appends a comment to one line and every other one a function with a
    mutable default at the end."""
    text = head_text()
    steps = []
    for step in range(edits):
        row = spread_row(step) + 1
        text = apply(
            text, ranged((row, len("    total = 0")), (row, len("    total = 0")), "  # n")
        )
        if step % 2:
            text += TAIL_FUNCTION
        steps.append([{"text": text}])
    return Scenario(
        "full sync",
        f"full-document sync, {edits} edits: a comment appended to one line, and "
        "every other edit a function with a mutable default appended at the end",
        head_text(),
        steps,
    )


def spreading(edits: int) -> Scenario:
    """Each edit comments a function no earlier edit touched (the buffer
    differs from HEAD in more and more places) and appends or removes a
    defective function at the end."""
    rows = FUNCTIONS * LINES_PER_FUNCTION
    steps = []
    for step in range(edits):
        row = spread_row(step) + 1
        column = len("    total = 0")
        comment = ranged((row, column), (row, column), f"  # note {step}")
        if step % 2 == 0:
            tail = ranged((rows, 0), (rows, 0), TAIL_FUNCTION)
        else:
            tail = ranged((rows, 0), (rows + TAIL_FUNCTION.count("\n"), 0), "")
        steps.append([comment, tail])
    return Scenario(
        "spreading changes",
        f"incremental sync, {edits} edits, each adding a comment to a function no "
        "earlier edit touched while a function with a defect is appended and removed "
        "at the end",
        head_text(),
        steps,
    )


def large_change(edits: int, changed: int = 200) -> Scenario:
    """The buffer already differs from HEAD in `changed` functions (each holds
    a defect on a changed line) when the insert/delete edits start."""
    lines = head_text().split("\n")
    for index in range(changed):
        row = ((index * 37) % FUNCTIONS) * LINES_PER_FUNCTION + 1
        lines[row] = f"    total = 0 if limit == None else {index}"
    return Scenario(
        "large change",
        f"incremental sync, {edits} edits (a defect typed, then deleted) into a buffer "
        f"that already differs from HEAD in {changed} functions",
        "\n".join(lines),
        insert_delete(edits),
    )

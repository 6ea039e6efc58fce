from __future__ import annotations

import random
import time

import pytest

from reviewer.linediff import LineMap, Span, diff_spans


def check_alignment(old: list[str], new: list[str], spans: list[Span]) -> None:
    """The spans describe `new` from `old`: every line outside them is equal
    in pairs, spans are sorted and maximal (two never touch)."""
    i = j = 0
    for a1, a2, b1, b2 in spans:
        assert a1 - i == b1 - j >= 0, (spans, i, j)
        assert old[i:a1] == new[j:b1]
        assert a2 >= a1 and b2 >= b1 and (a2 > a1 or b2 > b1)
        if spans.index((a1, a2, b1, b2)) > 0:
            assert a1 > i or b1 > j, "two spans touch"
        i, j = a2, b2
    assert old[i:] == new[j:]


def function(index: int) -> list[str]:
    return [
        f"def compute_{index}(items, limit):",
        "    total = 0",
        "    for item in items:",
        "        if item > limit:",
        "            total += item",
        "    return total",
        "",
        "",
    ]


def test_a_changed_line_is_one_span() -> None:
    old = ["a", "b", "c"]
    assert diff_spans(old, ["a", "B", "c"]) == [(1, 2, 1, 2)]
    assert diff_spans(old, ["a", "c"]) == [(1, 2, 1, 1)]
    assert diff_spans(old, ["a", "b", "x", "c"]) == [(2, 2, 2, 3)]
    assert diff_spans(old, old) == []
    assert diff_spans([], ["x"]) == [(0, 0, 0, 1)]


def test_repeated_lines_align_exactly() -> None:
    """Stretches with no unique line (patience finds no anchor) are still
    aligned line by line, not marked changed as a whole."""
    old = ["}", "", "return", "}", "", "}", "return", "}"] * 50
    new = list(old)
    new[100] = "changed"
    new.insert(300, "added")
    spans = diff_spans(old, new)
    check_alignment(old, new, spans)
    assert sum(b2 - b1 for _, _, b1, b2 in spans) == 2


def test_spread_changes_are_fast() -> None:
    """The case that took difflib 1.26 s: 2,000 similar lines, a change in
    every function."""
    old = [line for i in range(250) for line in function(i)]
    new = list(old)
    for k in range(250):
        new[k * 8 + 2] += "  # note"
    started = time.perf_counter()
    spans = diff_spans(old, new)
    assert time.perf_counter() - started < 0.2
    check_alignment(old, new, spans)
    assert len(spans) == 250


@pytest.mark.parametrize("seed", range(8))
def test_line_map_stays_a_valid_alignment_through_random_edits(seed: int) -> None:
    rng = random.Random(seed)
    old = [line for i in range(60) for line in function(i)]
    new = list(old)
    line_map = LineMap(old, new)
    pool = ["", "}", "    return total", "x = 1", "    pass", *old[:16]]
    for _ in range(150):
        first = rng.randrange(len(new) + 1)
        last = min(len(new), first + rng.choice([0, 0, 1, 1, 2, 5]))
        lines = [rng.choice(pool) for _ in range(rng.choice([0, 1, 1, 2, 3]))]
        new[first:last] = lines
        line_map.replace(first, last, lines)
        assert line_map.new == new
        check_alignment(old, new, line_map.spans)
    # undo everything: the buffer equals the old text again, so nothing differs
    line_map.replace(0, len(new), old)
    assert line_map.spans == []


def test_line_map_edit_back_to_old_clears_the_span() -> None:
    old = [line for i in range(30) for line in function(i)]
    line_map = LineMap(old, old)
    line_map.replace(10, 11, ["    changed = 1"])
    assert line_map.spans == [(10, 11, 10, 11)]
    line_map.replace(100, 100, ["new line"])
    assert line_map.spans == [(10, 11, 10, 11), (100, 100, 100, 101)]
    line_map.replace(10, 11, [old[10]])
    assert line_map.spans == [(100, 100, 100, 101)]
    line_map.replace(100, 101, [])
    assert line_map.spans == []


def test_line_map_reset_rediffs_against_the_new_old_text() -> None:
    old = ["a", "b", "c"]
    line_map = LineMap(old, ["a", "B", "c"])
    line_map.reset(["a", "B", "c"])
    assert line_map.spans == []

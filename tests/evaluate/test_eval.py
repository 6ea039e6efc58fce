"""`reviewer eval`'s arithmetic, exactly: hit@k, the analytic chance@k of a
random commenter on the same candidate lines, precision, clean-unit noise;
and one run through the engine with a producer that scores lines."""

from __future__ import annotations

from collections.abc import Sequence
from math import comb
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.dataset.candidates import candidate_lines
from reviewer.dataset.record import Record, write_records
from reviewer.evaluate.metrics import Outcome, chance_hit, summarize
from reviewer.evaluate.run import at_threshold, evaluate
from reviewer.findings import Finding, Severity
from reviewer.syntax import ParsedFile, ReviewUnit

TEN = tuple(range(11, 21))


def test_chance_of_a_random_commenter() -> None:
    assert chance_hit(TEN, [15], comments=1, k=0) == pytest.approx(0.1)
    assert chance_hit(TEN, [15], comments=2, k=0) == pytest.approx(1 - comb(9, 2) / comb(10, 2))
    assert chance_hit(TEN, [15], comments=1, k=3) == pytest.approx(0.7)  # 12..18
    assert chance_hit(TEN, [15], comments=0, k=3) == 0.0
    assert chance_hit(TEN, [15], comments=12, k=0) == 1.0
    assert chance_hit(TEN, [40], comments=3, k=3) == 0.0  # label outside the candidates


def test_summary_counts_hits_chance_precision_and_clean_noise() -> None:
    outcomes = [
        Outcome("a", True, TEN, (15,), (15,), 1.0),  # exact hit
        Outcome("b", True, TEN, (15,), (18,), 2.0),  # within 3
        Outcome("c", True, TEN, (15,), (), 3.0),  # silent
        Outcome("d", False, TEN, (), (), 4.0),
        Outcome("e", False, (1, 2, 3, 4, 5), (), (2, 4), 6.0),
    ]
    s = summarize(outcomes)
    assert (s.buggy_units, s.clean_units, s.comments) == (3, 2, 4)
    assert s.hit[0] == pytest.approx(1 / 3) and s.hit[3] == pytest.approx(2 / 3)
    assert s.chance[0] == pytest.approx((0.1 + 0.1 + 0) / 3)
    assert s.chance[3] == pytest.approx((0.7 + 0.7 + 0) / 3)
    assert s.lift(3) == pytest.approx(2 / 3 - 1.4 / 3)
    assert s.precision[0] == pytest.approx(1 / 4) and s.precision[3] == pytest.approx(2 / 4)
    assert s.clean_commented == pytest.approx(0.5)
    assert s.clean_per_kloc == pytest.approx(1000 * 2 / 15)
    assert s.seconds_mean == pytest.approx(3.2)


BODY = (
    "def compute(items, limit):\n"
    + "".join(f"    value_{i} = items[{i}] + limit\n" for i in range(1, 15))
    + "    return value_1"
)


def record(kind: str, name: str) -> Record:
    lines = [8] if kind == "fix" else []
    return Record(
        id=f"acme/x:{name}:mod.py:1", repo="acme/x", license="MIT", language="python",
        path="mod.py", commit=name, parent="p", date="2026-01-01", message="Fix value_7",
        kind="fix" if kind == "fix" else "clean", unit_start=1, unit_end=16, unit_before=BODY,
        unit_after=BODY, fixed_lines=lines, fixed_lines_in_unit=lines,
        changed_lines_in_unit=lines or [8], symbol="compute",
    )  # fmt: skip


class LineScorer:
    """A producer that flags one line per unit with a given confidence (as
    the scoring tier does), in the order the units come, and records the
    units it was shown."""

    def __init__(self, flags: list[tuple[int, float]]) -> None:
        self.flags = flags
        self.units: list[ReviewUnit] = []

    def review_file(self, parsed: ParsedFile, units: Sequence[ReviewUnit]) -> list[Finding]:
        self.units.extend(units)
        line, confidence = self.flags.pop(0)
        text = parsed.lines[line - 1]
        return [
            Finding(parsed.path, line, line, 1, len(text) + 1, Severity.WARNING, "model/bug",
                    "wrong", source="model", confidence=confidence, snippet=text)
        ]  # fmt: skip

    def notes(self) -> list[str]:
        return []


def test_a_scored_run_goes_through_the_engine_and_keeps_confidences() -> None:
    buggy, clean = record("fix", "b1"), record("clean", "c1")
    clean_line = candidate_lines(clean)[0]
    scorer = LineScorer([(8, 0.9), (clean_line, 0.3)])
    reviewed = evaluate([buggy, clean], scorer)
    raw = at_threshold(reviewed, 0.0)
    assert [o.comments for o in raw] == [(8,), (clean_line,)]
    assert raw[0].candidates == tuple(candidate_lines(buggy)) and raw[0].labelled == (8,)
    strict = summarize(at_threshold(reviewed, 0.8))
    assert strict.hit[0] == 1.0 and strict.clean_commented == 0.0
    assert summarize(raw).clean_commented == 1.0
    # The producer saw the candidate window, never the fixed line alone.
    changed = sorted(scorer.units[0].changed_lines)
    assert changed == sorted(candidate_lines(buggy)) and len(changed) > 1


def test_cli_writes_the_markdown_table(tmp_path: Path) -> None:
    data, out = tmp_path / "dev.jsonl", tmp_path / "table.md"
    write_records([record("fix", "b1"), record("clean", "c1")], data)
    assert main(["eval", str(data), "--configs", "structural", "-o", str(out)]) == 0
    text = out.read_text()
    assert "| structural | 1 / 1 |" in text and "chance@3" in text


def test_cli_rejects_an_unknown_configuration(tmp_path: Path) -> None:
    data = tmp_path / "dev.jsonl"
    write_records([record("fix", "b1")], data)
    assert main(["eval", str(data), "--configs", "structural,oracle"]) == 2


def test_cli_names_the_removed_generate_first_configurations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "dev.jsonl"
    write_records([record("fix", "b1")], data)
    assert main(["eval", str(data), "--configs", "structural,base,adapter"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "base, adapter was removed" in err

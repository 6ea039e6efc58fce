"""The scoring tier on the real default model, through the engine: a unit
is flagged only when its best line reaches the gate, only flagged lines are
explained, the flag is announced before the explanation, and an invalid or
failed explanation still shows the flagged line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reviewer.config import Config
from reviewer.diff import ChangeSet, ChangeStatus, FileChange, Hunk
from reviewer.engine import review
from reviewer.findings import Finding
from reviewer.model.base import BackendError, FakeBackend
from reviewer.scorer.explain import Explainer
from reviewer.scorer.features import FeatureExtractor
from reviewer.scorer.tier import Limits, Scorer, ScoringTier
from tests.scorer.heads import length_head

pytestmark = pytest.mark.model

SOURCE = (
    "def short(a):\n"
    "    return a\n"
    "\n"
    "\n"
    "def long(values):\n"
    "    total = sum(value * value for value in values if value is not None)\n"
    "    return total\n"
)


def run(
    forward: Any, tmp_path: Path, threshold: float, explain: FakeBackend | None
) -> tuple[list[Finding], list[Finding], ScoringTier]:
    head = length_head(forward.dimension, threshold)
    extractor = FeatureExtractor(forward, "test", None)
    explainer = Explainer(explain) if explain is not None else None
    announced: list[Finding] = []
    tier = ScoringTier(
        Scorer(extractor, head, threshold, explainer), Limits(10, 600), on_flag=announced.append
    )
    change = FileChange(
        path="calc.py", status=ChangeStatus.MODIFIED, new_text=SOURCE,
        hunks=(Hunk(2, 1, 2, 1), Hunk(6, 2, 6, 2)),
    )  # fmt: skip
    report = review(ChangeSet(tmp_path, "test", (change,)), Config(), producers=(tier,))
    return list(report.findings), announced, tier


def test_only_a_unit_over_the_gate_is_flagged_and_explained(forward: Any, tmp_path: Path) -> None:
    # ln(1 + chars): "return a" is 8 chars (2.20), the generator line 67 (4.22);
    # the gate between their probabilities flags the long unit only.
    answer = '{"line": 2, "category": "bug", "message": "squares are summed, not values"}'
    backend = FakeBackend([answer])
    findings, announced, tier = run(forward, tmp_path, 0.3, backend)
    # The sentence, then the reason: the head reads the line's length alone.
    explained = "squares are summed, not values (scored high for: a long line)"
    assert [(f.line, f.message) for f in findings] == [(6, explained)]
    assert len(backend.requests) == 1  # the short unit was never explained
    assert "Flagged line: 2" in backend.requests[0].messages[-1]["content"]
    assert [f.line for f in announced] == [6]  # announced before the explanation
    assert "line scorer" in announced[0].message
    assert findings[0].confidence == pytest.approx(1 / (1 + np.exp(4 - np.log(68))), abs=1e-3)
    assert tier.stats.scored == 2 and tier.stats.flagged == 1

    nothing, _, _ = run(forward, tmp_path, 0.99, FakeBackend([answer]))
    assert nothing == []


def test_a_bad_or_failed_explanation_still_shows_the_flagged_line(
    forward: Any, tmp_path: Path
) -> None:
    invalid = FakeBackend(['{"line": 9, "category": "bug", "message": "elsewhere"}'])
    findings, _, tier = run(forward, tmp_path, 0.3, invalid)
    assert [f.line for f in findings] == [6] and "line scorer" in findings[0].message
    assert any("not valid JSON" in note for note in tier.notes())

    failing = FakeBackend([BackendError("server down")])
    findings, _, tier = run(forward, tmp_path, 0.3, failing)
    assert [f.line for f in findings] == [6]
    assert any("server down" in note for note in tier.notes())


def test_a_sentence_that_fails_the_check_is_withheld(forward: Any, tmp_path: Path) -> None:
    """The 0.5B model's commonest wrong answer: its prompt's example."""
    copied = (
        '{"line": 2, "category": "bug", "message": "`len(items) >= 0` is always true, so an '
        'empty list reaches `items[0]` and raises IndexError."}'
    )
    findings, _, tier = run(forward, tmp_path, 0.3, FakeBackend([copied]))
    assert [f.line for f in findings] == [6]
    assert "line scorer" in findings[0].message and "IndexError" not in findings[0].message
    assert "a long line" in findings[0].message  # the reason stands alone
    assert tier.stats.explained == 0
    assert any("1 because it quotes code that is not in the unit" in n for n in tier.notes())
    ((where, (sentence, why)),) = tier.sentences.items()  # kept for bench/explain_judged.py
    assert where == ("calc.py", 6) and "IndexError" in sentence
    assert why == "it quotes code that is not in the unit"

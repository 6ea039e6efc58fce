"""The check a model's sentence passes before it is shown: table tests with
answers the default model wrote (tests/scorer/test_tier.py runs it in the tier)."""

from __future__ import annotations

import pytest

from reviewer.scorer.sentence_check import sentence_problem

UNIT = (
    "def visit_rate(a):\n    if a.visits == 0:\n        return a.total / a.visits\n    return 0\n"
)
LINE = "        return a.total / a.visits"

QUOTES_ELSEWHERE = "it quotes code that is not in the unit"
SAYS_FINE = "it says the flagged line is fine"
NAMES_NOTHING = "it does not name the flagged line's code"


@pytest.mark.parametrize(
    ("sentence", "problem"),
    [
        # Right, in the words of the code: shown.
        ("`a.total / a.visits` divides by zero when `a.visits == 0`.", None),
        ("Dividing by visits here raises ZeroDivisionError: the guard is inverted.", None),
        ("`a.total/a.visits` divides by zero", None),  # spacing does not count
        # The prompt's worked example, copied: withheld.
        ("`len(items) >= 0` is always true, so an empty list reaches `items[0]`.",
         QUOTES_ELSEWHERE),
        # Vague, naming nothing of the line: withheld.
        ("This may cause an error at runtime.", NAMES_NOTHING),
        ("The return value is wrong.", NAMES_NOTHING),
        # Contradicting the flag: withheld, even when it names the code.
        ("There is no issue with `a.total / a.visits`.", SAYS_FINE),
        ("The division by visits looks fine.", SAYS_FINE),
    ],
)  # fmt: skip
def test_sentences(sentence: str, problem: str | None) -> None:
    assert sentence_problem(sentence, LINE, UNIT) == problem


def test_keywords_and_common_words_name_no_code() -> None:
    assert sentence_problem("return the value here", "    return value", "return value\n") == (
        NAMES_NOTHING
    )

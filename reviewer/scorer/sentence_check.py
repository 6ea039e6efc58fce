"""Whether the model's sentence about a flagged line may be shown.

A 0.5B model writes about code that is not there (it copies its prompt's
worked example), about nothing in particular, or says the line is fine
after the scorer flagged it. A wrong sentence costs more trust than none,
so the sentence is shown only when it passes these checks; otherwise the
scorer's reasons stand alone (issue 22)."""

from __future__ import annotations

import keyword
import re

# Code the sentence quotes, in backticks.
QUOTED = re.compile(r"`([^`]+)`")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Words that name no code of the line even when the line holds them.
COMMON = frozenset(
    {
        *keyword.kwlist,
        "var", "let", "const", "func", "fn", "function", "new", "this", "self", "public",
        "private", "static", "void", "int", "string", "true", "false", "null", "nil",
        "none", "the", "and", "for", "not", "that", "line", "value", "code",
    }
)  # fmt: skip
# A sentence that says the flagged line is fine contradicts the scorer's flag.
SAYS_FINE = re.compile(
    r"\b(no (issue|issues|problem|problems|bug|bugs|defect|defects|error|errors)\b"
    r"|nothing (is )?wrong|looks (fine|correct|good|ok)|is (fine|correct|ok)\b"
    r"|(is|are) not (a )?(bug|defect|problem|issue)|there is no)",
    re.IGNORECASE,
)


def sentence_problem(sentence: str, line_code: str, unit_text: str) -> str | None:
    """Why `sentence` may not be shown about `line_code` (the flagged line,
    in the unit `unit_text`), or None when it may."""
    quoted = [_squeezed(span) for span in QUOTED.findall(sentence)]
    code = _squeezed(unit_text)
    if any(span and span not in code for span in quoted):
        return "it quotes code that is not in the unit"
    if SAYS_FINE.search(sentence):
        return "it says the flagged line is fine"
    line = _squeezed(line_code)
    if any(span and span in line for span in quoted):
        return None
    names = {word for word in IDENTIFIER.findall(line_code) if _names_code(word)}
    said = set(IDENTIFIER.findall(sentence))
    if names & said:
        return None
    return "it does not name the flagged line's code"


def _names_code(word: str) -> bool:
    return len(word) >= 2 and word.lower() not in COMMON


def _squeezed(text: str) -> str:
    """Whitespace does not count: `a+b` quotes `a + b`."""
    return re.sub(r"\s+", "", text)

"""A change as a bag of code tokens (JITLine's cheap text baseline): the
tokens of its added lines and of its removed lines, kept apart."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from reviewer.jit.record import JitRecord

# identifiers, numbers, and runs of operator characters
_TOKEN = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*|\d+(?:\.\d+)?|[^\sA-Za-z0-9_$]{1,3}")


def line_tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def change_tokens(record: JitRecord) -> Counter[str]:
    """`+tok` for each token of an added line, `-tok` of a removed one."""
    bag: Counter[str] = Counter()
    for diff in record.files:
        bag.update(_prefixed("+", (text for _, text in diff.added)))
        bag.update(_prefixed("-", (text for _, text in diff.removed)))
    return bag


def _prefixed(sign: str, lines: Iterable[str]) -> Iterable[str]:
    for text in lines:
        for token in line_tokens(text):
            yield sign + token

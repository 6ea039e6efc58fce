"""One pass of the real default model: tokens land on the right lines
(multi-byte text, tabs, CRLF), a unit longer than the context is read in
windows, and a text seen before comes from the cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reviewer.scorer.cache import StatesCache
from reviewer.scorer.features import FeatureExtractor, scoring_input
from reviewer.scorer.forward import ForwardModel
from reviewer.syntax import parse_file

pytestmark = pytest.mark.model

TEXT = (
    "def greet(name):\n"
    "\tprefix = 'héllo, 日本語 '\n"
    "    if not name:\r\n"
    "        return prefix + '🙂'\n"
    "\n"
    "    return prefix + name\n"
)


def test_every_token_lies_on_the_line_whose_bytes_it_spells(forward: Any) -> None:
    tokens, lines = forward.tokenize(TEXT)
    rows = TEXT.encode().split(b"\n")
    assert len(tokens) == len(lines) and lines == sorted(lines)
    for token, line in zip(tokens, lines, strict=True):
        piece = forward.llm.detokenize([token]).strip(b"\r\n")
        assert piece in rows[line] or rows[line].startswith(piece) or not piece.strip()
    assert set(lines) == {0, 1, 2, 3, 5}  # the blank line 4 has no token of its own


def test_a_pass_gives_states_for_every_non_blank_line(forward: Any) -> None:
    states = forward.states(TEXT, TEXT.count("\n"))
    assert states.mean.shape == (6, forward.dimension)
    assert [int(n > 0) for n in states.tokens] == [1, 1, 1, 1, 0, 1]
    assert np.all(np.abs(states.mean[[0, 1, 2, 3, 5]]).sum(axis=1) > 0)
    assert np.all(states.surprisal[1:4, 0] > 0)  # predicted tokens have a surprisal


def test_a_unit_longer_than_the_context_is_read_in_windows(
    forward: Any, model_default: Any
) -> None:
    body = "".join(f"    total += values[{i}] * {i % 7}\n" for i in range(40))
    text = "def weigh(values):\n    total = 0\n" + body + "    return total\n"
    small = ForwardModel(model_default.path, context=128, threads=2)
    try:
        tokens, _ = small.tokenize(text)
        assert len(tokens) > 3 * 128  # several windows
        windowed = small.states(text, text.count("\n"))
    finally:
        small.close()
    whole = forward.states(text, text.count("\n"))
    assert np.all(windowed.tokens == whole.tokens) and np.all(windowed.tokens > 0)
    # Lines read inside the first window saw the same context both ways.
    np.testing.assert_allclose(windowed.mean[:3], whole.mean[:3], atol=2e-2)
    assert np.all(np.abs(windowed.mean).sum(axis=1) > 0)


def test_features_come_from_the_cache_the_second_time(forward: Any, tmp_path: Path) -> None:
    parsed = parse_file("greet.py", TEXT.replace("\r\n", "\n"))
    item = scoring_input(parsed, 1, [2, 3, 4], frozenset({3}))
    assert item is not None
    cache = StatesCache(tmp_path / "states")
    extractor = FeatureExtractor(forward, "sha-of-the-model", cache)
    first = extractor.features(item)
    second = extractor.features(item)
    assert (cache.hits, cache.misses) == (1, 1)
    np.testing.assert_allclose(first.hidden, second.hidden, rtol=2e-3, atol=1e-2)  # float16
    np.testing.assert_array_equal(first.scalars, second.scalars)
    # A CRLF file reads as the same code: same text to the model, same features.
    crlf = parse_file("greet.py", TEXT.replace("\r\n", "\n").replace("\n", "\r\n"))
    again = extractor.features(scoring_input(crlf, 1, [2, 3, 4], frozenset({3})))  # type: ignore[arg-type]
    assert cache.hits == 2
    np.testing.assert_array_equal(again.scalars, second.scalars)
    # A damaged cache file is a miss, read again from the model.
    for path in (tmp_path / "states").rglob("*.npz"):
        path.write_bytes(b"garbage")
    extractor.features(item)
    assert cache.misses == 2

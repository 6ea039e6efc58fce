"""The line scorer's forward pass on a server: llama-cpp-python's server
(`python -m llama_cpp.server --model M --embedding true`) gives every
token's final hidden state on /v1/embeddings when the model does not pool
(pooling NONE, the default for a causal code model such as Qwen2.5-Coder),
and its tokenizer on /extras/tokenize and /extras/detokenize.

What differs from the local pass (reviewer.scorer.forward):
- No surprisal: the server's echoed prompt log-probabilities are wrong in
  llama-cpp-python 0.3.36, so the surprisal columns are NaN and the head
  puts them at their training mean (measured cost: bench/results/scorer_remote.md).
- Lines map to tokens through the server's own tokens and pieces. A piece
  that is not valid UTF-8 alone (part of a multi-byte character) cannot be
  detokenized alone: a run of such tokens is detokenized together and its
  tokens share the run's line.
- The server cuts an input longer than its batch without saying so: a
  shorter answer tells the batch size, and a long text is then sent in
  windows of whole lines, each re-reading a few lines above it."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from reviewer.model.base import BackendError
from reviewer.model.openai import HTTPStatusError, OpenAIBackend
from reviewer.scorer.forward import (
    WINDOW_OVERLAP,
    Array,
    ForwardError,
    ForwardInterrupted,
    LineStates,
    UnitNotScored,
    pool,
)
from reviewer.scorer.tokens import token_lines

PROBE = "def probe(x):\n    return x\n"
SEPARATOR = "\x00"  # joins pieces in one detokenize request (a NUL is rare in code)
SLACK = 8  # tokens a window's own tokenization may add at its edges
START_HINT = (
    "start it with per-token vectors: python -m llama_cpp.server --model MODEL.gguf "
    "--embedding true"
)


class ServerUnfit(ForwardError):
    """The server cannot give per-token hidden states (said in one line)."""


@dataclass(frozen=True)
class LineWindow:
    """Lines [first, stop) are sent together; the states of lines from
    `keep` on are kept (the ones before only give them context)."""

    first: int
    keep: int
    stop: int


def line_windows(counts: Sequence[int], size: int, overlap: int) -> list[LineWindow]:
    """Windows of whole lines with at most `size` tokens (a single line
    longer than that is a window of its own); each later window re-reads
    the lines above it that fit in `overlap` tokens."""
    result: list[LineWindow] = []
    keep = 0
    while keep < len(counts):
        first, used = keep, 0
        while result and first > 0 and used + counts[first - 1] <= overlap:
            first -= 1
            used += counts[first]
        stop, total = keep, used
        while stop < len(counts) and (stop == keep or total + counts[stop] <= size):
            total += counts[stop]
            stop += 1
        result.append(LineWindow(first, keep, stop))
        keep = stop
    return result


def per_token_vectors(reply: dict[str, Any], url: str, dimension: int = 0) -> Array:
    """The tokens x d states in an /embeddings answer; ServerUnfit when the
    server pooled them (one vector per text) or sent none."""
    data = reply.get("data")
    first = data[0] if isinstance(data, list) and data else None
    value = first.get("embedding") if isinstance(first, dict) else None
    if isinstance(value, list) and value and isinstance(value[0], int | float):
        raise ServerUnfit(
            f"{url} pools its embeddings (one vector per text, not one per token); " + START_HINT
        )
    try:
        vectors = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError):
        vectors = np.zeros(0, np.float32)
    if vectors.ndim != 2 or vectors.shape[1] == 0:
        raise ServerUnfit(f"{url}: the /embeddings answer has no per-token vectors")
    if dimension and vectors.shape[1] != dimension:
        raise ForwardError(f"{url}: the hidden size changed (another model?)")
    return vectors


class RemoteForwardModel:
    """Per-token hidden states from a server, pooled per line like the
    local pass (one pass at a time; thread-safe)."""

    def __init__(self, client: OpenAIBackend, limit: int = 2048) -> None:
        self.client = client
        self.limit = limit  # tokens per request; lowered when the server cuts
        self.dimension = 0  # known after check()
        self._pieces: dict[int, bytes | None] = {}  # None: not UTF-8 alone
        self._runs: dict[tuple[int, ...], bytes] = {}
        self._separator: int | None = None
        self._lock = threading.Lock()
        self._interrupted = False

    @property
    def identity(self) -> str:
        """What the states cache keys a server's states by."""
        return f"server {self.client.url} {self.client.model_id} (no surprisal)"

    def check(self) -> None:
        """Ask the server for the per-token states of a probe; ServerUnfit
        (one line) when it gives none. Learns the hidden size."""
        with self._lock:
            ids = self._tokenize(PROBE)
            vectors = self._embed(PROBE)
            if len(vectors) != len(ids):
                raise ServerUnfit(
                    f"{self.client.url}: {len(vectors)} vectors for the {len(ids)} tokens of a "
                    "probe; the server's embeddings are not per token: " + START_HINT
                )
            self.dimension = int(vectors.shape[1])
            separator = self._tokenize(SEPARATOR)
            if len(separator) == 1 and self._detokenize(separator) == SEPARATOR:
                self._separator = separator[0]
                self._pieces[separator[0]] = SEPARATOR.encode()

    def interrupt(self) -> None:
        self._interrupted = True

    def changed_on_disk(self) -> bool:
        return False  # the server owns its model

    def close(self) -> None:
        pass  # nothing held but a connection opener

    def states(self, text: str, line_count: int) -> LineStates:
        with self._lock:
            self._interrupted = False
            ids = self._tokenize(text)
            if not ids:
                hidden = np.zeros((0, self.dimension), np.float32)
                lines: list[int] = []
            else:
                lines = self._lines(ids, text.encode("utf-8"))
                hidden, lines = self._hidden(text, ids, lines)
        states = pool(hidden, np.full(len(lines), np.nan, np.float32), lines, line_count)
        return replace(states, surprisal=np.full((line_count, 2), np.nan, np.float32))

    # -- states ----------------------------------------------------------------

    def _hidden(self, text: str, ids: list[int], lines: list[int]) -> tuple[Array, list[int]]:
        """Every token's state and line: one request when the server takes
        the whole text, else windows of whole lines."""
        if len(ids) <= self.limit:
            vectors = self._embed(text)
            if len(vectors) == len(ids):
                return vectors, lines
            self._shorter(len(vectors), len(ids))
        for _ in range(8):  # each retry follows a lower limit
            result = self._windows(text, lines)
            if result is not None:
                return result
        raise ForwardError(f"{self.client.url}: the server cuts every window short")

    def _windows(self, text: str, lines: list[int]) -> tuple[Array, list[int]] | None:
        rows = text.split("\n")
        texts = [row + "\n" for row in rows[:-1]] + ([rows[-1]] if rows[-1] else [])
        counts = np.bincount(np.asarray(lines), minlength=len(texts)).tolist()
        overlap = min(WINDOW_OVERLAP, self.limit // 4)
        hidden: list[Array] = []
        kept: list[int] = []
        for window in line_windows(counts, max(self.limit - SLACK, 1), overlap):
            part = "".join(texts[window.first : window.stop])
            ids = self._tokenize(part)
            if not ids:
                continue
            own = [line + window.first for line in self._lines(ids, part.encode("utf-8"))]
            vectors = self._embed(part)
            if len(vectors) < len(ids):
                if window.stop - window.keep > 1:
                    self._shorter(len(vectors), len(ids))
                    return None  # plan again with the server's batch size
                own = own[: len(vectors)]  # one line longer than a batch: its first tokens
            elif len(vectors) > len(ids):
                self._shorter(len(vectors), len(ids))
            chosen = [i for i, line in enumerate(own) if line >= window.keep]
            hidden.append(vectors[chosen])
            kept.extend(own[i] for i in chosen)
        if not hidden:
            return np.zeros((0, self.dimension), np.float32), []
        return np.concatenate(hidden), kept

    def _shorter(self, got: int, sent: int) -> None:
        if got > sent or got == 0:
            raise UnitNotScored(
                f"{self.client.url}: {got} vectors for {sent} tokens (the server's tokens "
                "differ from its tokenizer's)"
            )
        self.limit = got  # the server's batch size: it cut the input there

    def _embed(self, text: str) -> Array:
        self._check_interrupted()
        try:
            reply = self.client.call("/embeddings", {"model": self.client.model_id, "input": text})
        except HTTPStatusError as error:
            if error.status in (404, 405):
                raise ServerUnfit(
                    f"{self.client.url} has no /embeddings endpoint; " + START_HINT
                ) from None
            if error.status >= 500 and "embedding" in error.server_message.lower():
                raise ServerUnfit(
                    f"{self.client.url} gives no embeddings ({error.server_message}); " + START_HINT
                ) from None
            raise ForwardError(str(error)) from None
        except BackendError as error:
            raise ForwardError(str(error)) from None
        return per_token_vectors(reply, self.client.url, self.dimension)

    # -- tokens ----------------------------------------------------------------

    def _tokenize(self, text: str) -> list[int]:
        self._check_interrupted()
        try:
            body = {"model": self.client.model_id, "input": text}  # a multi-model server
            reply = self.client.call("/extras/tokenize", body, root=True)
        except HTTPStatusError as error:
            if error.status in (404, 405):
                raise ServerUnfit(
                    f"{self.client.url} has no /extras/tokenize: lines are scored on a "
                    "server only through llama-cpp-python's (python -m llama_cpp.server)"
                ) from None
            raise ForwardError(str(error)) from None
        except BackendError as error:
            raise ForwardError(str(error)) from None
        tokens = reply.get("tokens")
        if not isinstance(tokens, list) or not all(isinstance(t, int) for t in tokens):
            raise ServerUnfit(f"{self.client.url}: the /extras/tokenize answer has no tokens")
        return tokens

    def _detokenize(self, ids: list[int]) -> str | None:
        """The text of `ids`; None when it is not valid UTF-8 (the server
        fails to decode a piece of a multi-byte character)."""
        self._check_interrupted()
        try:
            body = {"model": self.client.model_id, "tokens": ids}
            reply = self.client.call("/extras/detokenize", body, root=True)
        except HTTPStatusError as error:
            if "decode" in error.server_message.lower():
                return None
            raise ForwardError(str(error)) from None
        except BackendError as error:
            raise ForwardError(str(error)) from None
        text = reply.get("text")
        if not isinstance(text, str):
            raise ServerUnfit(f"{self.client.url}: the /extras/detokenize answer has no text")
        return text

    def _lines(self, ids: list[int], data: bytes) -> list[int]:
        """The 0-based line of each token of `data`."""
        self._fetch(sorted({i for i in ids if i not in self._pieces}))
        pieces: list[bytes] = []
        owner: list[int] = []  # each token's piece
        start = 0
        while start < len(ids):
            end = start + 1
            piece = self._pieces[ids[start]]
            if piece is None:  # a run of pieces of multi-byte characters
                while end < len(ids) and self._pieces[ids[end]] is None:
                    end += 1
                piece = self._run(tuple(ids[start:end]))
            pieces.append(piece)
            owner.extend([len(pieces) - 1] * (end - start))
            start = end
        lines = token_lines(pieces, data)
        if lines is None:
            # The server's /extras/tokenize reads special-token text such as
            # <|endoftext|> as one special token, whose piece is empty.
            raise UnitNotScored(
                f"{self.client.url}: the server's token pieces do not spell the code "
                "(special-token text in it, or not a byte-level tokenizer)"
            )
        return [lines[i] for i in owner]

    def _fetch(self, ids: list[int]) -> None:
        """Learn the pieces of `ids`: many in one request (joined by the
        separator token), halving a batch the server cannot decode."""
        if not ids:
            return
        if len(ids) == 1 or self._separator is None:
            for token in ids:
                text = self._detokenize([token])
                self._pieces[token] = text.encode("utf-8") if text is not None else None
            return
        joined: list[int] = []
        for token in ids:
            joined += [token, self._separator]
        text = self._detokenize(joined[:-1])
        parts = text.encode("utf-8").split(SEPARATOR.encode()) if text is not None else []
        if len(parts) == len(ids):
            self._pieces.update(zip(ids, parts, strict=True))
            return
        half = len(ids) // 2
        self._fetch(ids[:half])
        self._fetch(ids[half:])

    def _run(self, run: tuple[int, ...]) -> bytes:
        if run not in self._runs:
            text = self._detokenize(list(run))
            if text is None:
                raise ForwardError(f"{self.client.url}: cannot detokenize tokens {list(run)}")
            self._runs[run] = text.encode("utf-8")
        return self._runs[run]

    def _check_interrupted(self) -> None:
        if self._interrupted:
            raise ForwardInterrupted("the model pass was interrupted")

"""One forward pass of the frozen model over a piece of code: every token's
final hidden state and its surprisal, pooled per line.

llama-cpp-python gives both from one `eval` when the context is built with
`embedding=True, logits_all=True, pooling_type=NONE`: the per-token hidden
states through `llama_get_embeddings`, the logits in `Llama.scores`.
`llama_cpp` is imported when a pass is first needed, never at import."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from reviewer.errors import ReviewerError
from reviewer.scorer.tokens import token_lines, windows

Array = npt.NDArray[np.float32]
WINDOW_OVERLAP = 128  # tokens of context re-read by each later window
SOFTMAX_ROWS = 64  # tokens whose log-softmax is computed at once (64 x vocab floats)


class ForwardError(ReviewerError):
    """The model could not be loaded or failed on a unit."""


class UnitNotScored(ForwardError):
    """This one text cannot be scored; the pass is fine for the next."""


class ForwardInterrupted(ForwardError):
    """`ForwardModel.interrupt` stopped the pass."""


@dataclass(frozen=True)
class LineStates:
    """Per line of the text (index 0 = its first line): the mean and max of
    its tokens' hidden states, its tokens' surprisal (mean, max), and its
    token count. Lines without tokens (blank) have zeros and count 0."""

    mean: Array  # lines x d
    max: Array  # lines x d
    surprisal: Array  # lines x 2
    tokens: npt.NDArray[np.int32]  # lines

    @property
    def count(self) -> int:
        return int(self.tokens.shape[0])


class Pass(Protocol):
    """What features need of a forward pass: in-process (ForwardModel) or
    on a server (reviewer.scorer.remote.RemoteForwardModel)."""

    def states(self, text: str, line_count: int) -> LineStates: ...

    def interrupt(self) -> None: ...

    def changed_on_disk(self) -> bool: ...

    def close(self) -> None: ...


def pool(hidden: Array, surprisal: Array, lines: list[int], line_count: int) -> LineStates:
    """Pool token rows into line rows. `surprisal` may hold NaN (the first
    token has no prediction); NaN is left out of the line's statistics."""
    d = hidden.shape[1]
    mean = np.zeros((line_count, d), np.float32)
    top = np.zeros((line_count, d), np.float32)
    stats = np.zeros((line_count, 2), np.float32)
    counts = np.zeros(line_count, np.int32)
    index = np.asarray(lines, dtype=np.int64)
    for line in range(line_count):
        rows = np.flatnonzero(index == line)
        if rows.size == 0:
            continue
        counts[line] = rows.size
        mean[line] = hidden[rows].mean(axis=0)
        top[line] = hidden[rows].max(axis=0)
        values = surprisal[rows]
        values = values[~np.isnan(values)]
        if values.size:
            stats[line] = (values.mean(), values.max())
    return LineStates(mean, top, stats, counts)


class ForwardModel:
    """A GGUF model loaded for scoring passes (thread-safe: one pass at a time)."""

    def __init__(self, path: Path, context: int = 1024, threads: int | None = None) -> None:
        self.path = path
        self.context = context
        self.threads = threads or os.cpu_count() or 1
        self._llm: Any = None
        self._lock = threading.Lock()
        self._interrupted = False
        self._softmax_rows: Array | None = None  # reused: see _surprisal
        self._abort: Any = None  # keeps llama.cpp's abort callback alive
        self._stamp = _file_stamp(path)

    @property
    def llm(self) -> Any:
        if self._llm is None:
            self._llm = self._load()
        return self._llm

    def _load(self) -> Any:
        try:
            import llama_cpp
        except ImportError as error:
            raise ForwardError(
                "llama-cpp-python is not installed (pip install 'reviewer[model]')"
            ) from error
        import logging

        from reviewer.model.llama import silence_llama_cpp

        silence_llama_cpp()
        try:
            llm = llama_cpp.Llama(
                model_path=str(self.path),
                n_ctx=self.context,
                n_batch=self.context,
                n_ubatch=self.context,
                n_threads=self.threads,
                n_threads_batch=self.threads,
                embedding=True,
                logits_all=True,
                pooling_type=llama_cpp.LLAMA_POOLING_TYPE_NONE,
                seed=0,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as error:
            raise ForwardError(
                f"cannot load model {self.path}: not a valid GGUF model (corrupt or truncated?)"
            ) from error
        logging.getLogger("llama-cpp-python").setLevel(logging.CRITICAL + 1)
        # llama.cpp asks this between graph operations: a newer edit in the
        # editor stops a pass that is no longer wanted.
        self._abort = llama_cpp.ggml_abort_callback(lambda _data: self._interrupted)
        llama_cpp.llama_set_abort_callback(llm.ctx, self._abort, None)
        return llm

    def interrupt(self) -> None:
        self._interrupted = True

    def changed_on_disk(self) -> bool:
        return _file_stamp(self.path) != self._stamp

    @property
    def dimension(self) -> int:
        return int(self.llm.n_embd())

    def tokenize(self, text: str) -> tuple[list[int], list[int]]:
        """Tokens of `text` and the 0-based line of each. When the pieces do
        not spell the text, each line is tokenized alone (tokens then never
        cross a line)."""
        llm = self.llm
        data = text.encode("utf-8")
        tokens = list(llm.tokenize(data, add_bos=False, special=False))
        pieces = [llm.detokenize([token], special=False) for token in tokens]
        lines = token_lines(pieces, data)
        if lines is not None:
            return tokens, lines
        tokens, lines = [], []
        for number, line in enumerate(data.split(b"\n")):
            chunk = line + b"\n"
            ids = list(llm.tokenize(chunk, add_bos=False, special=False))
            tokens.extend(ids)
            lines.extend([number] * len(ids))
        return tokens, lines

    def states(self, text: str, line_count: int) -> LineStates:
        """One pass over `text` (windows when it exceeds the context)."""
        with self._lock:
            self._interrupted = False
            tokens, lines = self.tokenize(text)
            if not tokens:
                d = self.dimension
                zeros = np.zeros((line_count, d), np.float32)
                return LineStates(
                    zeros, zeros.copy(), np.zeros((line_count, 2), np.float32),
                    np.zeros(line_count, np.int32),
                )  # fmt: skip
            hidden, surprisal = self._evaluate(tokens)
        return pool(hidden, surprisal, lines, line_count)

    def _evaluate(self, tokens: list[int]) -> tuple[Array, Array]:
        import llama_cpp

        llm = self.llm
        d = int(llm.n_embd())
        hidden = np.zeros((len(tokens), d), np.float32)
        surprisal = np.full(len(tokens), np.nan, np.float32)
        overlap = min(WINDOW_OVERLAP, self.context // 4)
        for window in windows(len(tokens), self.context, overlap):
            part = tokens[window.start : window.stop]
            llm.reset()
            try:
                llm.eval(part)
            except (ValueError, RuntimeError) as error:
                llm.reset()
                if self._interrupted:
                    raise ForwardInterrupted("the model pass was interrupted") from None
                raise ForwardError(f"model pass failed: {error}") from error
            pointer = llama_cpp.llama_get_embeddings(llm.ctx)
            if not pointer:
                raise ForwardError("the model gave no hidden states (an embedding-less build?)")
            rows = np.ctypeslib.as_array(pointer, shape=(len(part) * d,)).reshape(len(part), d)
            first = window.keep - window.start
            hidden[window.keep : window.stop] = rows[first:]
            if len(part) > 1:
                values = self._surprisal(llm.scores[: len(part) - 1], part[1:])
                start = max(first, 1)
                surprisal[window.start + start : window.stop] = values[start - 1 :]
        llm.reset()
        return hidden, surprisal

    def _surprisal(self, logits: Array, following: list[int]) -> Array:
        """-log p(next token) under each row of logits. The log-softmax runs
        in place in one reused buffer, a few rows at a time: fresh
        tokens x vocab temporaries (150k columns) cost seconds of page faults
        per unit on this kind of VM, the arithmetic a tenth of a second."""
        rows, vocab = logits.shape
        if self._softmax_rows is None or self._softmax_rows.shape[1] != vocab:
            self._softmax_rows = np.empty((SOFTMAX_ROWS, vocab), np.float32)
        values = np.empty(rows, np.float32)
        for begin in range(0, rows, SOFTMAX_ROWS):
            block = logits[begin : begin + SOFTMAX_ROWS]
            top = block.max(axis=1)
            work = self._softmax_rows[: len(block)]
            np.subtract(block, top[:, None], out=work)
            np.exp(work, out=work)
            normaliser = np.log(work.sum(axis=1)) + top
            chosen = block[np.arange(len(block)), following[begin : begin + SOFTMAX_ROWS]]
            values[begin : begin + len(block)] = normaliser - chosen
        return values

    def close(self) -> None:
        if self._llm is not None:
            self._llm.close()
            self._llm = None


def _file_stamp(path: Path) -> tuple[int, int, int] | None:
    """(inode, size, mtime): what changes when a file is replaced or rewritten."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns

"""The in-process backend: llama-cpp-python running a GGUF chat model (the
scorer's explainer writes with it).

`llama_cpp` is imported when the backend is built, never at module import, so
the CLI pays for it only when the model actually writes something."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import os
import time
from collections.abc import Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from reviewer.config import ModelConfig
from reviewer.model.base import (
    Backend,
    BackendError,
    BackendInterrupted,
    BackendTimeout,
    Generation,
    UnitSkipped,
)
from reviewer.model.prompt import ReviewRequest
from reviewer.model.resolve import ModelLocation

_SILENT_LOG: Any = None  # the ctypes callback must outlive every llama.cpp call


def silence_llama_cpp() -> None:
    """Route llama.cpp's own log to nowhere. `verbose=False` still lets its
    errors through, and some are not errors (a context built with pooling
    NONE logs one on every load); failures reach us as exceptions anyway."""
    global _SILENT_LOG
    if _SILENT_LOG is None:
        import llama_cpp

        _SILENT_LOG = llama_cpp.llama_log_callback(lambda _level, _text, _data: None)
        llama_cpp.llama_log_set(_SILENT_LOG, None)


class LlamaBackend(Backend):
    def __init__(self, settings: ModelConfig, location: ModelLocation) -> None:
        try:
            import llama_cpp
        except ImportError as error:
            raise BackendError(
                "llama-cpp-python is not installed (pip install 'reviewer[model]')"
            ) from error
        self.settings = settings
        self.location = location
        self.model_id = location.path.name
        self._stamp = _file_stamp(location.path)
        self._closed = False
        self.load_seconds = 0.0
        # The timeout: llama.cpp asks this between the graph's operations, so
        # it interrupts the prompt's evaluation too, not only generation.
        self._deadline = math.inf
        self._interrupted = False
        self._abort = llama_cpp.ggml_abort_callback(
            lambda _data: self._interrupted or time.monotonic() > self._deadline
        )

    @cached_property
    def llm(self) -> Any:
        """The loaded model. Loading waits for the first request that is not
        in the answer cache: a run with nothing new to write never pays for it."""
        import llama_cpp

        settings = self.settings
        started = time.perf_counter()
        silence_llama_cpp()
        try:
            llm = llama_cpp.Llama(
                model_path=str(self.location.path),
                n_ctx=settings.context,
                n_threads=settings.threads or os.cpu_count() or 1,
                n_threads_batch=settings.threads or os.cpu_count() or 1,
                seed=0,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as error:
            raise BackendError(
                f"cannot load model {self.location.path}: not a valid GGUF model "
                "(corrupt or truncated?)"
            ) from error
        self.load_seconds = time.perf_counter() - started
        # llama.cpp logs through this logger; a review prints nothing of it.
        logging.getLogger("llama-cpp-python").setLevel(logging.CRITICAL + 1)
        self._formatter = _chat_formatter(llm)
        # Counting a prompt's tokens and answering it format it the same way.
        llm.chat_handler = self._formatter.to_chat_handler()
        llama_cpp.llama_set_abort_callback(llm.ctx, self._abort, None)
        return llm

    def load(self) -> None:
        """Load now (tests, benchmarks and `--model` runs that want errors early)."""
        self.llm  # noqa: B018 (the property loads)

    @cached_property
    def identity(self) -> str:
        sha = self.location.with_hash().sha256 or ""
        return "llama:" + hashlib.sha256(sha.encode()).hexdigest()

    def review(self, request: ReviewRequest) -> Generation:
        prompt = self._tokens(request.messages)
        room = self.llm.n_ctx() - len(prompt)
        if room < request.max_tokens:
            raise UnitSkipped(
                f"{len(prompt)} prompt tokens leave no room for the answer in the "
                f"model's context of {self.llm.n_ctx()} tokens (raise model.context)"
            )
        with self._timeout():
            result: Any = self.llm.create_chat_completion(
                messages=list(request.messages),
                response_format={"type": "json_object", "schema": request.schema},
                temperature=0.0,
                max_tokens=request.max_tokens,
            )
        usage = result.get("usage") or {}
        return Generation(
            text=result["choices"][0]["message"].get("content") or "",
            prompt_tokens=int(usage.get("prompt_tokens", len(prompt))),
            completion_tokens=int(usage.get("completion_tokens", 0)),
        )

    def describe(self) -> dict[str, str]:
        location = self.location.with_hash()
        return {
            "backend": "llama (in-process llama-cpp-python)",
            "model": str(location.path),
            "origin": location.origin,
            "size": f"{location.size:,} bytes",
            "sha256": location.sha256 or "",
        }

    def interrupt(self) -> None:
        """Stop the running request at llama.cpp's next graph operation
        (another thread calls this: the language server on a newer edit)."""
        self._interrupted = True

    def changed_on_disk(self) -> bool:
        return _file_stamp(self.location.path) != self._stamp

    def close(self) -> None:
        if not self._closed and "llm" in self.__dict__:
            self._closed = True
            self.llm.close()

    # -- internals ---------------------------------------------------------

    @contextlib.contextmanager
    def _timeout(self) -> Iterator[None]:
        """Arm the abort callback for one request; an aborted evaluation
        becomes BackendTimeout (and the half-evaluated state is dropped)."""
        self._deadline = time.monotonic() + self.settings.timeout
        self._interrupted = False
        try:
            yield
        except (ValueError, RuntimeError) as error:
            if self._interrupted:
                self.llm.reset()
                raise BackendInterrupted(f"model {self.model_id} was interrupted") from None
            if time.monotonic() > self._deadline:
                llm: Any = self.llm
                llm.reset()  # drop the half-evaluated state
                raise BackendTimeout(
                    f"model {self.model_id} took more than {self.settings.timeout:g} s on one unit"
                ) from None
            raise BackendError(f"model {self.model_id} failed: {error}") from error
        finally:
            self._deadline = math.inf

    def _tokens(self, messages: Sequence[dict[str, str]]) -> list[int]:
        llm = self.llm  # loads the model (and its formatter) on first use
        formatted = self._formatter(messages=list(messages))
        return list(
            llm.tokenize(
                formatted.prompt.encode("utf-8"),
                add_bos=not formatted.added_special,
                special=True,
            )
        )


def _chat_formatter(llm: Any) -> Any:
    from llama_cpp import llama_chat_format

    template = _template(llm)
    if not template:
        return llama_chat_format.Jinja2ChatFormatter(
            template=llama_chat_format.CHATML_CHAT_TEMPLATE, eos_token="", bos_token=""
        )

    def piece(token: int) -> str:
        return str(llm._model.token_get_text(token)) if token >= 0 else ""

    return llama_chat_format.Jinja2ChatFormatter(
        template=template,
        eos_token=piece(llm.token_eos()),
        bos_token=piece(llm.token_bos()),
        stop_token_ids=[llm.token_eos()],
    )


def _template(llm: Any) -> str | None:
    template = llm.metadata.get("tokenizer.chat_template")
    return str(template) if template else None


def _file_stamp(path: Path) -> tuple[int, int, int] | None:
    """(inode, size, mtime): what changes when a file is replaced or rewritten."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)

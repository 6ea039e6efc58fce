"""The backend a config asks for: the in-process llama.cpp one (when its
runtime and a model file are there) or an OpenAI-compatible server.

The model tier over it is assembled in reviewer.scorer.assemble; this
package sits below it and imports nothing of the scorer."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from reviewer.config import ModelConfig
from reviewer.errors import ReviewerError
from reviewer.model.base import Backend


def llama_available() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def build_backend(
    settings: ModelConfig,
    *,
    model_path: str | None,
    required: bool,
    root: Path | None = None,
) -> Backend | None:
    """The configured backend; None when the model is optional and absent."""
    if settings.backend == "openai":
        try:
            from reviewer.model.openai import OpenAIBackend  # type: ignore[import-not-found,unused-ignore]
        except ImportError as error:
            raise ReviewerError(f"model backend 'openai' is not available: {error}") from None
        backend: Backend = OpenAIBackend(settings)
        return backend
    from reviewer.model.resolve import resolve_model

    if not llama_available():
        if required:
            raise ReviewerError(
                "model requested but llama-cpp-python is not installed "
                "(pip install 'reviewer[model]')"
            )
        return None
    location = resolve_model(settings.path, model_path, root=root)
    if location is None:
        if required:
            raise ReviewerError(
                "model requested but none found: pass --model-path FILE, set model.path, "
                "install 'reviewer[model]' or run `reviewer model pull`"
            )
        return None
    from reviewer.model.llama import LlamaBackend

    return LlamaBackend(settings, location)

"""Fixtures for the line scorer: the real default model loaded once for
scoring passes (a forward model, as the product loads it), and a tiny random
model with its tokenizer for the pipeline's end-to-end test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer.model.resolve import ModelLocation
from tests.model.conftest import MISSING_RUNTIME, model_cache_dir, model_default
from tests.model_missing import require_modules

__all__ = ["model_cache_dir", "model_default"]


@pytest.fixture(scope="session")
def forward(model_default: ModelLocation) -> Iterator[object]:
    require_modules("llama_cpp", reason=MISSING_RUNTIME)
    from reviewer.scorer.forward import ForwardModel

    model = ForwardModel(model_default.path, context=1024, threads=2)
    yield model
    model.close()


@pytest.fixture(scope="session")
def tiny_model(model_default: ModelLocation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random qwen2 GGUF with the default model's tokenizer (written once)."""
    require_modules("gguf", "llama_cpp")
    from tests.tiny_model import write_tiny_model

    return write_tiny_model(model_default.path, tmp_path_factory.mktemp("tiny") / "tiny.gguf")

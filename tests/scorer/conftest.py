"""Fixtures for the line scorer: the real default model loaded once for
scoring passes (a forward model, as the product loads it)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import pytest

from reviewer.model.resolve import ModelLocation
from tests.model.conftest import MISSING_RUNTIME, model_cache_dir, model_default

__all__ = ["model_cache_dir", "model_default"]


@pytest.fixture(scope="session")
def forward(model_default: ModelLocation) -> Iterator[object]:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip(MISSING_RUNTIME)
    from reviewer.scorer.forward import ForwardModel

    model = ForwardModel(model_default.path, context=1024, threads=2)
    yield model
    model.close()

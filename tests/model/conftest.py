"""Fixtures for the model tier: the real default model, when installed.

`model_default` assembles the chunk packages once per session into a private
cache directory; tests that need the real runtime skip, with the reason, when
llama-cpp-python or the chunk packages are not installed (or fail, when
REVIEWER_REQUIRE_MODEL=1: tests/model_missing.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer.config import ModelConfig
from reviewer.model.resolve import ModelLocation, installed_parts, resolve_model
from tests.model_missing import model_missing, require_modules

MISSING_RUNTIME = "llama-cpp-python is not installed (pip install -e '.[model]')"
MISSING_PARTS = "the default model's chunk packages are not installed (pip install -e '.[model]')"


@pytest.fixture(scope="session")
def model_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="session")
def model_default(model_cache_dir: Path) -> ModelLocation:
    """The default model assembled from the installed chunk packages (once)."""
    if installed_parts() is None:
        model_missing(MISSING_PARTS)
    location = resolve_model(directory=model_cache_dir, progress=False)
    assert location is not None
    return location


@pytest.fixture(scope="session")
def llama_backend(model_default: ModelLocation) -> Iterator[object]:
    """One loaded LlamaBackend for the whole session (loading costs ~1.5 s)."""
    require_modules("llama_cpp", reason=MISSING_RUNTIME)
    from reviewer.model.llama import LlamaBackend

    backend = LlamaBackend(ModelConfig(timeout=600), model_default)
    yield backend
    backend.close()

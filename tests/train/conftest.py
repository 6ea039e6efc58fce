"""Fixtures for the training pipeline: the scorer's tiny random qwen2 GGUF
(tests/tiny_model.py; the default model's tokenizer) as the training base,
and one cache for its float32 checkpoint per session."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.model.conftest import model_cache_dir, model_default
from tests.scorer.conftest import tiny_model

__all__ = ["model_cache_dir", "model_default", "tiny_model"]

NEEDS = ("torch", "transformers", "peft", "gguf", "llama_cpp")


@pytest.fixture(scope="session")
def train_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("train-cache")


@pytest.fixture(scope="session")
def tiny_base(tiny_model: Path) -> Path:
    missing = [name for name in NEEDS if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"needs the train extra: {', '.join(missing)} not installed")
    return tiny_model

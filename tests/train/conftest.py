"""Fixtures for the training pipeline: a tiny random qwen2 base GGUF with
the default model's tokenizer (the default model's chunk packages are in
the `test` extra), written once per session."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from reviewer.model.resolve import ModelLocation
from tests.model.conftest import model_cache_dir, model_default

__all__ = ["model_cache_dir", "model_default"]

NEEDS = ("torch", "transformers", "peft", "gguf", "llama_cpp")


@pytest.fixture(scope="session")
def train_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("train-cache")


@pytest.fixture(scope="session")
def tiny_base(
    model_default: ModelLocation, tmp_path_factory: pytest.TempPathFactory, train_cache: Path
) -> Path:
    missing = [name for name in NEEDS if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"needs the train extra: {', '.join(missing)} not installed")
    from reviewer.train.tiny import write_tiny_base

    return write_tiny_base(
        model_default.path, tmp_path_factory.mktemp("tiny") / "tiny.gguf", cache=train_cache
    )

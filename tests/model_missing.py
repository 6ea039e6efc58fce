"""What a test does when the model is missing (llama-cpp-python, its server
extra, or the default weights): skip on a developer's machine without the
`model` extra, fail when REVIEWER_REQUIRE_MODEL=1. `.ci/run` sets it, so in CI
a broken llama.cpp build or absent weights cannot pass as a row of skips.

Every model skip goes through `model_missing`; tests marked `needs_llama`
are checked before they run (tests/conftest.py)."""

from __future__ import annotations

import importlib.util
import os
from typing import NoReturn

import pytest

REQUIRE_MODEL = "REVIEWER_REQUIRE_MODEL"


def required() -> bool:
    return os.environ.get(REQUIRE_MODEL) == "1"


def model_missing(reason: str) -> NoReturn:
    """Skip with `reason`, or fail with it when the model is required."""
    if required():
        pytest.fail(f"{reason} ({REQUIRE_MODEL}=1: a missing model is a failure)", pytrace=False)
    pytest.skip(reason)


def require_modules(*names: str, reason: str | None = None) -> None:
    """Go on when every module in `names` is importable, else model_missing."""
    missing = [name for name in names if importlib.util.find_spec(name) is None]
    if missing:
        model_missing(reason or f"needs the test extra: {', '.join(missing)} not installed")

"""Shared by the language-server tests: a repository with one committed file,
and the real default model's fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import GitRepo
from tests.model.conftest import model_cache_dir, model_default  # noqa: F401 (fixtures)

COMMITTED = (
    "def price(total, rate):\n    if rate is 1.0:\n        return total\n    return total * rate\n"
)


@pytest.fixture
def shop(repo: GitRepo) -> Path:
    repo.write("shop.py", COMMITTED)
    repo.commit("start")
    return repo.path / "shop.py"

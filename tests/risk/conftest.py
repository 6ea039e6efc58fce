"""A repository with some history, a planted risky change (many added lines
of code) and a clean small one, for the change's risk in every surface."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer import trust
from tests.conftest import GitRepo
from tests.model.conftest import model_cache_dir, model_default

__all__ = ["model_cache_dir", "model_default"]

BASE = "def price(total, rate):\n    return total * rate\n"
SMALL = "def price(total, rate):\n    return round(total * rate, 2)\n"


def risky_module(functions: int = 3, lines: int = 18) -> str:
    """Many added lines: `functions` functions of about `lines` lines each."""
    parts = []
    for f in range(functions):
        body = [f"def step_{f}(items, limit):", "    total = 0"]
        for n in range(lines - 4):
            body.append(
                f"    if items[{n}] > limit:"
                if n % 2 == 0
                else f"        total += items[{n}] * {n}"
            )
        body += ["    return total", ""]
        parts.append("\n".join(body))
    return "\n\n".join(parts)


def with_history(repo: GitRepo, commits: int = 4) -> None:
    """`commits` earlier changes of 2 to 5 lines of code, then BASE."""
    for n in range(commits):
        repo.write(f"util_{n}.py", "".join(f"X_{n}_{k} = {k}\n" for k in range(2 + n)))
        repo.commit(f"util {n}")
    repo.write("shop.py", BASE)
    repo.commit("base")


def model_config(repo: GitRepo, model: Path, extra: str = "") -> None:
    """The real default model, no sentences (they cost a generation each);
    `extra` lines go into the [model] table. The repository names the model
    file, so its user trusts it (SECURITY.md)."""
    repo.write(".reviewer.toml", f'[model]\npath = "{model}"\nexplain = false\n{extra}')
    repo.commit("config")
    trust.trust(repo.path)


@pytest.fixture
def history_repo(repo: GitRepo) -> GitRepo:
    with_history(repo)
    return repo

"""Shared fixtures: an isolated HOME/git config, and real git repositories."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.model_missing import require_modules

FIXED_DATE = "2026-01-01T00:00:00+00:00"


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked `needs_llama` skip without llama-cpp-python, or fail
    when REVIEWER_REQUIRE_MODEL=1 (tests/model_missing.py)."""
    if item.get_closest_marker("needs_llama") is not None:
        require_modules(
            "llama_cpp", reason="llama-cpp-python is not installed (pip install -e '.[model]')"
        )


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """No test reads or writes the developer's HOME, XDG dirs or git config."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(var, raising=False)
    for var in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        monkeypatch.setenv(var, FIXED_DATE)
    for var in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(var, "Test Author")
    for var in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(var, "test@example.com")
    monkeypatch.delenv("NO_COLOR", raising=False)
    # The real model is slow: only tests that ask for it (flag or env) run it.
    monkeypatch.setenv("REVIEWER_MODEL_ENABLED", "off")
    monkeypatch.delenv("REVIEWER_MODEL", raising=False)
    # The user's own model settings (trusted sources) stay out of every test.
    for var in ("BACKEND", "URL", "NAME", "API_KEY_ENV"):
        monkeypatch.delenv(f"REVIEWER_MODEL_{var}", raising=False)
    yield home


class GitRepo:
    """A real repository in a temporary directory, driven by the git CLI."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def git(self, *args: str) -> str:
        result = subprocess.run(
            ["git", *args], cwd=self.path, check=True, capture_output=True, text=True
        )
        return result.stdout

    def write(self, relative: str, content: str | bytes) -> Path:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_bytes(content.encode("utf-8"))
        return target

    def commit(self, message: str = "change", *paths: str) -> str:
        self.git("add", "--all", *paths)
        self.git("commit", "--quiet", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


def make_repo(path: Path) -> GitRepo:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "--quiet", "-b", "main", str(path)], check=True)
    repo = GitRepo(path)
    repo.git("config", "user.name", "Test Author")
    repo.git("config", "user.email", "test@example.com")
    repo.git("config", "commit.gpgsign", "false")
    return repo


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """An empty repository (no commits yet) with the cwd inside it."""
    created = make_repo(tmp_path / "repo")
    monkeypatch.chdir(created.path)
    return created

"""Commits by named authors at given dates, in a real repository."""

from __future__ import annotations

import pytest

from tests.conftest import GitRepo


def commit_as(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, author: str, date: str, message: str
) -> str:
    for var in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        monkeypatch.setenv(var, date)
    monkeypatch.setenv("GIT_AUTHOR_NAME", author.title())
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", f"{author}@example.com")
    return repo.commit(message)

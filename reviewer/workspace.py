"""A repository opened for review: its root, its configuration (loaded once)
and a reader of its changes. What every command that reviews starts from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewer.config import Config, RepositoryTrust, load_sources
from reviewer.git import ChangeReader, open_repo, repo_root


@dataclass(frozen=True)
class Workspace:
    root: Path
    config: Config
    reader: ChangeReader
    # Said once in the report: the repository's settings that were left out
    # because it is not trusted with them (guarded.py).
    notices: tuple[str, ...] = ()

    @classmethod
    def open(
        cls,
        config_file: str | None = None,
        overrides: Mapping[str, Any] | None = None,
        *,
        repository_trust: RepositoryTrust = "recorded",
    ) -> Workspace:
        """The repository around the current directory. `config_file` is
        resolved against the current directory; list-valued `overrides`
        (exclude, disable) add to the file's lists, scalars replace."""
        repo = open_repo(".")
        root = repo_root(repo)
        explicit = Path(config_file).resolve() if config_file else None
        loaded = load_sources(
            root,
            explicit,
            dict(overrides or {}),
            extend_lists=True,
            repository_trust=repository_trust,
        )
        config = loaded.config
        notices = (loaded.notice,) if loaded.notice else ()
        return cls(root, config, ChangeReader(repo, max_bytes=config.max_file_bytes), notices)

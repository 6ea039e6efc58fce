"""Which pull request to review, read from the environment GitHub Actions
sets (any CI can set the same variables)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from reviewer.errors import ReviewerError

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_SERVER_URL = "https://github.com"
TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")


@dataclass(frozen=True)
class PullRequest:
    api_url: str  # GITHUB_API_URL: github.com's API or an Enterprise server's
    repository: str  # owner/name
    number: int
    base_sha: str
    head_sha: str
    base_ref: str
    from_fork: bool
    server_url: str = DEFAULT_SERVER_URL  # GITHUB_SERVER_URL: where the web pages are

    @property
    def path(self) -> str:
        return f"/repos/{self.repository}/pulls/{self.number}"

    def line_url(self, path: str, line: int) -> str:
        """The web page of a line of the head commit."""
        quoted = quote(path, safe="/")
        return f"{self.server_url}/{self.repository}/blob/{self.head_sha}/{quoted}#L{line}"


def read_pull_request(environ: Mapping[str, str] | None = None) -> PullRequest:
    env = os.environ if environ is None else environ
    event_path = env.get("GITHUB_EVENT_PATH")
    if not event_path:
        raise ReviewerError("GITHUB_EVENT_PATH is not set: run inside a pull_request workflow")
    try:
        event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ReviewerError(f"cannot read the event file {event_path}: {error}") from None
    pull = event.get("pull_request") if isinstance(event, dict) else None
    if not isinstance(pull, dict):
        name = env.get("GITHUB_EVENT_NAME", "this event")
        raise ReviewerError(
            f"{name} has no pull_request in {event_path}: "
            "run on pull_request or pull_request_target events"
        )
    repository = env.get("GITHUB_REPOSITORY") or _get(event, "repository", "full_name")
    if not repository or "/" not in str(repository):
        raise ReviewerError("GITHUB_REPOSITORY is not set (expected owner/name)")
    head_repo = _get(pull, "head", "repo", "full_name")
    return PullRequest(
        api_url=(env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/"),
        repository=str(repository),
        number=int(_required(pull, "number")),
        base_sha=str(_required(pull, "base", "sha")),
        head_sha=str(_required(pull, "head", "sha")),
        base_ref=str(_get(pull, "base", "ref") or ""),
        from_fork=bool(head_repo) and head_repo != repository,
        server_url=(env.get("GITHUB_SERVER_URL") or DEFAULT_SERVER_URL).rstrip("/"),
    )


def read_token(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    for name in TOKEN_VARIABLES:
        if env.get(name):
            return env[name]
    raise ReviewerError("no token: set GITHUB_TOKEN (the Action passes its github-token input)")


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _required(data: Any, *keys: str) -> Any:
    value = _get(data, *keys)
    if value is None:
        raise ReviewerError(f"the event's pull_request has no {'.'.join(keys)}")
    return value

"""A small GitHub REST client: JSON in and out, Link-header pagination, and
errors that carry GitHub's own message. The token goes into the
Authorization header and nowhere else: no message, log or exception text
ever contains it."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

from reviewer import __version__
from reviewer.errors import ReviewerError

TIMEOUT_SECONDS = 30
PAGE_SIZE = 100
_NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


class GitHubError(ReviewerError):
    """GitHub answered with an error status (or could not be reached)."""

    def __init__(self, method: str, path: str, status: int, message: str) -> None:
        super().__init__(f"GitHub {method} {path}: {status} {message}")
        self.status = status
        self.github_message = message


class GitHubClient:
    def __init__(self, api_url: str, token: str, timeout: float = TIMEOUT_SECONDS) -> None:
        self.api_url = api_url.rstrip("/")
        self._token = token
        self.timeout = timeout

    def __repr__(self) -> str:  # never the token
        return f"GitHubClient({self.api_url!r})"

    def get(self, path: str) -> Any:
        return self._request("GET", self._url(path))[0]

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self._request("POST", self._url(path), body)[0]

    def paginate(self, path: str) -> Iterator[Any]:
        """Every item of a list endpoint, following `Link: rel="next"`."""
        separator = "&" if "?" in path else "?"
        url: str | None = self._url(f"{path}{separator}per_page={PAGE_SIZE}")
        while url is not None:
            items, headers = self._request("GET", url)
            if not isinstance(items, list):
                raise GitHubError("GET", path, 200, "expected a list")
            yield from items
            found = _NEXT_LINK.search(headers.get("Link", ""))
            url = found.group(1) if found else None
            if url is not None and not self._same_host(url):  # never send the token elsewhere
                raise GitHubError("GET", path, 200, "the next page points to another host")

    def _url(self, path: str) -> str:
        return self.api_url + path

    def _same_host(self, url: str) -> bool:
        ours, theirs = urllib.parse.urlsplit(self.api_url), urllib.parse.urlsplit(url)
        return (ours.scheme, ours.netloc) == (theirs.scheme, theirs.netloc)

    def _request(
        self, method: str, url: str, body: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, str]]:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("X-GitHub-Api-Version", "2022-11-28")
        request.add_header("User-Agent", f"reviewer/{__version__}")
        # Unredirected: a redirect to another host must not carry the token.
        request.add_unredirected_header("Authorization", f"Bearer {self._token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        shown = urllib.parse.urlsplit(url).path
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = response.read()
                headers = dict(response.headers.items())
        except urllib.error.HTTPError as error:
            raise GitHubError(method, shown, error.code, _message(error.read())) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise GitHubError(method, shown, 0, f"cannot reach {self.api_url}: {reason}") from None
        try:
            return (json.loads(payload) if payload else None), headers
        except ValueError:
            raise GitHubError(method, shown, 200, "the answer is not JSON") from None


def _message(payload: bytes) -> str:
    """GitHub's `message`, with its `errors` details when there are any."""
    try:
        data = json.loads(payload)
    except ValueError:
        return payload.decode("utf-8", "replace").strip()[:200] or "no message"
    if not isinstance(data, dict):
        return str(data)[:200]
    message = str(data.get("message", "no message"))
    details = [
        str(item.get("message", item)) if isinstance(item, dict) else str(item)
        for item in data.get("errors") or []
    ]
    return f"{message} ({'; '.join(details)})" if details else message

"""A small GitHub REST client: JSON in and out, Link-header pagination,
bounded retries (reviewer.pull_request.retry), and errors that carry
GitHub's own message. The token goes into the Authorization header and
nowhere else: no message, log or exception text ever contains it."""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

from reviewer import __version__
from reviewer.errors import ReviewerError
from reviewer.pull_request.retry import RetryPolicy, wait_before_retry

TIMEOUT_SECONDS = 30.0
PAGE_SIZE = 100
MAX_PAGES = 200  # 20,000 items: past that a list is taken for a server bug
SLEEP: Callable[[float], None] = time.sleep  # tests swap it for a recorder
_NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


class GitHubError(ReviewerError):
    """GitHub answered with an error status (or could not be reached)."""

    def __init__(
        self,
        method: str,
        path: str,
        status: int,
        message: str,
        headers: dict[str, str] | None = None,
        *,
        maybe_done: bool = False,
    ) -> None:
        super().__init__(f"GitHub {method} {path}: {status} {message}")
        self.status = status
        self.github_message = message
        self.headers = headers or {}
        # True when GitHub may have carried the request out all the same (no
        # answer, a server error, an answer cut short): a POST must not be
        # sent again before looking whether it took effect.
        self.maybe_done = maybe_done


class GitHubClient:
    def __init__(
        self,
        api_url: str,
        token: str,
        timeout: float | None = None,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self._token = token
        self.timeout = TIMEOUT_SECONDS if timeout is None else timeout
        self.policy = policy or RetryPolicy()
        self._sleep = sleep or SLEEP

    def __repr__(self) -> str:  # never the token
        return f"GitHubClient({self.api_url!r})"

    def get(self, path: str) -> Any:
        return self._retried("GET", self._url(path))[0]

    def post(self, path: str, body: dict[str, Any]) -> Any:
        """A POST that is safe to repeat (retried like a GET)."""
        return self._retried("POST", self._url(path), body)[0]

    def create(self, path: str, body: dict[str, Any], find: Callable[[], Any]) -> Any:
        """POST something that must exist once (a review). After a failure
        that GitHub may have carried out anyway (a lost answer, a server
        error), `find()` looks for it first, and only when it is not there
        is it posted again. Returns GitHub's answer or what `find` found."""
        url = self._url(path)
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once("POST", url, body)[0]
            except GitHubError as error:
                wait = self._wait(error, attempt)
                if error.maybe_done:
                    existing = find()
                    if existing is not None:
                        return existing
                if wait is None:
                    raise
                self._sleep(wait)

    def paginate(self, path: str) -> Iterator[Any]:
        """Every item of a list endpoint, following `Link: rel="next"`; a
        next link back to a page already read, or no end in sight, is an
        error (the list cannot be trusted whole)."""
        separator = "&" if "?" in path else "?"
        url: str | None = self._url(f"{path}{separator}per_page={PAGE_SIZE}")
        seen: set[str] = set()
        while url is not None:
            if url in seen:
                raise GitHubError("GET", path, 200, "the next page loops back to a page read")
            if len(seen) >= MAX_PAGES:
                raise GitHubError("GET", path, 200, f"more than {MAX_PAGES} pages")
            seen.add(url)
            items, headers = self._retried("GET", url)
            if not isinstance(items, list):
                raise GitHubError("GET", path, 200, "expected a list")
            yield from items
            found = _NEXT_LINK.search(_header(headers, "Link"))
            url = found.group(1) if found else None
            if url is not None and not self._same_host(url):  # never send the token elsewhere
                raise GitHubError("GET", path, 200, "the next page points to another host")

    def _url(self, path: str) -> str:
        return self.api_url + path

    def _same_host(self, url: str) -> bool:
        ours, theirs = urllib.parse.urlsplit(self.api_url), urllib.parse.urlsplit(url)
        return (ours.scheme, ours.netloc) == (theirs.scheme, theirs.netloc)

    def _retried(
        self, method: str, url: str, body: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, str]]:
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(method, url, body)
            except GitHubError as error:
                wait = self._wait(error, attempt)
                if wait is None:
                    raise
                self._sleep(wait)

    def _wait(self, error: GitHubError, attempt: int) -> float | None:
        return wait_before_retry(
            error.status,
            error.github_message,
            error.headers,
            attempt,
            self.policy,
            garbled=error.maybe_done,
        )

    def _once(
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
            answer = dict(error.headers.items()) if error.headers else {}
            try:
                message = _message(error.read())
            except (OSError, http.client.HTTPException):
                message = error.reason or "no message"
            raise GitHubError(
                method, shown, error.code, message, answer, maybe_done=error.code >= 500
            ) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            reason = str(getattr(error, "reason", None) or error) or type(error).__name__
            raise GitHubError(
                method, shown, 0, f"cannot reach {self.api_url}: {reason}", maybe_done=True
            ) from None
        try:
            return (json.loads(payload) if payload else None), headers
        except ValueError:
            raise GitHubError(
                method, shown, 200, "the answer is not JSON (cut short?)", maybe_done=True
            ) from None


def _header(headers: dict[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), "")


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

"""When a failed GitHub request is worth trying again, and after how long.

Server errors, timeouts, lost connections and answers cut short are retried
with exponential backoff; rate limits (429, and 403 with GitHub's rate-limit
message) after the wait GitHub asks for. A wait longer than the cap ends the
run instead of idling the job."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

SERVER_ERRORS = frozenset({500, 502, 503, 504})
# GitHub's advice for a secondary rate limit that names no wait.
RATE_LIMIT_WAIT = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # in all, the first one included
    backoff: float = 1.0  # seconds before the second attempt, doubled each time
    max_wait: float = 60.0  # a longer wait asked for is not waited for


def is_rate_limit(status: int, message: str, headers: Mapping[str, str]) -> bool:
    if status == 429:
        return True
    return status == 403 and (
        "rate limit" in message.lower() or _header(headers, "x-ratelimit-remaining") == "0"
    )


def is_transient(status: int) -> bool:
    """A failure that may pass: a server error, or no answer at all (0)."""
    return status == 0 or status in SERVER_ERRORS


def wait_before_retry(
    status: int,
    message: str,
    headers: Mapping[str, str],
    attempt: int,
    policy: RetryPolicy,
    *,
    garbled: bool = False,
    now: float | None = None,
) -> float | None:
    """Seconds to wait before attempt `attempt + 1`, or None when the failure
    is final (not transient, out of attempts, or asked to wait too long).
    `garbled`: an answer that came back cut short or not JSON."""
    if attempt >= policy.attempts:
        return None
    asked = _asked_wait(headers, time.time() if now is None else now)
    if is_rate_limit(status, message, headers):
        wait = asked if asked is not None else RATE_LIMIT_WAIT
    elif garbled or is_transient(status):
        wait = asked if asked is not None else policy.backoff * 2 ** (attempt - 1)
    else:
        return None
    return wait if wait <= policy.max_wait else None


def _asked_wait(headers: Mapping[str, str], now: float) -> float | None:
    """Retry-After (seconds), else the rate limit's reset time (epoch)."""
    retry_after = _header(headers, "retry-after")
    if retry_after is not None:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            return None  # an HTTP date: GitHub sends seconds
    reset = _header(headers, "x-ratelimit-reset")
    if reset is not None and _header(headers, "x-ratelimit-remaining") == "0":
        try:
            return max(0.0, float(reset) - now)
        except ValueError:
            return None
    return None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value.strip()
    return None

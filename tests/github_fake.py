"""A fake GitHub REST server on loopback that enforces the rules the real one
does for the endpoints `reviewer github` uses, and records every request.

Rules enforced: a known token is required (401); a read-only token may read
but not write (403, GitHub's "Resource not accessible by integration"); a
review comment must be on a RIGHT-side line of the file's patch, or the
whole review is refused (422); list endpoints are paginated with Link
headers; a review's commit_id must be the pull request's head.

Faults, queued in `faults`, replace or spoil the answer to the next request
they match: server errors (500/502/503), rate limits (429, GitHub's
secondary-limit 403) with Retry-After, a reply slower than the client's
timeout, JSON cut short, a connection dropped without an answer; `after`
makes the server carry the request out first (a review that is created
but whose answer is lost). `loop_pages` makes a list's last page link back
to its first."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from reviewer.pull_request.diff_lines import commentable_lines

WRITE_TOKEN = "ghs_writeTOKENwriteTOKEN0123456789"
READ_TOKEN = "ghs_readONLYreadONLY0123456789abcd"
# Served under a path, as GitHub Enterprise Server serves its API.
ENTERPRISE_PREFIX = "/api/v3"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    authorization: str


SECONDARY_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)


@dataclass
class Fault:
    """One spoiled answer: to the next `method` request on `endpoint`
    ("files", "comments" or "reviews")."""

    method: str
    endpoint: str
    kind: str  # "status", "slow", "truncated", "cut", "lost"
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    message: str = "Server Error"
    after: bool = False  # carry the request out, then spoil the answer
    delay: float = 0.0  # "slow": seconds before answering


@dataclass
class Reply:
    status: int
    payload: Any
    headers: dict[str, str]
    delivery: str = "whole"  # or "truncated", "cut", "lost"
    delay: float = 0.0


def rate_limited(method: str, endpoint: str, status: int = 429, retry_after: str = "1") -> Fault:
    """429, or (403) GitHub's secondary rate limit, asking to wait."""
    message = SECONDARY_LIMIT if status == 403 else "API rate limit exceeded"
    headers = {"Retry-After": retry_after} if retry_after else {}
    return Fault(method, endpoint, "status", status, headers, message)


@dataclass
class FakeGitHub:
    repository: str
    number: int
    head_sha: str
    files: list[dict[str, Any]]  # as GET /pulls/{n}/files returns them
    page_size: int = 2
    refused_lines: set[tuple[str, int]] = field(default_factory=set)  # GitHub says no
    comments: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    loop_pages: set[str] = field(default_factory=set)  # endpoints whose pages loop
    url: str = ""

    def posted_reviews(self) -> list[dict[str, Any]]:
        return [r.body for r in self.requests if r.method == "POST"]

    def attempts(self, method: str, endpoint: str) -> int:
        return sum(
            1 for r in self.requests if r.method == method and r.path.endswith(f"/{endpoint}")
        )

    # -- faults ----------------------------------------------------------------

    def reply(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, token: str
    ) -> Reply:
        fault = self._take_fault(method, path)
        if fault is None:
            return Reply(*self.handle(method, path, query, body, token))
        done = self.handle(method, path, query, body, token) if fault.after else None
        if fault.kind == "status":
            return Reply(fault.status, {"message": fault.message}, fault.headers)
        status, payload, headers = done or self.handle(method, path, query, body, token)
        if fault.kind == "slow":
            return Reply(status, payload, headers, delay=fault.delay)
        return Reply(status, payload, headers, delivery=fault.kind)

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for index, fault in enumerate(self.faults):
            if fault.method == method and path.endswith(f"/{fault.endpoint}"):
                return self.faults.pop(index)
        return None

    # -- the endpoints -------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: Any, token: str):  # type: ignore[no-untyped-def]
        if token not in (WRITE_TOKEN, READ_TOKEN):
            return 401, {"message": "Bad credentials"}, {}
        prefix = f"/repos/{self.repository}/pulls/{self.number}"
        if method == "GET" and path == f"{prefix}/files":
            return self._page(self.files, path, query)
        if method == "GET" and path == f"{prefix}/comments":
            return self._page(self.comments, path, query)
        if method == "GET" and path == f"{prefix}/reviews":
            return self._page(self.reviews, path, query)
        if method == "POST" and path == f"{prefix}/reviews":
            if token == READ_TOKEN:
                return 403, {"message": "Resource not accessible by integration"}, {}
            return self._create_review(body)
        return 404, {"message": "Not Found"}, {}

    def _page(self, items: list[dict[str, Any]], path: str, query: dict[str, list[str]]):  # type: ignore[no-untyped-def]
        per_page = min(int(query.get("per_page", ["30"])[0]), self.page_size)
        page = int(query.get("page", ["1"])[0])
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(items):
            following = urllib.parse.urlencode({"per_page": per_page, "page": page + 1})
            headers["Link"] = f'<{self.url}{path}?{following}>; rel="next"'
        elif path.rsplit("/", 1)[-1] in self.loop_pages:  # back to the first page
            first = urllib.parse.urlencode({"per_page": per_page, "page": 1})
            headers["Link"] = f'<{self.url}{path}?{first}>; rel="next"'
        return 200, chunk, headers

    def _create_review(self, body: Any):  # type: ignore[no-untyped-def]
        if not isinstance(body, dict) or body.get("commit_id") != self.head_sha:
            return (
                422,
                {"message": "Unprocessable Entity", "errors": ["commit_id is not the head"]},
                {},
            )
        patches = {f["filename"]: commentable_lines(f.get("patch", "")) for f in self.files}
        for comment in body.get("comments", []):
            lines = patches.get(comment.get("path"), frozenset())
            first = comment.get("start_line", comment.get("line"))
            span = range(first, comment.get("line", 0) + 1)
            if (
                comment.get("side", "RIGHT") != "RIGHT"
                or not all(n in lines for n in span)
                or any((comment.get("path"), n) in self.refused_lines for n in span)
            ):
                return (
                    422,
                    {
                        "message": "Unprocessable Entity",
                        "errors": ["Pull request review thread line must be part of the diff"],
                    },
                    {},
                )
        review_id = len(self.reviews) + 1
        url = f"https://github.com/fake/repo/pull/1#pullrequestreview-{review_id}"
        self.reviews.append(
            {"id": review_id, "body": body.get("body", ""), "state": "COMMENTED", "html_url": url}
        )
        for comment in body.get("comments", []):
            self.comments.append(
                {"id": len(self.comments) + 1, "pull_request_review_id": review_id, **comment}
            )
        return 200, {"id": review_id, "html_url": url}, {}


def serve(fake: FakeGitHub) -> tuple[ThreadingHTTPServer, threading.Thread]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            path = parts.path.removeprefix(ENTERPRISE_PREFIX)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            auth = self.headers.get("Authorization", "")
            token = re.sub(r"^(Bearer|token)\s+", "", auth)
            query = urllib.parse.parse_qs(parts.query)
            fake.requests.append(Recorded(self.command, parts.path, query, body, auth))
            reply = fake.reply(self.command, path, query, body, token)
            if reply.delay:
                time.sleep(reply.delay)
            if reply.delivery == "lost":  # carried out, and then no answer at all
                self.close_connection = True
                return
            data = json.dumps(reply.payload).encode()
            sent = data[: len(data) // 2] if reply.delivery in ("truncated", "cut") else data
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            # "truncated": a whole HTTP answer holding half a JSON document;
            # "cut": the connection closes before the promised length.
            length = len(data) if reply.delivery == "cut" else len(sent)
            self.send_header("Content-Length", str(length))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(sent)
            if reply.delivery == "cut":
                self.close_connection = True

        do_GET = _answer
        do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # a client that gave up on a slow answer is not news

    server = Server(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}{ENTERPRISE_PREFIX}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread

"""The GitHub client never sends the token to another host: not through a
pagination link, not through a redirect."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reviewer.pull_request.api import GitHubClient, GitHubError

TOKEN = "ghs_secret_token_value"


class _Recorder(BaseHTTPRequestHandler):
    seen: list[dict[str, str]]
    elsewhere = ""  # the other server's base URL

    def do_GET(self) -> None:
        self.seen.append(dict(self.headers.items()))
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", f"{self.elsewhere}/landed")
            self.end_headers()
            return
        body = json.dumps([{"n": 1}] if self.path.startswith("/list") else {"ok": True}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if self.path.startswith("/list"):
            self.send_header("Link", f'<{self.elsewhere}/list?page=2>; rel="next"')
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _serve(seen: list[dict[str, str]]) -> ThreadingHTTPServer:
    handler = type("Handler", (_Recorder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


Seen = list[dict[str, str]]  # the headers of each request a server got
TwoHosts = tuple[str, Seen, Seen]


@pytest.fixture
def two_hosts() -> Iterator[TwoHosts]:
    ours: Seen = []
    theirs: Seen = []
    api, other = _serve(ours), _serve(theirs)
    api_url = f"http://127.0.0.1:{api.server_address[1]}"
    other_url = f"http://127.0.0.1:{other.server_address[1]}"
    api.RequestHandlerClass.elsewhere = other_url  # type: ignore[attr-defined]
    yield api_url, ours, theirs
    api.shutdown()
    other.shutdown()


def test_a_redirect_to_another_host_carries_no_token(two_hosts: TwoHosts) -> None:
    api_url, ours, theirs = two_hosts
    assert GitHubClient(api_url, TOKEN).get("/redirect") == {"ok": True}
    assert ours[0]["Authorization"] == f"Bearer {TOKEN}"
    assert len(theirs) == 1 and "Authorization" not in theirs[0]


def test_a_next_page_on_another_host_is_refused(two_hosts: TwoHosts) -> None:
    api_url, _, theirs = two_hosts
    with pytest.raises(GitHubError, match="another host") as raised:
        list(GitHubClient(api_url, TOKEN).paginate("/list"))
    assert theirs == [] and TOKEN not in str(raised.value)

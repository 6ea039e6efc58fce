"""A loopback HTTP listener that records every request it receives: where
a test points a model server's URL to see whether anything, and which key,
was sent there. It answers 404, or when told to, redirects GETs (except those already
under /moved) to `redirect_to`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    authorization: str | None


class Listener:
    def __init__(self, redirect_to: str | None = None) -> None:
        self.received: list[Received] = []
        self.redirect_to = redirect_to  # a 307 to here + the path, for GETs
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                listener.received.append(
                    Received(self.command, self.path, self.headers.get("Authorization"))
                )
                moved = self.path.startswith("/moved")
                if listener.redirect_to is not None and self.command == "GET" and not moved:
                    self.send_response(307)
                    self.send_header("Location", listener.redirect_to + self.path)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = json.dumps({"error": {"message": "not here"}}).encode()
                self.send_response(404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = self.origin + "/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def listening(redirect_to: str | None = None) -> Iterator[Listener]:
    listener = Listener(redirect_to)
    try:
        yield listener
    finally:
        listener.close()

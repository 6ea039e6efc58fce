"""A minimal synchronous LSP client over stdio for the benchmarks: the same
harness drives every server, so their numbers compare. Standard library only."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


class LspProcess:
    def __init__(self, command: Sequence[str], cwd: Path, env: dict[str, str] | None = None):
        self.process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.next_id = 0
        self.latest: dict[str, dict[str, Any]] = {}  # uri -> last publishDiagnostics
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    # -- framing ---------------------------------------------------------------

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            message = json.loads(stream.read(length))
            message["_received"] = time.perf_counter()
            if message.get("method") == "textDocument/publishDiagnostics":
                self.latest[message["params"]["uri"]] = message
            self.messages.put(message)

    def send(self, payload: dict[str, Any]) -> float:
        body = json.dumps({"jsonrpc": "2.0", **payload}).encode()
        stream = self.process.stdin
        assert stream is not None
        sent = time.perf_counter()
        stream.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        stream.flush()
        return sent

    def notify(self, method: str, params: Any) -> float:
        return self.send({"method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float = 60) -> dict[str, Any]:
        self.next_id += 1
        ident = self.next_id
        self.send({"id": ident, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == ident and "method" not in m, timeout)

    def wait(self, match: Any, timeout: float = 60) -> dict[str, Any]:
        """The first message `match` accepts; server requests are answered
        (null result) so that no server blocks on the client."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no matching message from the server")
            message = self.messages.get(timeout=remaining)
            if "method" in message and "id" in message:  # a request to the client
                self.send({"id": message["id"], "result": None})
            if match(message):
                return message

    # -- LSP ---------------------------------------------------------------------

    def initialize(self, root: Path, options: Any = None) -> None:
        capabilities = {
            "textDocument": {"publishDiagnostics": {"versionSupport": True}},
            "window": {"workDoneProgress": True},
        }
        self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root.as_uri(),
                "capabilities": capabilities,
                "initializationOptions": options,
            },
        )
        self.notify("initialized", {})

    def open(self, file: Path, text: str, language: str = "python") -> None:
        self.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": file.as_uri(),
                    "languageId": language,
                    "version": 1,
                    "text": text,
                }
            },
        )

    def change(
        self, file: Path, version: int, start: tuple[int, int], end: tuple[int, int], text: str
    ) -> float:
        return self.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": file.as_uri(), "version": version},
                "contentChanges": [
                    {
                        "range": {
                            "start": {"line": start[0], "character": start[1]},
                            "end": {"line": end[0], "character": end[1]},
                        },
                        "text": text,
                    }
                ],
            },
        )

    def change_content(self, file: Path, version: int, changes: list[dict[str, Any]]) -> float:
        return self.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": file.as_uri(), "version": version}, "contentChanges": changes},
        )

    def diagnostics_after(
        self, file: Path, version: int | None, timeout: float = 60
    ) -> dict[str, Any]:
        """The next publishDiagnostics for `file` (for `version`, when the
        server says which version it published)."""

        def matches(message: dict[str, Any]) -> bool:
            if message.get("method") != "textDocument/publishDiagnostics":
                return False
            params = message["params"]
            if params["uri"] != file.as_uri():
                return False
            published = params.get("version")
            return version is None or published is None or published == version

        return self.wait(matches, timeout)

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=30)
            self.notify("exit", None)
            self.process.wait(timeout=30)
        except (TimeoutError, OSError, subprocess.TimeoutExpired):
            self.process.kill()

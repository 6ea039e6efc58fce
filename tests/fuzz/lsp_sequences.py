"""Random incremental-edit sessions against the real language server (over
stdio, the benchmarks' plain client), for tests/fuzz and bench/fuzz.py.

The client keeps its own copy of each buffer by the LSP rules (lines end at
\\r\\n, \\n or \\r; characters count UTF-16 code units; a position past a
line's end means its end, past the last line the document's end). After a
session the server's diagnostics must equal a fresh `reviewer diff` of that
buffer written to disk, and the server must still answer."""

from __future__ import annotations

import json
import os
import queue
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench._lsp_client import LspProcess
from tests.fuzz.cases import GIT_ENV, content, git
from tests.fuzz.properties import Problem, run_cli

LANGUAGES = {".py": "python", ".js": "javascript", ".ts": "typescript", ".go": "go", ".rs": "rust"}
_BREAK = re.compile(r"\r\n|\r|\n")
ODD_TEXT = ("", "\n", "\r\n", "😀", "x😀y", "é", "\t", "    ", "None", " == None", "()", "{", "}")


def utf16_length(text: str) -> int:
    return sum(2 if ord(c) > 0xFFFF else 1 for c in text)


def split_lsp_lines(text: str) -> list[tuple[int, int]]:
    """(start, end of content) of each line, terminators excluded."""
    spans, start = [], 0
    for match in _BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def offset(text: str, line: int, character: int) -> int:
    """The string index of an LSP position, by the protocol's rules."""
    spans = split_lsp_lines(text)
    if line >= len(spans):
        return len(text)
    start, end = spans[line]
    units = 0
    for index in range(start, end):
        if units >= character:
            return index
        units += 2 if ord(text[index]) > 0xFFFF else 1
    return end


def apply(text: str, change: dict[str, Any]) -> str:
    if "range" not in change:
        return str(change["text"])
    start = offset(text, change["range"]["start"]["line"], change["range"]["start"]["character"])
    end = offset(text, change["range"]["end"]["line"], change["range"]["end"]["character"])
    return text[:start] + change["text"] + text[max(start, end) :]


def _position(r: random.Random, text: str) -> dict[str, int]:
    """A position at a character boundary, or past a line's or the text's end."""
    spans = split_lsp_lines(text)
    line = r.randrange(len(spans) + (2 if r.random() < 0.1 else 0))
    if line >= len(spans):
        return {"line": line, "character": r.randrange(5)}
    start, end = spans[line]
    stops = [0]
    for char in text[start:end]:
        stops.append(stops[-1] + (2 if ord(char) > 0xFFFF else 1))
    character = r.choice(stops) if r.random() < 0.9 else stops[-1] + r.randrange(1, 50)
    return {"line": line, "character": character}


def _insertion(r: random.Random, extension: str) -> str:
    if r.random() < 0.5:
        return r.choice(ODD_TEXT)
    piece = content(r, extension, []).decode("utf-8", "replace").replace("\0", "")
    lines = piece.split("\n")
    at = r.randrange(len(lines))
    return "\n".join(lines[at : at + r.randrange(1, 6)])


def random_change(r: random.Random, text: str, extension: str) -> dict[str, Any]:
    if r.random() < 0.03:
        return {"text": _insertion(r, extension)}  # the whole document
    start, end = _position(r, text), _position(r, text)
    if (start["line"], start["character"]) > (end["line"], end["character"]):
        start, end = end, start
    if r.random() < 0.2:
        end = start  # an empty range: a pure insertion
    return {"range": {"start": start, "end": end}, "text": _insertion(r, extension)}


@dataclass
class Session:
    """One server in one repository, for many sequences."""

    root: Path
    server: LspProcess
    opened: int = 0

    @classmethod
    def start(cls, root: Path) -> Session:
        root.mkdir(parents=True)
        git(root, "init", "-q", "-b", "main")
        for extension in LANGUAGES:
            (root / f"base{extension}").write_bytes(content(random.Random(1), extension, []))
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "base")
        env = {**_environment(), **GIT_ENV, "REVIEWER_MODEL_ENABLED": "off"}
        server = LspProcess([sys.executable, "-m", "reviewer", "lsp"], root, env)
        server.initialize(root)
        return cls(root, server)

    def alive(self) -> bool:
        if self.server.process.poll() is not None:
            return False
        try:
            probe = {
                "textDocument": {"uri": (self.root / "none.py").as_uri()},
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                "context": {"diagnostics": []},
            }
            answer = self.server.request("textDocument/codeAction", probe, timeout=60)
        except (TimeoutError, queue.Empty, OSError):
            return False
        return "error" not in answer

    def sequence(self, r: random.Random, steps: int = 12) -> list[Problem]:
        """Open a file, edit it at random, compare; then close it."""
        extension = r.choice(list(LANGUAGES))
        self.opened += 1
        committed = r.random() < 0.6
        file = self.root / (f"base{extension}" if committed else f"new{self.opened}{extension}")
        head = file.read_bytes().decode("utf-8", "replace") if committed else ""
        text = head if r.random() < 0.5 else _insertion(r, extension)
        if r.random() < 0.2:
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        uri = file.as_uri()
        version = 1
        self.server.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": LANGUAGES[extension],
                    "version": 1,
                    "text": text,
                }
            },
        )
        for _ in range(r.randrange(1, steps + 1)):
            version += 1
            changes = [random_change(r, text, extension) for _ in range(r.choice((1, 1, 2, 3)))]
            for change in changes:
                text = apply(text, change)
            self.server.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes},
            )
        problems = self.compare(file, uri, version, text)
        self.server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        if committed:
            git(self.root, "checkout", "-q", "--", file.name)
        else:
            file.unlink(missing_ok=True)
        return problems

    def compare(self, file: Path, uri: str, version: int, text: str) -> list[Problem]:
        """The server's diagnostics for `version` of the buffer against a
        fresh `reviewer diff` of `text` written to `file`."""

        def current(message: dict[str, Any]) -> bool:
            params = message.get("params") or {}
            return (
                message.get("method") == "textDocument/publishDiagnostics"
                and params.get("uri") == uri
                and params.get("version") == version  # not a stale or closing one
            )

        try:
            published = self.server.wait(current, timeout=120)
        except (TimeoutError, queue.Empty):
            return [Problem("lsp-death" if not self.alive() else "lsp-silent", f"{file.name}")]
        served = sorted(
            (d["range"]["start"]["line"] + 1, str(d.get("code")))
            for d in published["params"]["diagnostics"]
        )
        file.write_bytes(text.encode("utf-8"))
        run = run_cli("diff", "-C", str(self.root), "--no-model", "--format", "json", file.name)
        if isinstance(run, Problem):
            return [run]
        report = json.loads(run.out)
        fresh = sorted((f["line"], f["rule_id"]) for f in report["findings"])
        if served != fresh:
            return [
                Problem("lsp-mismatch", f"{file.name} v{version}: server {served} diff {fresh}")
            ]
        return []

    def close(self) -> None:
        self.server.close()


def _environment() -> dict[str, str]:
    root = Path(__file__).resolve().parents[2]
    paths = [str(root), str(root / "lsp"), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}

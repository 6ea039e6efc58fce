"""Ctrl-C (SIGINT) in the middle of a model run or of posting a review:
exit 130, no traceback, no partial cache entry, no half-posted review."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from reviewer.errors import EXIT_INTERRUPTED
from tests.conftest import GitRepo
from tests.github_fake import Fault
from tests.test_github import PullRequestRun

ROOT = Path(__file__).resolve().parent.parent


class SlowModelServer:
    """An OpenAI-compatible server that answers the first question at once
    and takes its time over the next."""

    def __init__(self) -> None:
        self.posts = 0
        self.asked = threading.Event()  # the second question arrived
        self.release = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._send({"object": "list", "data": [{"id": "slow", "object": "model"}]})

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                owner.posts += 1
                if owner.posts > 1:
                    owner.asked.set()
                    owner.release.wait(30)
                message = {"role": "assistant", "content": '{"comments": []}'}
                self._send({"choices": [{"index": 0, "message": message}]})

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # the interrupted client hung up

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()


@pytest.fixture
def slow_model() -> Iterator[SlowModelServer]:
    server = SlowModelServer()
    yield server
    server.close()


def _start(argv: list[str], cwd: Path, **env: str) -> subprocess.Popen[str]:
    environment = {**os.environ, **env}
    environment["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "lsp")])
    return subprocess.Popen(
        [sys.executable, "-m", "reviewer", *argv],
        cwd=cwd,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _interrupt_when(child: subprocess.Popen[str], ready: Callable[[], bool]) -> tuple[str, str]:
    deadline = time.monotonic() + 60
    while not ready():
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the child never got there"
        time.sleep(0.02)
    child.send_signal(signal.SIGINT)
    return child.communicate(timeout=60)


def test_ctrl_c_during_a_model_run(
    repo: GitRepo, slow_model: SlowModelServer, isolated_home: Path
) -> None:
    repo.write(
        ".reviewer.toml",
        f'[model]\nenabled = "on"\nbackend = "openai"\nurl = "{slow_model.url}"\nname = "slow"\n',
    )
    repo.write("m.py", "x = 1\n")
    repo.commit("base")
    two_units = "def f(a):\n    return a + 1\n\n\ndef g(b):\n    return b * 2\n"
    repo.write("m.py", two_units)
    child = _start(["diff"], repo.path, REVIEWER_MODEL_ENABLED="on")
    _out, err = _interrupt_when(child, slow_model.asked.is_set)
    assert child.returncode == EXIT_INTERRUPTED, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    # The first unit's answer is cached whole; the interrupted one not at all.
    answers = isolated_home / "xdg_cache_home" / "reviewer" / "answers"
    files = [p for p in answers.rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].suffix == ".json"
    entry = json.loads(files[0].read_text())
    assert entry["key"] == files[0].stem and entry["text"] == '{"comments": []}'


def test_ctrl_c_while_a_review_is_posted(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GitHub got the POST, the run is stopped before the answer: the review
    is there once, and the next run posts nothing twice."""
    pr = PullRequestRun(repo, tmp_path, monkeypatch)
    try:
        pr.fake.faults = [Fault("POST", "reviews", "slow", after=True, delay=20)]
        child = _start(["github", "--no-model"], repo.path)

        def posting() -> bool:
            return any(r.method == "POST" for r in pr.fake.requests)

        _, err = _interrupt_when(child, posting)
        assert child.returncode == EXIT_INTERRUPTED, err
        assert "Traceback" not in err
        assert len(pr.fake.reviews) == 1 and len(pr.fake.comments) == 3
        rerun = _start(["github", "--no-model"], repo.path)
        out, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 1, err
        assert "nothing new to post" in out
        assert len(pr.fake.reviews) == 1 and len(pr.fake.comments) == 3
    finally:
        pr.server.shutdown()

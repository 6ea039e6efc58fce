"""A real llama-cpp-python server on loopback, started for a test session
(the OpenAI-compatible backend's tests and the scorer's remote pass)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.model_missing import model_missing

READY_SECONDS = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def llama_cpp_server(
    gguf: Path, options: Sequence[str], log_path: Path, api_key: str | None = None
) -> Iterator[str]:
    """`python -m llama_cpp.server` serving `gguf` with `options` (and
    requiring `api_key` when given); yields its API root
    (http://127.0.0.1:PORT/v1) once it answers /v1/models."""
    try:
        import llama_cpp.server.app  # noqa: F401
    except Exception as error:
        model_missing(f"llama-cpp-python's server extra is not importable: {error}")
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf)]
    command += ["--host", "127.0.0.1", "--port", str(port), *options]
    headers = {}
    if api_key is not None:
        command += ["--api_key", api_key]
        headers["Authorization"] = f"Bearer {api_key}"
    # The server logs a lot: a file, not a pipe nobody drains (it would block).
    with log_path.open("wb") as log:
        # Unbuffered: a test reads the access log while the server runs.
        environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environment)
    url = f"http://127.0.0.1:{port}/v1"
    ready = urllib.request.Request(url + "/models", headers=headers)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + READY_SECONDS
    try:
        while True:
            if process.poll() is not None:
                tail = log_path.read_text(errors="replace")[-2000:]
                pytest.fail(f"llama_cpp.server exited ({process.returncode}): {tail}")
            try:
                with opener.open(ready, timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"llama_cpp.server did not answer within {READY_SECONDS} s")
                time.sleep(0.1)  # polling, not waiting for a fixed time
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

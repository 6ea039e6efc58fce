"""The `openai` backend: scripted behaviour (retries, fallbacks, errors)
against a tiny HTTP server on loopback, and real reviews against
llama-cpp-python's own OpenAI-compatible server serving the default GGUF."""

from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import deque
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from reviewer.config import ModelConfig
from reviewer.model.base import BackendError, BackendTimeout
from reviewer.model.openai import OpenAIBackend, yes_probability
from reviewer.model.prompt import ReviewRequest, build_request
from reviewer.model.schema import ModelComment, parse_answer
from reviewer.model.tier import ModelTier
from reviewer.syntax import ReviewUnit, parse_file, review_units

SECRET = "sk-test-secret-4242"
CLEAN = "def add(a, b):\n    total = a + b\n    return total\n"
BUGGY = (
    "def mean(xs):\n    total = 0\n    for i in range(len(xs) + 1):\n"
    "        total += xs[i]\n    return total / len(xs)\n"
)


def _unit(source: str = CLEAN, changed: frozenset[int] = frozenset({2, 3})) -> ReviewUnit:
    return review_units(parse_file("m.py", source), changed)[0]


def _request(source: str = CLEAN, max_tokens: int = 96) -> ReviewRequest:
    return build_request(_unit(source), max_comments=1, max_tokens=max_tokens)


def _comment(line: int = 2) -> ModelComment:
    return ModelComment(line=line, severity="error", category="bug", message="wrong sum")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _completion(content: str, logprobs: Any = None) -> dict[str, Any]:
    choice = {"index": 0, "message": {"role": "assistant", "content": content}}
    choice["logprobs"] = logprobs
    return {"choices": [choice], "usage": {"prompt_tokens": 11, "completion_tokens": 7}}


MODELS = {"object": "list", "data": [{"id": "scripted-model", "object": "model"}]}


# -- a scripted server on loopback ----------------------------------------------


class ScriptedServer:
    """Answers POSTs from a queue of (status, body, headers); GET /models
    lists one model. Records every request it receives."""

    def __init__(self) -> None:
        self.replies: deque[tuple[int, Any, dict[str, str]]] = deque()
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                owner.requests.append(("GET", self.path, dict(self.headers), None))
                self._send(200, MODELS, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                owner.requests.append(("POST", self.path, dict(self.headers), body))
                status, reply, headers = owner.replies.popleft()
                if reply == "echo-auth":  # a careless server quoting the request
                    reply = {"error": {"message": f"bad key {self.headers['Authorization']}"}}
                self._send(status, reply, headers)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def queue(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.replies.append((status, body, headers or {}))

    def posts(self) -> list[dict[str, Any]]:
        return [body for method, _, _, body in self.requests if method == "POST"]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    yield server
    server.close()


def _backend(url: str, sleeps: list[float] | None = None, **values: Any) -> OpenAIBackend:
    settings = ModelConfig(backend="openai", url=url, **values)
    record = sleeps if sleeps is not None else []
    return OpenAIBackend(settings, sleep=record.append)


def test_request_is_deterministic_and_schema_constrained(scripted: ScriptedServer) -> None:
    scripted.queue(200, _completion('{"comments": []}'))
    backend = _backend(scripted.url)
    generation = backend.review(_request())
    assert generation.text == '{"comments": []}'
    assert (generation.prompt_tokens, generation.completion_tokens) == (11, 7)
    body = scripted.posts()[0]
    assert body["model"] == "scripted-model"  # the first model the server lists
    assert (body["temperature"], body["seed"], body["max_tokens"]) == (0, 0, 96)
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"] == _request().schema
    assert backend.identity == f"openai {scripted.url} scripted-model"


def test_schema_form_falls_back_to_json_object_and_is_remembered(
    scripted: ScriptedServer,
) -> None:
    scripted.queue(400, {"error": {"message": "response_format json_schema unsupported"}})
    scripted.queue(200, _completion('{"comments": []}'))
    scripted.queue(200, _completion('{"comments": []}'))
    backend = _backend(scripted.url)
    backend.review(_request())
    backend.review(_request())
    forms = [body["response_format"]["type"] for body in scripted.posts()]
    assert forms == ["json_schema", "json_object", "json_object"]
    assert scripted.posts()[1]["response_format"]["schema"] == _request().schema
    assert backend.describe()["response format"] == "json_object"


def test_llama_cpp_python_validation_500_is_a_rejection_not_retried(
    scripted: ScriptedServer,
) -> None:
    message = "1 validation error: ('body', 'response_format', 'type') Input should be ..."
    scripted.queue(500, {"error": {"message": message}})
    scripted.queue(200, _completion('{"comments": []}'))
    sleeps: list[float] = []
    _backend(scripted.url, sleeps).review(_request())
    assert sleeps == []
    assert len(scripted.posts()) == 2


def test_503_then_200_is_retried_with_backoff(scripted: ScriptedServer) -> None:
    scripted.queue(503, {"error": {"message": "loading model"}})
    scripted.queue(503, {"error": {"message": "loading model"}})
    scripted.queue(200, _completion('{"comments": []}'))
    sleeps: list[float] = []
    backend = _backend(scripted.url, sleeps, retries=2)
    assert backend.review(_request()).text == '{"comments": []}'
    assert sleeps == [0.5, 1.0]


def test_429_honours_retry_after_and_gives_up_after_the_retries(
    scripted: ScriptedServer,
) -> None:
    for _ in range(2):
        scripted.queue(429, {"error": {"message": "slow down"}}, {"Retry-After": "3"})
    sleeps: list[float] = []
    with pytest.raises(BackendError) as caught:
        _backend(scripted.url, sleeps, retries=1).review(_request())
    assert sleeps == [3.0]
    assert "HTTP 429: slow down" in str(caught.value)


def test_client_errors_are_one_line_and_not_retried(scripted: ScriptedServer) -> None:
    scripted.queue(404, {"error": {"message": "no such\nroute,\n  really"}})
    sleeps: list[float] = []
    with pytest.raises(BackendError) as caught:
        _backend(scripted.url, sleeps).verify(_request(), _comment())
    text = str(caught.value)
    assert "\n" not in text
    assert text == f"POST {scripted.url}/chat/completions: HTTP 404: no such route, really"
    assert sleeps == []


def test_api_key_is_sent_as_bearer_but_never_shown(
    scripted: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAM_KEY", SECRET)
    scripted.queue(401, "echo-auth")
    backend = _backend(scripted.url, api_key_env="TEAM_KEY")
    with pytest.raises(BackendError) as caught:
        backend.review(_request())
    headers = scripted.requests[-1][2]
    assert headers["Authorization"] == f"Bearer {SECRET}"
    assert SECRET not in str(caught.value) and "Bearer ***" in str(caught.value)
    assert SECRET not in json.dumps(scripted.posts())  # not in the messages either
    assert SECRET not in repr(backend.describe())


def test_verify_reads_yes_and_no_from_the_top_logprobs(scripted: ScriptedServer) -> None:
    top = [
        {"token": "No", "logprob": -0.5},
        {"token": " yes", "logprob": -1.0},
        {"token": "YES", "logprob": -3.0},
        {"token": "Maybe", "logprob": -0.1},
    ]
    scripted.queue(200, _completion("No", {"content": [{"token": "No", "top_logprobs": top}]}))
    backend = _backend(scripted.url)
    confidence = backend.verify(_request(), _comment())
    body = scripted.posts()[0]
    assert (body["max_tokens"], body["logprobs"], body["top_logprobs"]) == (1, True, 10)
    assert body["messages"][-1]["content"].startswith("A reviewer left this comment on line 2")
    yes, no = math.exp(-1.0) + math.exp(-3.0), math.exp(-0.5)
    assert confidence == pytest.approx(yes / (yes + no))
    assert backend.notes() == []


def test_no_logprobs_give_one_half_and_a_note_in_the_summary(
    scripted: ScriptedServer,
) -> None:
    scripted.queue(
        200,
        _completion(
            '{"comments": [{"line": 2, "severity": "error", '
            '"category": "bug", "message": "wrong sum"}]}'
        ),
    )
    scripted.queue(200, _completion("Yes"))  # logprobs: null
    backend = _backend(scripted.url)
    tier = ModelTier(backend, ModelConfig(backend="openai", url=scripted.url))
    parsed = parse_file("m.py", CLEAN)
    findings = tier.review_file(parsed, review_units(parsed, {2, 3}))
    assert [f.confidence for f in findings] == [0.5]
    assert any("no log-probabilities" in note for note in tier.notes())


def test_yes_probability_edge_cases() -> None:
    assert yes_probability([]) == 0.0
    assert yes_probability([{"token": "Yes", "logprob": 0.0}]) == 1.0
    assert yes_probability([{"token": "\u0120no", "logprob": 0.0}]) == 0.0
    assert (
        yes_probability([{"token": "yes", "logprob": -1.0}, {"token": "no", "logprob": -1.0}])
        == 0.5
    )


def test_closed_port_fails_after_the_configured_retries() -> None:
    url = f"http://127.0.0.1:{_free_port()}/v1"
    sleeps: list[float] = []
    with pytest.raises(BackendError) as caught:
        _backend(url, sleeps, retries=3, name="any").review(_request())
    assert not isinstance(caught.value, BackendTimeout)
    assert "cannot connect after 4 attempts" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert sleeps == [0.5, 1.0, 2.0]


def test_a_url_is_required() -> None:
    with pytest.raises(BackendError, match=r"model\.url"):
        OpenAIBackend(ModelConfig(backend="openai"))


# -- a real llama-cpp-python server ---------------------------------------------


def default_gguf() -> Path | None:
    """The GGUF to serve: $REVIEWER_TEST_GGUF, /tmp/qwen.gguf, else the
    default model already assembled in the user cache (never assembled here)."""
    explicit = os.environ.get("REVIEWER_TEST_GGUF")
    if explicit:
        return Path(explicit)
    candidates = [Path("/tmp/qwen.gguf")]
    name = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    try:
        from reviewer.model import resolve

        candidates.append(resolve.models_dir() / resolve.DEFAULT_NAME)
    except Exception:
        pass
    try:
        import platformdirs

        candidates.append(Path(platformdirs.user_cache_dir("reviewer")) / "models" / name)
    except ImportError:
        pass
    return next((path for path in candidates if path.is_file()), None)


# Computed at import, before the tests isolate HOME and the XDG directories.
GGUF = default_gguf()


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    try:
        import llama_cpp.server.app  # noqa: F401
    except Exception as error:
        pytest.skip(f"llama-cpp-python's server extra is not importable: {error}")
    if GGUF is None or not GGUF.is_file():
        pytest.skip("no GGUF model: set REVIEWER_TEST_GGUF or install the default model")
    port = _free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(GGUF)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"]
    # The server logs a lot: a file, not a pipe nobody drains (it would block).
    log_path = tmp_path_factory.mktemp("llama_server") / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 180
    try:
        while True:
            if process.poll() is not None:
                tail = log_path.read_text(errors="replace")[-2000:]
                pytest.fail(f"llama_cpp.server exited ({process.returncode}): {tail}")
            try:
                with urllib.request.urlopen(url + "/models", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("llama_cpp.server did not answer /v1/models within 180 s")
                time.sleep(0.1)  # polling, not waiting for a fixed time
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=3)  # it finishes a timed-out request first
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.model
def test_real_server_review_is_schema_valid_json(llama_server: str) -> None:
    backend = _backend(llama_server)
    assert backend.identity == f"openai {llama_server} {GGUF}"
    request = _request(CLEAN)
    started = time.monotonic()
    generation = backend.review(request)
    elapsed = time.monotonic() - started
    answer = parse_answer(generation.text, request.unit, 1)
    assert all(c.line in request.unit.changed_lines for c in answer.comments)
    assert generation.prompt_tokens > 0
    print(f"review: {elapsed:.2f} s, format {backend.describe()['response format']}")


@pytest.mark.model
def test_real_server_verify_is_a_probability(llama_server: str) -> None:
    backend = _backend(llama_server)
    request = _request(BUGGY)
    comment = ModelComment(
        line=3, severity="error", category="bug", message="range(len(xs) + 1) reads past the end"
    )
    confidence = backend.verify(request, comment)
    assert 0.0 <= confidence <= 1.0
    assert backend.notes() == []  # the server gives log-probabilities
    print(f"verify: P(yes) = {confidence:.3f}")


@pytest.mark.model
def test_real_server_unknown_model_is_a_one_line_error(
    llama_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVIEWER_API_KEY", SECRET)
    backend = _backend(llama_server, name="no-such-model")
    with pytest.raises(BackendError) as caught:
        backend.review(_request())
    text = str(caught.value)
    assert "'no-such-model' is not served" in text and str(GGUF) in text
    assert "\n" not in text and SECRET not in text


@pytest.mark.model
def test_real_server_tiny_timeout(llama_server: str) -> None:
    backend = _backend(llama_server, timeout=0.05, retries=0)
    with pytest.raises(BackendTimeout, match=r"no answer within 0\.05 s"):
        backend.review(_request(max_tokens=16))

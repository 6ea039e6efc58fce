"""The `openai` backend: scripted behaviour (retries, fallbacks, errors)
against a tiny HTTP server on loopback, and real answers (the explainer's
sentence) from llama-cpp-python's own OpenAI-compatible server serving the
default GGUF."""

from __future__ import annotations

import dataclasses
import json
import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from reviewer.config import ModelConfig
from reviewer.model.base import BackendError, BackendTimeout
from reviewer.model.cache import AnswerCache
from reviewer.model.openai import OpenAIBackend
from reviewer.model.prompt import ReviewRequest
from reviewer.model.resolve import ModelLocation
from reviewer.model.schema import CATEGORIES
from reviewer.scorer import explain
from reviewer.syntax import ReviewUnit, parse_file, review_units
from tests.llama_server import free_port, llama_cpp_server

SECRET = "sk-test-secret-4242"
ANSWER = '{"line": 2, "category": "bug", "message": "adds the wrong values"}'
CLEAN = "def add(a, b):\n    total = a + b\n    return total\n"
BUGGY = (
    "def mean(xs):\n    total = 0\n    for i in range(len(xs) + 1):\n"
    "        total += xs[i]\n    return total / len(xs)\n"
)


def _unit(source: str = CLEAN, changed: frozenset[int] = frozenset({2, 3})) -> ReviewUnit:
    return review_units(parse_file("m.py", source), changed)[0]


def _request(source: str = CLEAN, max_tokens: int = 96) -> ReviewRequest:
    """The explainer's request about line 2 (the backend sends any request alike)."""
    return dataclasses.replace(explain.request(_unit(source), 2), max_tokens=max_tokens)


def _completion(content: str) -> dict[str, Any]:
    choice = {"index": 0, "message": {"role": "assistant", "content": content}}
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
                if reply == "garbled":  # not HTTP at all: a broken proxy or server
                    self.wfile.write(b"SPLAT\r\n\r\n")
                    self.close_connection = True
                    return
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
    scripted.queue(200, _completion(ANSWER))
    backend = _backend(scripted.url)
    generation = backend.review(_request())
    assert generation.text == ANSWER
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
    scripted.queue(200, _completion(ANSWER))
    scripted.queue(200, _completion(ANSWER))
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
    scripted.queue(200, _completion(ANSWER))
    sleeps: list[float] = []
    _backend(scripted.url, sleeps).review(_request())
    assert sleeps == []
    assert len(scripted.posts()) == 2


def test_503_then_200_is_retried_with_backoff(scripted: ScriptedServer) -> None:
    scripted.queue(503, {"error": {"message": "loading model"}})
    scripted.queue(503, {"error": {"message": "loading model"}})
    scripted.queue(200, _completion(ANSWER))
    sleeps: list[float] = []
    backend = _backend(scripted.url, sleeps, retries=2)
    assert backend.review(_request()).text == ANSWER
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
        _backend(scripted.url, sleeps).review(_request())
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


def test_closed_port_fails_after_the_configured_retries() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
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


def test_a_url_that_is_not_http_is_refused_at_once() -> None:
    with pytest.raises(BackendError, match=r"'localhost:8080/v1' is not an http\(s\) URL"):
        OpenAIBackend(ModelConfig(backend="openai", url="localhost:8080/v1"))


def test_a_url_with_a_password_is_refused_without_echoing_it() -> None:
    url = f"http://team:{SECRET}@127.0.0.1:8080/v1"
    with pytest.raises(BackendError) as caught:
        OpenAIBackend(ModelConfig(backend="openai", url=url))
    assert SECRET not in str(caught.value) and "api_key_env" in str(caught.value)


def test_a_garbled_answer_is_retried_like_a_dropped_connection(
    scripted: ScriptedServer,
) -> None:
    scripted.queue(200, "garbled")
    scripted.queue(200, _completion(ANSWER))
    sleeps: list[float] = []
    assert _backend(scripted.url, sleeps).review(_request()).text == ANSWER
    assert sleeps == [0.5]

    scripted.queue(200, "garbled")
    with pytest.raises(BackendError, match=r"connection failed after 1 attempts"):
        _backend(scripted.url, retries=0).review(_request())


def test_a_proxy_html_error_page_becomes_its_reason(scripted: ScriptedServer) -> None:
    page = b"<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>"
    scripted.queue(502, page)
    with pytest.raises(BackendError) as caught:
        _backend(scripted.url, retries=0).review(_request())
    assert str(caught.value).endswith("HTTP 502: Bad Gateway")


# -- a real llama-cpp-python server ---------------------------------------------


@dataclass(frozen=True)
class RealServer:
    url: str
    gguf: Path


def served_gguf(request: pytest.FixtureRequest) -> Path:
    """The one place that picks the GGUF the real server serves:
    $REVIEWER_TEST_GGUF, else the default model as reviewer.model.resolve
    assembles it from the installed chunk packages (the shared `model_default`
    fixture, which skips when they are not installed)."""
    explicit = os.environ.get("REVIEWER_TEST_GGUF")
    if explicit:
        if not Path(explicit).is_file():
            pytest.skip(f"$REVIEWER_TEST_GGUF is not a file: {explicit}")
        return Path(explicit)
    location: ModelLocation = request.getfixturevalue("model_default")
    return location.path


@pytest.fixture(scope="session")
def openai_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RealServer]:
    """llama-cpp-python's OpenAI-compatible server on loopback, serving the
    default model and requiring the API key SECRET."""
    gguf = served_gguf(request)
    options = ["--n_ctx", "2048", "--n_threads", str(os.cpu_count() or 1)]
    log_path = tmp_path_factory.mktemp("llama_server") / "server.log"
    with llama_cpp_server(gguf, options, log_path, api_key=SECRET) as url:
        yield RealServer(url, gguf)


def _real_backend(
    server: RealServer, monkeypatch: pytest.MonkeyPatch, key: str = SECRET, **values: Any
) -> OpenAIBackend:
    monkeypatch.setenv("REVIEWER_API_KEY", key)
    return _backend(server.url, **values)


@pytest.mark.model
def test_real_server_answer_is_schema_valid_json(
    openai_server: RealServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = _real_backend(openai_server, monkeypatch)
    assert backend.identity == f"openai {openai_server.url} {openai_server.gguf}"
    unit = _unit(BUGGY, frozenset({3}))
    request = explain.request(unit, 3)
    started = time.monotonic()
    generation = backend.review(request)
    elapsed = time.monotonic() - started
    answer = explain.Explanation.model_validate_json(generation.text)
    assert answer.line == 3 and answer.category in CATEGORIES
    assert generation.prompt_tokens > 0
    # llama-cpp-python refuses `json_schema` (a 500 naming response_format)
    # and takes llama.cpp's own form.
    assert backend.describe()["response format"] == "json_object"
    print(f"answer: {elapsed:.2f} s, {generation.completion_tokens} tokens")


@pytest.mark.model
def test_real_server_explains_the_flagged_line_once(
    openai_server: RealServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The explainer writes its sentence through the server; the same line
    again comes from the answer cache."""
    monkeypatch.setenv("REVIEWER_API_KEY", SECRET)
    backend = OpenAIBackend(ModelConfig(backend="openai", url=openai_server.url))
    explainer = explain.Explainer(backend, AnswerCache(tmp_path / "answers"))
    unit = _unit(BUGGY, frozenset({3}))
    first = explainer.explain(unit, 3)
    assert first is not None and first.message and first.category in CATEGORIES
    assert (explainer.written, explainer.invalid) == (1, 0)
    assert explainer.explain(unit, 3) == first
    assert explainer.written == 1  # answered from the cache
    print(f"explained: {first}")


@pytest.mark.model
def test_real_server_wrong_api_key_is_a_one_line_error(
    openai_server: RealServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "sk-wrong-key-0000"
    backend = _real_backend(openai_server, monkeypatch, key=wrong)
    with pytest.raises(BackendError) as caught:
        backend.review(_request())
    text = str(caught.value)
    assert text == f"GET {openai_server.url}/models: HTTP 401: Invalid API key"
    assert wrong not in text and SECRET not in text


@pytest.mark.model
def test_real_server_unknown_model_is_a_one_line_error(
    openai_server: RealServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = _real_backend(openai_server, monkeypatch, name="no-such-model")
    with pytest.raises(BackendError) as caught:
        backend.review(_request())
    text = str(caught.value)
    assert "'no-such-model' is not served" in text and str(openai_server.gguf) in text
    assert "\n" not in text and SECRET not in text


@pytest.mark.model
def test_real_server_tiny_timeout(
    openai_server: RealServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = _real_backend(openai_server, monkeypatch, timeout=0.05, retries=0)
    assert backend.model_id  # listing the models is quick; the review is not
    with pytest.raises(BackendTimeout, match=r"no answer within 0\.05 s"):
        backend.review(_request(max_tokens=16))

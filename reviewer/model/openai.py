"""The `openai` backend: any OpenAI-compatible chat server (llama.cpp's
server, llama-cpp-python's, vLLM, Ollama), over the standard library only.

How a team shares a bigger model or a GPU. Requests are deterministic
(temperature 0, seed 0) and the answer is constrained by the unit's JSON
schema. Servers disagree on how a schema is passed: the OpenAI form
(`json_schema`) is tried first, then the llama.cpp form (`json_object` with a
`schema`); the form that worked is remembered for the rest of the run.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from reviewer.config import ModelConfig
from reviewer.model.base import Backend, BackendError, BackendTimeout, Generation
from reviewer.model.prompt import ReviewRequest

# Schema forms, in the order they are tried.
RESPONSE_FORMATS = ("json_schema", "json_object")
# The statuses a server answers a request form it does not understand with.
# llama-cpp-python reports its request validation errors as 500, so a 500
# whose message names the field is a rejection too, not a server failure.
REJECTED_STATUSES = (400, 422)
BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 8.0
MAX_MESSAGE_CHARS = 300
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
DETERMINISTIC_500 = ("validation error", "can't decode", "embedding=true")


class HTTPStatusError(BackendError):
    """The server answered with an error status (after any retries)."""

    def __init__(self, message: str, status: int, server_message: str) -> None:
        super().__init__(message)
        self.status = status
        self.server_message = server_message


class OpenAIBackend(Backend):
    """Talks to `settings.url` (the API root, e.g. http://127.0.0.1:8080/v1)."""

    def __init__(
        self,
        settings: ModelConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.url = _checked_url(settings.url)
        self._sleep = sleep
        self._key = os.environ.get(settings.api_key_env) or None
        self._model: str | None = None
        self._format: str | None = None  # the response_format form that worked
        host = urllib.parse.urlsplit(self.url).hostname or ""
        handlers: list[urllib.request.BaseHandler] = [_SameOriginAuth(self.url, self._key)]
        if host in LOOPBACK_HOSTS:
            handlers.append(urllib.request.ProxyHandler({}))  # never proxy loopback
        self._opener = urllib.request.build_opener(*handlers)

    # -- the Backend interface ---------------------------------------------

    @property
    def model_id(self) -> str:  # type: ignore[override]
        if self._model is None:
            self._model = self._resolve_model()
        return self._model

    @property
    def identity(self) -> str:
        return f"openai {self.url} {self.model_id}"

    def review(self, request: ReviewRequest) -> Generation:
        body: dict[str, Any] = {
            "model": self.model_id,
            "messages": list(request.messages),
            "temperature": 0,
            "seed": 0,
            "max_tokens": request.max_tokens,
        }
        forms = (self._format,) if self._format else RESPONSE_FORMATS
        for index, form in enumerate(forms):
            body["response_format"] = _response_format(form, request.schema)
            try:
                reply = self._post("/chat/completions", body)
            except HTTPStatusError as error:
                if index + 1 < len(forms) and _is_rejection(error):
                    continue
                raise
            self._format = form
            return _generation(reply, self.url)
        raise AssertionError("unreachable")  # pragma: no cover

    def describe(self) -> dict[str, str]:
        facts = {"backend": "openai", "url": self.url}
        try:
            facts["model"] = self.model_id
        except BackendError as error:
            facts["model"] = f"unavailable ({error})"
        facts["response format"] = self._format or "negotiated on first review"
        key_state = "set" if self._key else "not set"
        facts["api key"] = f"${self.settings.api_key_env} ({key_state})"
        facts["timeout"] = f"{self.settings.timeout:g} s, {self.settings.retries} retries"
        return facts

    # -- HTTP ----------------------------------------------------------------

    def call(self, path: str, body: dict[str, Any], *, root: bool = False) -> dict[str, Any]:
        """POST `body` to `path` under the API root, or under the server's
        root with `root` (llama-cpp-python's /extras/tokenize lies beside /v1)."""
        if not root:
            return self._post(path, body)
        base = self.url[: -len("/v1")] if self.url.endswith("/v1") else self.url
        data = json.dumps(body).encode("utf-8")
        headers = {**self._headers(), "Content-Type": "application/json"}
        return self._call(urllib.request.Request(base + path, data, headers, method="POST"))

    def _resolve_model(self) -> str:
        name = self.settings.name
        try:
            listing = self._get("/models")
        except HTTPStatusError as error:
            if name and error.status in (404, 405):
                return name  # the server cannot list its models: trust the config
            raise
        served = [str(item["id"]) for item in listing.get("data", []) if isinstance(item, dict)]
        if not name:
            if not served:
                raise BackendError(f"{self.url} lists no models; set model.name")
            return served[0]
        if name in served or f"{name}:latest" in served or not served:
            return name
        raise BackendError(
            f"model {name!r} is not served by {self.url} (it serves: {', '.join(served)})"
        )

    def _get(self, path: str) -> dict[str, Any]:
        return self._call(urllib.request.Request(self.url + path, headers=self._headers()))

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        data = json.dumps(body).encode("utf-8")
        headers = {**self._headers(), "Content-Type": "application/json"}
        return self._call(urllib.request.Request(self.url + path, data, headers, method="POST"))

    def _headers(self) -> dict[str, str]:
        # The key is added by _SameOriginAuth, to this origin's requests only.
        return {"Accept": "application/json", "User-Agent": "reviewer"}

    def _call(self, http_request: urllib.request.Request) -> dict[str, Any]:
        """One request with retries (connection errors, 5xx and 429 only) and
        a timeout; every error becomes a one-line BackendError."""
        where = f"{http_request.get_method()} {http_request.full_url}"
        attempts = self.settings.retries + 1
        for attempt in range(attempts):
            last = attempt + 1 == attempts
            try:
                with self._opener.open(http_request, timeout=self.settings.timeout) as response:
                    payload = response.read()
                break
            except urllib.error.HTTPError as error:
                message = self._redact(_server_message(error))
                if not last and _retryable(error.code, message):
                    self._sleep(_backoff(attempt, error.headers.get("Retry-After")))
                    continue
                raise HTTPStatusError(
                    f"{where}: HTTP {error.code}: {message}", error.code, message
                ) from None
            except TimeoutError as error:
                raise self._timeout(where) from error
            except urllib.error.URLError as error:
                if isinstance(error.reason, TimeoutError):
                    raise self._timeout(where) from None
                if last:
                    raise BackendError(
                        f"{where}: cannot connect after {attempts} attempts: "
                        f"{self._redact(_one_line(str(error.reason)))}"
                    ) from None
                self._sleep(_backoff(attempt, None))
            except (OSError, http.client.HTTPException) as error:  # reset, dropped, garbled
                if last:
                    raise BackendError(
                        f"{where}: connection failed after {attempts} attempts: "
                        f"{self._redact(_one_line(str(error) or type(error).__name__))}"
                    ) from None
                self._sleep(_backoff(attempt, None))
        try:
            decoded = json.loads(payload)
        except ValueError:
            raise BackendError(f"{where}: the server's answer is not JSON") from None
        if not isinstance(decoded, dict):
            raise BackendError(f"{where}: unexpected answer from the server")
        return decoded

    def _timeout(self, where: str) -> BackendTimeout:
        return BackendTimeout(f"{where}: no answer within {self.settings.timeout:g} s")

    def _redact(self, text: str) -> str:
        return text.replace(self._key, "***") if self._key else text


class _SameOriginAuth(urllib.request.HTTPRedirectHandler):
    """The API key goes to the configured server's own origin only: never
    to another host, port or scheme, not even across a redirect."""

    handler_order = 400  # before the opener's own handlers see the request

    def __init__(self, url: str, key: str | None) -> None:
        self._origin = _origin(url)
        self._key = key

    def _authorized(self, request: urllib.request.Request) -> urllib.request.Request:
        if self._key and _origin(request.full_url) == self._origin:
            # Unredirected: urllib copies ordinary headers onto a redirect.
            request.add_unredirected_header("Authorization", f"Bearer {self._key}")
        return request

    http_request = _authorized
    https_request = _authorized

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        return self._authorized(new) if new is not None else None


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return (parts.scheme, (parts.hostname or "").lower(), port)


def _checked_url(url: str | None) -> str:
    if not url:
        raise BackendError(
            "the openai backend needs a server: set model.url "
            "(e.g. http://127.0.0.1:8080/v1) in [tool.reviewer.model]"
        )
    parts = urllib.parse.urlsplit(url.strip())
    if parts.username is not None or parts.password is not None:
        # Not echoed: the URL holds a credential.
        raise BackendError(
            "model.url must not contain a user name or password: put the API key in "
            "the environment variable named by model.api_key_env"
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BackendError(
            f"model.url {url!r} is not an http(s) URL (e.g. http://127.0.0.1:8080/v1)"
        )
    return url.strip().rstrip("/")


def _response_format(form: str | None, schema: dict[str, Any]) -> dict[str, Any]:
    if form == "json_schema":
        return {
            "type": "json_schema",
            "json_schema": {"name": "review", "schema": schema, "strict": True},
        }
    return {"type": "json_object", "schema": schema}


def _is_rejection(error: HTTPStatusError) -> bool:
    """The server refused the request's form (not a transient failure)."""
    if error.status in REJECTED_STATUSES:
        return True
    text = error.server_message.lower()
    return error.status == 500 and ("response_format" in text or "json_schema" in text)


def _retryable(status: int, message: str) -> bool:
    if status == 429:
        return True
    if status < 500:
        return False
    # llama-cpp-python answers a request it cannot validate (or a text it
    # cannot decode, or embeddings it was not started for) with a 500:
    # sending the same request again cannot help.
    return not any(text in message.lower() for text in DETERMINISTIC_500)


def _backoff(attempt: int, retry_after: str | None) -> float:
    if retry_after is not None:
        try:
            return min(max(float(retry_after), 0.0), 30.0)
        except ValueError:
            pass
    return min(BACKOFF_SECONDS * 2.0**attempt, MAX_BACKOFF_SECONDS)


def _server_message(error: urllib.error.HTTPError) -> str:
    """The server's own explanation, from the usual error shapes."""
    try:
        raw = error.read().decode("utf-8", errors="replace")
    except OSError:
        raw = ""
    message: Any = raw
    try:
        decoded = json.loads(raw)
    except ValueError:
        decoded = None
    if isinstance(decoded, dict):
        inner = decoded.get("error", decoded.get("detail", raw))
        message = inner.get("message", inner) if isinstance(inner, dict) else inner
    text = _one_line(str(message)) if message else ""
    if text.lstrip().startswith("<"):  # a proxy's HTML error page: the reason is clearer
        text = ""
    return text or _one_line(str(error.reason or "no message"))


def _one_line(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 3] + "..."


def _first_choice(reply: dict[str, Any], url: str) -> dict[str, Any]:
    choices = reply.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise BackendError(f"{url}: the server's answer has no choices")
    return choices[0]


def _generation(reply: dict[str, Any], url: str) -> Generation:
    message = _first_choice(reply, url).get("message") or {}
    text = message.get("content") if isinstance(message, dict) else None
    if not isinstance(text, str):
        raise BackendError(f"{url}: the server's answer has no message content")
    usage = reply.get("usage")
    if not isinstance(usage, dict):
        usage = {}
    return Generation(
        text,
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
    )

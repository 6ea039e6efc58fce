"""The backend interface every model runtime implements, and a fake one that
replays queued answers for tests."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from reviewer.errors import ReviewerError
from reviewer.model.prompt import ReviewRequest


class BackendError(ReviewerError):
    """The model could not be loaded or did not answer (named in the message)."""


class BackendTimeout(BackendError):
    """The model took longer than the configured timeout."""


class BackendInterrupted(BackendError):
    """The caller asked the running request to stop (`Backend.interrupt`)."""


class UnitSkipped(BackendError):
    """This one unit cannot be reviewed (e.g. too long for the model's
    context); the backend is fine and the next unit may go ahead."""


@dataclass(frozen=True)
class Generation:
    """One answer: the raw JSON text and what it cost."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0


class Backend(ABC):
    """A model runtime: `review` answers a request with JSON constrained to
    `request.schema` (the scorer's explainer writes its sentence with it)."""

    model_id: str = "unknown"

    class Options(BaseModel):
        model_config = ConfigDict(extra="forbid")

    @property
    @abstractmethod
    def identity(self) -> str:
        """What the answers depend on besides the prompt (the model's hash,
        or the server's URL and model name): part of the cache key."""

    @abstractmethod
    def review(self, request: ReviewRequest) -> Generation: ...

    def describe(self) -> dict[str, str]:
        """Facts for `reviewer model info`."""
        return {"backend": type(self).__name__, "model": self.model_id}

    def notes(self) -> list[str]:
        """What the run's summary should say about the backend."""
        return []

    def changed_on_disk(self) -> bool:
        """True when the model file was replaced since the backend was built
        (a long-lived process, the language server, then builds a new one)."""
        return False

    def interrupt(self) -> None:  # noqa: B027 (optional hook, not abstract)
        """Ask a request running on another thread to stop soon."""

    def close(self) -> None:  # noqa: B027 (optional hook, not abstract)
        """Release the model (memory, connections)."""


class FakeBackend(Backend):
    """Replays queued answers, and records what it was asked."""

    model_id = "fake"

    def __init__(self, answers: Iterable[str | Exception] = ()) -> None:
        self.answers: deque[str | Exception] = deque(answers)
        self.requests: list[ReviewRequest] = []

    @property
    def identity(self) -> str:
        return "fake"

    def review(self, request: ReviewRequest) -> Generation:
        self.requests.append(request)
        answer = self.answers.popleft() if self.answers else '{"comments": []}'
        if isinstance(answer, Exception):
            raise answer
        return Generation(answer, prompt_tokens=100, completion_tokens=len(answer) // 4)

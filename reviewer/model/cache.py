"""On-disk cache of model answers (the explainer's sentences), so an
unchanged unit costs no inference.

One small JSON file per answer, named by the hash of everything the answer
depends on, written atomically (parallel runs may share the cache). Each
file carries its key and a checksum of its answer: a damaged, truncated or
misplaced file is a miss, never an answer."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs


@dataclass(frozen=True)
class CachedAnswer:
    text: str


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("reviewer")) / "answers"


def cache_key(*parts: Any) -> str:
    encoded = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


class AnswerCache:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or default_cache_dir()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> CachedAnswer | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            answer = CachedAnswer(str(data["text"]))
            if data["key"] != key or data["check"] != _checksum(key, answer):
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing or damaged: review again
        return answer

    def put(self, key: str, answer: CachedAnswer) -> None:
        path = self._path(key)
        payload = {
            "key": key,
            "text": answer.text,
            "check": _checksum(key, answer),
        }
        temp: Path | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", dir=path.parent, suffix=".tmp", delete=False, encoding="utf-8"
            ) as handle:
                temp = Path(handle.name)
                json.dump(payload, handle)
            os.replace(temp, path)
            temp = None
        except OSError:
            pass  # a read-only or full cache costs speed, never the review
        finally:
            if temp is not None:  # failed or interrupted (Ctrl-C): no leftovers
                temp.unlink(missing_ok=True)


def _checksum(key: str, answer: CachedAnswer) -> str:
    return cache_key(key, answer.text)

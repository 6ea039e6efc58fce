"""On-disk cache of a text's pooled line states, keyed by the model's
sha256, the feature version and the text: a unit seen before costs no
forward pass (training re-runs, an unchanged function in the editor).

One compressed .npz per text, written atomically; a damaged file is a miss
and is written again."""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import platformdirs

from reviewer.scorer.forward import LineStates

FEATURE_VERSION = 1  # bump when what a pass computes changes


def default_directory() -> Path:
    return Path(platformdirs.user_cache_dir("reviewer")) / "line-states"


def states_key(model_sha256: str, text: str) -> str:
    material = f"{model_sha256}|{FEATURE_VERSION}|".encode() + text.encode("utf-8")
    return hashlib.sha256(material).hexdigest()


class StatesCache:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or default_directory()
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.npz"

    def contains(self, key: str) -> bool:
        return self._path(key).is_file()

    def get(self, key: str) -> LineStates | None:
        try:
            with np.load(self._path(key), allow_pickle=False) as data:
                states = LineStates(
                    data["mean"].astype(np.float32),
                    data["max"].astype(np.float32),
                    data["surprisal"].astype(np.float32),
                    data["tokens"].astype(np.int32),
                )
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
            self.misses += 1
            return None
        self.hits += 1
        return states

    def put(self, key: str, states: LineStates) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as out:
                np.savez_compressed(
                    out,
                    mean=states.mean.astype(np.float16),
                    max=states.max.astype(np.float16),
                    surprisal=states.surprisal,
                    tokens=states.tokens,
                )
            os.replace(out.name, path)
        except OSError:
            pass  # a read-only or full cache costs time, never the review

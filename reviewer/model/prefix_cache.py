"""The evaluated instruction prefix, kept on disk between runs.

Every prompt starts with the same fixed instructions. Within a process
llama.cpp reuses their evaluated state from one unit to the next, but each
`reviewer diff` or pre-commit run is a new process and would evaluate them
again: a few seconds on a CPU. Their KV state is a few megabytes, so it is
saved once per (model, adapter, prompt version, context size) and restored
in milliseconds afterwards. A saved state carries a checksum: llama.cpp is
never handed a file that was cut short or damaged on disk."""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import platformdirs

SEQUENCE = 0  # llama-cpp-python evaluates everything in sequence 0
MAGIC = b"reviewer-kv-1\n"  # then the payload's SHA-256 (32 bytes), then the payload


def default_directory() -> Path:
    return Path(platformdirs.user_cache_dir("reviewer")) / "prefix-state"


def state_path(directory: Path, identity: str, tokens: Sequence[int], context: int) -> Path:
    key = hashlib.sha256(f"{identity}|{context}|{list(tokens)}".encode()).hexdigest()
    return directory / f"{key}.kv"


def restore_or_evaluate(llm: Any, tokens: Sequence[int], path: Path) -> bool:
    """Put `tokens` into llm's KV cache: from `path` when a saved state is
    there, else by evaluating them (and saving the state for next time).
    True when the state came from disk. Any failure falls back to evaluating:
    the cache only ever costs speed."""
    if _restore(llm, tokens, path):
        return True
    llm.reset()
    llm.eval(list(tokens))
    with contextlib.suppress(OSError, RuntimeError):
        _save(llm, path)
    return False


def _restore(llm: Any, tokens: Sequence[int], path: Path) -> bool:
    import llama_cpp

    data = read_state(path)
    if data is None:
        return False
    buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
    llm.reset()
    memory = llama_cpp.llama_get_memory(llm.ctx)
    llama_cpp.llama_memory_seq_rm(memory, SEQUENCE, -1, -1)
    read = llama_cpp.llama_state_seq_set_data(llm.ctx, buffer, len(data), SEQUENCE)
    if read != len(data):  # damaged or from another build: start clean
        llama_cpp.llama_memory_seq_rm(memory, SEQUENCE, -1, -1)
        return False
    llm.input_ids[: len(tokens)] = tokens
    llm.n_tokens = len(tokens)
    return True


def _save(llm: Any, path: Path) -> None:
    import llama_cpp

    size = llama_cpp.llama_state_seq_get_size(llm.ctx, SEQUENCE)
    buffer = (ctypes.c_uint8 * size)()
    written = llama_cpp.llama_state_seq_get_data(llm.ctx, buffer, size, SEQUENCE)
    if written == 0:
        raise RuntimeError("llama.cpp returned no state")
    write_state(path, bytes(buffer)[:written])


def read_state(path: Path) -> bytes | None:
    """The saved state, or None when it is missing, from another format, or
    damaged (a damaged file is removed: it would never be right again)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    start = len(MAGIC) + hashlib.sha256().digest_size
    payload = data[start:]
    if data.startswith(MAGIC) and hashlib.sha256(payload).digest() == data[len(MAGIC) : start]:
        return payload
    with contextlib.suppress(OSError):
        path.unlink()
    return None


def write_state(path: Path, payload: bytes) -> None:
    """Write atomically (temp file, then rename): a run stopped halfway, or
    two runs at once, never leave half a state under the real name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, then renamed)
        dir=path.parent, suffix=".tmp", delete=False
    )
    try:
        with handle:
            handle.write(MAGIC + hashlib.sha256(payload).digest() + payload)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise

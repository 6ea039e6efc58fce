"""A fast reader of a GGUF file's key/value metadata. gguf.GGUFReader parses
every tensor record and every array element as numpy objects, which takes
~20 s on the default model; the tokenizer is all the tiny test model
(tests/tiny_model.py) needs, and this reads the key/value section alone in
well under a second."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import numpy as np

_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
            10: "<Q", 11: "<q", 12: "<d"}  # fmt: skip
_NUMPY = {0: "<u1", 1: "<i1", 2: "<u2", 3: "<i2", 4: "<u4", 5: "<i4", 6: "<f4", 7: "<u1",
          10: "<u8", 11: "<i8", 12: "<f8"}  # fmt: skip
STRING, ARRAY = 8, 9


def read_metadata(path: Path) -> dict[str, Any]:
    """Key -> value (str, int, float, bool, list of str, or numpy array)."""
    data = path.read_bytes() if path.stat().st_size < 1 << 20 else _head(path)
    if data[:4] != b"GGUF":
        raise ValueError(f"{path} is not a GGUF file")
    (count,) = struct.unpack_from("<Q", data, 16)
    offset = 24
    values: dict[str, Any] = {}
    for _ in range(count):
        key, offset = _string(data, offset)
        (kind,) = struct.unpack_from("<I", data, offset)
        values[key], offset = _value(data, offset + 4, kind)
    return values


def _head(path: Path) -> bytes:
    """The file's start, enough for the metadata (the tokenizer is ~10 MB)."""
    with path.open("rb") as handle:
        return handle.read(64 << 20)


def _string(data: bytes, offset: int) -> tuple[str, int]:
    (length,) = struct.unpack_from("<Q", data, offset)
    start = offset + 8
    return data[start : start + length].decode("utf-8", errors="replace"), start + length


def _value(data: bytes, offset: int, kind: int) -> tuple[Any, int]:
    if kind == STRING:
        return _string(data, offset)
    if kind in _SCALARS:
        fmt = _SCALARS[kind]
        return struct.unpack_from(fmt, data, offset)[0], offset + struct.calcsize(fmt)
    if kind != ARRAY:
        raise ValueError(f"unknown GGUF value type {kind}")
    element, length = struct.unpack_from("<IQ", data, offset)
    offset += 12
    if element == STRING:
        strings = []
        for _ in range(length):
            text, offset = _string(data, offset)
            strings.append(text)
        return strings, offset
    if element in _NUMPY:
        dtype = np.dtype(_NUMPY[element])
        array = np.frombuffer(data, dtype=dtype, count=length, offset=offset)
        return array.copy(), offset + dtype.itemsize * length
    items = []
    for _ in range(length):
        item, offset = _value(data, offset, element)
        items.append(item)
    return items, offset

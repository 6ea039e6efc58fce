"""The base model for training: the same GGUF inference uses, loaded by
transformers (which dequantises it; ~80 s for the default model) and kept
as a float32 checkpoint in the cache, so later runs and resumes load in
seconds. The checkpoint is keyed by the GGUF's size and first megabyte."""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path
from typing import Any

from reviewer.model.resolve import file_sha256


def checkpoint_dir(gguf: Path, cache: Path) -> Path:
    return cache / f"hf-{_key(gguf)}"


def load_base(gguf: Path, cache: Path) -> Any:
    import torch
    from transformers import AutoModelForCausalLM

    saved = checkpoint_dir(gguf, cache)
    if (saved / "config.json").is_file():
        return AutoModelForCausalLM.from_pretrained(saved, dtype=torch.float32)
    model = AutoModelForCausalLM.from_pretrained(
        gguf.parent, gguf_file=gguf.name, dtype=torch.float32
    )
    # The weights are dequantised float32 by now; transformers still marks
    # the model as GGUF-quantised, and refuses to save a quantised model.
    model.hf_quantizer = None
    if getattr(model.config, "quantization_config", None) is not None:
        del model.config.quantization_config
    try:
        remember(model, gguf, cache)
    except (OSError, ValueError) as error:  # only a cache: train anyway
        print(f"reviewer: base checkpoint not cached: {error}", file=sys.stderr)
    return model


def remember(model: Any, gguf: Path, cache: Path) -> None:
    """Store `model` as the float32 checkpoint of `gguf` (atomic rename)."""
    saved = checkpoint_dir(gguf, cache)
    partial = saved.with_suffix(".partial")
    shutil.rmtree(partial, ignore_errors=True)  # a run stopped while saving
    model.save_pretrained(partial)
    partial.rename(saved)


def _key(gguf: Path) -> str:
    size = gguf.stat().st_size
    if size < 64 << 20:
        return file_sha256(gguf)[:16]
    with gguf.open("rb") as handle:
        head = handle.read(1 << 20)
    return hashlib.sha256(head + str(size).encode()).hexdigest()[:16]

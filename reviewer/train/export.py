"""PEFT LoRA weights -> a GGUF adapter llama.cpp applies on the quantized base."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from reviewer.train.gguf_io import write_lora

_PREFIX = "base_model.model."


def lora_pairs(
    state: Mapping[str, Any],
) -> dict[str, tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]:
    """PEFT state dict (`...q_proj.lora_A.weight`) -> module -> (A, B) arrays."""
    found: dict[str, dict[str, np.ndarray[Any, Any]]] = {}
    for key, tensor in state.items():
        for part in ("lora_A", "lora_B"):
            marker = f".{part}."
            if marker in key:
                module = key.split(marker, 1)[0].removeprefix(_PREFIX)
                array = tensor.detach().float().numpy() if hasattr(tensor, "detach") else tensor
                found.setdefault(module, {})[part] = np.asarray(array, dtype=np.float32)
    pairs = {}
    for module, parts in found.items():
        if set(parts) != {"lora_A", "lora_B"}:
            raise ValueError(f"LoRA weights of {module} are incomplete")
        pairs[module] = (parts["lora_A"], parts["lora_B"])
    return pairs


def export_adapter(state: Mapping[str, Any], alpha: float, path: Path) -> Path:
    return write_lora(lora_pairs(state), alpha, path)

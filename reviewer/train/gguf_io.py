"""Writing a LoRA adapter that llama.cpp applies on top of the quantized
base (`lora_path`) with the `gguf` package.

Layout llama.cpp expects of an adapter (llama-adapter.cpp, and llama.cpp's
convert_lora_to_gguf.py): general.type "adapter", adapter.type "lora",
adapter.lora.alpha (f32; the scale is alpha / rank), and per adapted base
tensor `<name>.lora_a` with ggml shape [in, rank] and `<name>.lora_b` with
[rank, out]. gguf-py reverses numpy shapes into ggml order, so PEFT's own
lora_A (rank, in) and lora_B (out, rank) arrays are written as they are."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

# Hugging Face qwen2 module names -> llama.cpp tensor names (no `.weight`).
_LAYER_NAMES = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
    "input_layernorm": "attn_norm",
    "post_attention_layernorm": "ffn_norm",
}
_TOP_NAMES = {
    "model.embed_tokens": "token_embd",
    "model.norm": "output_norm",
    "lm_head": "output",
}
_LAYER = re.compile(r"^model\.layers\.(\d+)\.(.+)$")


def gguf_name(hf_module: str) -> str:
    """`model.layers.3.self_attn.q_proj` -> `blk.3.attn_q`."""
    if hf_module in _TOP_NAMES:
        return _TOP_NAMES[hf_module]
    match = _LAYER.match(hf_module)
    if match is None or match.group(2) not in _LAYER_NAMES:
        raise ValueError(f"no GGUF name for {hf_module}")
    return f"blk.{match.group(1)}.{_LAYER_NAMES[match.group(2)]}"


def write_lora(
    pairs: Mapping[str, tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]],
    alpha: float,
    path: Path,
    architecture: str = "qwen2",
    name: str = "reviewer adapter",
) -> Path:
    """`pairs`: HF module name -> (lora_A (rank, in), lora_B (out, rank))."""
    import gguf

    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(path), architecture)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_name(name)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(alpha))
    for module, (lora_a, lora_b) in sorted(pairs.items()):
        base = gguf_name(module) + ".weight"
        writer.add_tensor(base + ".lora_a", np.ascontiguousarray(lora_a, dtype=np.float32))
        writer.add_tensor(base + ".lora_b", np.ascontiguousarray(lora_b, dtype=np.float32))
    _finish(writer)
    return path


def _finish(writer: Any) -> None:
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()

"""Writing GGUF files with the `gguf` package: a LoRA adapter that llama.cpp
applies on top of the quantized base (`lora_path`), and (for the tiny test
pipeline) a float32 qwen2 base model.

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


def write_base(
    state: Mapping[str, np.ndarray[Any, Any]],
    config: Any,
    tokenizer_from: Path,
    path: Path,
) -> Path:
    """A float32 qwen2 GGUF from a Hugging Face state dict and config, with
    the tokenizer (and chat template) copied from another qwen2 GGUF."""
    import gguf

    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(path), "qwen2")
    writer.add_type(gguf.GGUFType.MODEL)
    writer.add_name("reviewer tiny qwen2")
    writer.add_context_length(int(config.max_position_embeddings))
    writer.add_embedding_length(int(config.hidden_size))
    writer.add_block_count(int(config.num_hidden_layers))
    writer.add_feed_forward_length(int(config.intermediate_size))
    writer.add_head_count(int(config.num_attention_heads))
    writer.add_head_count_kv(int(config.num_key_value_heads))
    writer.add_rope_freq_base(float(config.rope_parameters["rope_theta"]))
    writer.add_layer_norm_rms_eps(float(config.rms_norm_eps))
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    _copy_tokenizer(writer, tokenizer_from)
    for key, array in state.items():
        module, _, kind = key.rpartition(".")
        if module == "lm_head" and bool(config.tie_word_embeddings):
            continue
        writer.add_tensor(f"{gguf_name(module)}.{kind}", np.asarray(array, dtype=np.float32))
    _finish(writer)
    return path


def _copy_tokenizer(writer: Any, source: Path) -> None:
    from reviewer.train.gguf_meta import read_metadata

    meta = read_metadata(source)
    writer.add_tokenizer_model(meta["tokenizer.ggml.model"])
    if meta.get("tokenizer.ggml.pre"):
        writer.add_tokenizer_pre(meta["tokenizer.ggml.pre"])
    writer.add_token_list(meta["tokenizer.ggml.tokens"])
    writer.add_token_types([int(t) for t in meta["tokenizer.ggml.token_type"]])
    if meta.get("tokenizer.ggml.merges"):
        writer.add_token_merges(meta["tokenizer.ggml.merges"])
    for key, add in (
        ("tokenizer.ggml.bos_token_id", writer.add_bos_token_id),
        ("tokenizer.ggml.eos_token_id", writer.add_eos_token_id),
        ("tokenizer.ggml.padding_token_id", writer.add_pad_token_id),
    ):
        if key in meta:
            add(int(meta[key]))
    if "tokenizer.ggml.add_bos_token" in meta:
        writer.add_add_bos_token(bool(meta["tokenizer.ggml.add_bos_token"]))
    if meta.get("tokenizer.chat_template"):
        writer.add_chat_template(meta["tokenizer.chat_template"])


def _finish(writer: Any) -> None:
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()

"""A tiny randomly initialised qwen2 GGUF (the default model's architecture
and tokenizer, two 64-wide layers) for tests that need a model llama.cpp
runs in seconds, not a good one: the scorer's end-to-end pipeline. Written
with numpy and the `gguf` package only (no torch).

Tensor names and shapes are llama.cpp's qwen2 layout (llama-arch.cpp);
gguf-py reverses numpy shapes into ggml order, so a matrix is written as
numpy (out, in). The word embedding is tied: no `output` tensor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from tests.gguf_meta import read_metadata

EMBED, FEED_FORWARD, LAYERS, HEADS, KV_HEADS = 64, 128, 2, 4, 2
CONTEXT = 4096


def tiny_weights(vocab: int, seed: int = 0) -> dict[str, np.ndarray[Any, Any]]:
    """llama.cpp tensor name -> float32 array. Matrices are drawn wider than
    a trained model's (sd 0.2), so a token's states differ by its context."""
    rng = np.random.default_rng(seed)
    kv = EMBED // HEADS * KV_HEADS

    def matrix(rows: int, columns: int) -> np.ndarray[Any, Any]:
        return rng.normal(0.0, 0.2, (rows, columns)).astype(np.float32)

    ones = np.ones(EMBED, np.float32)
    weights = {"token_embd.weight": matrix(vocab, EMBED), "output_norm.weight": ones}
    for layer in range(LAYERS):
        block = f"blk.{layer}."
        weights |= {
            block + "attn_norm.weight": ones,
            block + "attn_q.weight": matrix(EMBED, EMBED),
            block + "attn_q.bias": np.zeros(EMBED, np.float32),
            block + "attn_k.weight": matrix(kv, EMBED),
            block + "attn_k.bias": np.zeros(kv, np.float32),
            block + "attn_v.weight": matrix(kv, EMBED),
            block + "attn_v.bias": np.zeros(kv, np.float32),
            block + "attn_output.weight": matrix(EMBED, EMBED),
            block + "ffn_norm.weight": ones,
            block + "ffn_gate.weight": matrix(FEED_FORWARD, EMBED),
            block + "ffn_up.weight": matrix(FEED_FORWARD, EMBED),
            block + "ffn_down.weight": matrix(EMBED, FEED_FORWARD),
        }
    return weights


def write_tiny_model(tokenizer_from: Path, path: Path, seed: int = 0) -> Path:
    """A tiny float32 qwen2 GGUF at `path` with the tokenizer (and chat
    template) of the qwen2 GGUF `tokenizer_from`."""
    import gguf

    meta = read_metadata(tokenizer_from)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(path), "qwen2")
    writer.add_type(gguf.GGUFType.MODEL)
    writer.add_name("reviewer tiny qwen2")
    writer.add_context_length(CONTEXT)
    writer.add_embedding_length(EMBED)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(FEED_FORWARD)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(KV_HEADS)
    writer.add_rope_freq_base(1_000_000.0)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    _copy_tokenizer(writer, meta)
    for name, array in tiny_weights(len(meta["tokenizer.ggml.tokens"]), seed).items():
        writer.add_tensor(name, array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def _copy_tokenizer(writer: Any, meta: dict[str, Any]) -> None:
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

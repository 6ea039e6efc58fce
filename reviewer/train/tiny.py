"""A tiny randomly initialised qwen2 model (the default model's architecture
and tokenizer, a few hundred kilobytes of layers) written as a GGUF base:
the whole pipeline runs on it in seconds (tests/train)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewer.train.gguf_io import write_base

TINY = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 4096,
    "rope_theta": 1_000_000.0,
    "rms_norm_eps": 1e-6,
    "tie_word_embeddings": True,
}


def tiny_model(vocab_size: int, seed: int = 0) -> Any:
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(seed)
    config = Qwen2Config(vocab_size=vocab_size, **TINY)
    model = Qwen2ForCausalLM(config)
    with torch.no_grad():  # larger than the default init, so outputs differ by input
        for parameter in model.parameters():
            if parameter.dim() > 1:
                parameter.normal_(0.0, 0.2)
    model.eval()
    return model


def write_tiny_base(
    tokenizer_from: Path, path: Path, seed: int = 0, cache: Path | None = None
) -> Path:
    """A tiny qwen2 GGUF at `path` with the tokenizer of `tokenizer_from`;
    with `cache`, its float32 checkpoint is stored there for training (the
    same weights; it spares transformers' GGUF conversion)."""
    from reviewer.train.gguf_meta import read_metadata

    tokens = read_metadata(tokenizer_from)["tokenizer.ggml.tokens"]
    model = tiny_model(len(tokens), seed)
    state = {key: value.detach().numpy() for key, value in model.state_dict().items()}
    write_base(state, model.config, tokenizer_from, path)
    if cache is not None:
        from reviewer.train.base import remember

        remember(model, path, cache)
    return path

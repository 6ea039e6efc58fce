"""The training base is read from a GGUF through transformers' own loader
(the path the real default model takes), then cached as float32."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def test_a_gguf_base_loads_dequantised_and_is_cached(tiny_base: Path, tmp_path: Path) -> None:
    from reviewer.train.base import checkpoint_dir, load_base
    from tests.gguf_meta import read_metadata

    cache = tmp_path / "fresh-cache"  # not the session's: this one starts empty
    loaded = load_base(tiny_base, cache)
    assert (checkpoint_dir(tiny_base, cache) / "config.json").is_file()
    again = load_base(tiny_base, cache)
    first = dict(loaded.named_parameters())
    for name, value in again.named_parameters():
        np.testing.assert_array_equal(value.detach().numpy(), first[name].detach().numpy())
    assert loaded.config.num_hidden_layers == read_metadata(tiny_base)["qwen2.block_count"]

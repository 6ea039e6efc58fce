"""The whole fine-tuning pipeline on a tiny random qwen2 with the default
model's tokenizer, in seconds: mine -> mutate -> train -> export -> load in
llama.cpp. The exported adapter must load on the base GGUF, change its
output, and give the logits the trained PyTorch model gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reviewer.train.loop import CHECKPOINT, TrainOptions
from reviewer.train.pipeline import ADAPTER, RECIPE, Selection, train
from tests.conftest import GitRepo
from tests.scorer.test_pipeline import make_data

OPTIONS = TrainOptions(rank=4, alpha=8.0, lr=0.05, epochs=2.0, accumulate=2, checkpoint_every=1)
SELECTION = Selection(count=6, max_tokens=900, seed=0)


def llama_logits(base: Path, tokens: list[int], adapter: Path | None = None) -> Any:
    import llama_cpp

    llm = llama_cpp.Llama(
        model_path=str(base),
        n_ctx=512,
        verbose=False,
        lora_path=str(adapter) if adapter else None,
        n_threads=2,
    )
    llm.eval(tokens)
    row = np.ctypeslib.as_array(llm._ctx.get_logits_ith(-1), shape=(llm.n_vocab(),)).copy()
    llm.close()
    return row


def torch_logits(base: Path, cache: Path, output: Path, tokens: list[int]) -> Any:
    import torch
    from peft import LoraConfig, get_peft_model, set_peft_model_state_dict

    from reviewer.train.base import load_base

    model = get_peft_model(
        load_base(base, cache),
        LoraConfig(r=OPTIONS.rank, lora_alpha=OPTIONS.alpha, target_modules=list(OPTIONS.targets)),
    )
    set_peft_model_state_dict(model, torch.load(output / CHECKPOINT, weights_only=False)["lora"])
    model.eval()
    with torch.no_grad():
        return model(torch.tensor([tokens])).logits[0, -1].numpy()


def test_tiny_pipeline_trains_exports_and_llama_cpp_applies_the_adapter(
    repo: GitRepo, tmp_path: Path, tiny_base: Path, train_cache: Path
) -> None:
    data = make_data(repo, tmp_path)
    output = tmp_path / "run"
    recipe = train([data], tiny_base, output, SELECTION, OPTIONS, train_cache)
    assert recipe["examples"] == 6 and recipe["examples_with_comment"] == 3
    assert recipe["steps"] == 6 and recipe["examples_done"] == 12
    assert recipe["last_losses"][-1] < recipe["first_losses"][0]
    adapter = output / ADAPTER
    assert (output / RECIPE).is_file() and adapter.stat().st_size > 0

    from reviewer.train.tokens import ChatTokenizer

    tokens = ChatTokenizer(tiny_base).prompt_ids(
        ({"role": "system", "content": "review"}, {"role": "user", "content": "x = 1"})
    )
    base = llama_logits(tiny_base, tokens)
    tuned = llama_logits(tiny_base, tokens, adapter)
    assert np.abs(tuned - base).max() > 0.05  # the adapter changes the output
    expected = torch_logits(tiny_base, train_cache, output, tokens)
    np.testing.assert_allclose(tuned, expected, atol=2e-2, rtol=0)


def test_an_interrupted_run_resumes_where_it_stopped(
    repo: GitRepo, tmp_path: Path, tiny_base: Path, train_cache: Path
) -> None:
    import torch

    data = make_data(repo, tmp_path)
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    train([data], tiny_base, whole, SELECTION, OPTIONS, train_cache)
    first = train([data], tiny_base, parts, SELECTION, OPTIONS, train_cache, stop_after=5)
    assert first["examples_done"] == 4  # the half-accumulated fifth is redone
    second = train([data], tiny_base, parts, SELECTION, OPTIONS, train_cache)
    assert second["examples_done"] == 12 and second["steps"] == 6
    expected = torch.load(whole / CHECKPOINT, weights_only=False)["lora"]
    resumed = torch.load(parts / CHECKPOINT, weights_only=False)["lora"]
    for key, value in expected.items():
        torch.testing.assert_close(resumed[key], value, atol=1e-5, rtol=1e-4)


def test_a_checkpoint_of_other_data_is_not_resumed(
    repo: GitRepo, tmp_path: Path, tiny_base: Path, train_cache: Path
) -> None:
    from reviewer.errors import ReviewerError

    data = make_data(repo, tmp_path)
    output = tmp_path / "run"
    train([data], tiny_base, output, SELECTION, OPTIONS, train_cache, stop_after=2)
    other = Selection(count=4, max_tokens=900, seed=1)
    with pytest.raises(ReviewerError, match="other data or options"):
        train([data], tiny_base, output, other, OPTIONS, train_cache)

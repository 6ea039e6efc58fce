"""The LoRA training loop on CPU: one example per forward pass, gradients
accumulated over a few, AdamW, the loss on the answer tokens only.

Resumable: every `checkpoint_every` optimizer steps the LoRA weights, the
optimizer state and the position in the (seeded) example order are saved
to OUTPUT/checkpoint.pt; a new run with the same data and options goes on
from there."""

from __future__ import annotations

import hashlib
import math
import random
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from reviewer.errors import ReviewerError
from reviewer.train.tokens import Encoded

CHECKPOINT = "checkpoint.pt"


@dataclass(frozen=True)
class TrainOptions:
    rank: int = 8
    alpha: float = 16.0
    lr: float = 2e-4
    epochs: float = 1.0
    accumulate: int = 4  # examples per optimizer step
    checkpoint_every: int = 20  # optimizer steps
    seed: int = 0
    threads: int | None = None
    targets: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj")


@dataclass
class TrainResult:
    examples: int  # examples consumed in total (over all runs)
    steps: int
    seconds: float  # this run's wall time
    seconds_per_example: float
    losses: list[float] = field(default_factory=list)  # mean loss per optimizer step
    resumed_from: int = 0


Report = Callable[[str], None]


def example_order(count: int, epochs: float, seed: int) -> list[int]:
    """Each epoch a new seeded permutation; a fractional epoch takes a prefix."""
    rng = random.Random(seed)
    order: list[int] = []
    while len(order) < math.ceil(epochs * count):
        permutation = list(range(count))
        rng.shuffle(permutation)
        order.extend(permutation)
    return order[: math.ceil(epochs * count)]


def train_lora(
    model: Any,
    examples: list[Encoded],
    output: Path,
    options: TrainOptions,
    report: Report | None = None,
    stop_after: int | None = None,
) -> tuple[Any, TrainResult]:
    """Train a LoRA on `model`; returns the PEFT model and what happened.
    `stop_after` ends this run after that many examples (a checkpoint is
    written), as an interrupted run would."""
    import torch
    from peft import LoraConfig, get_peft_model, set_peft_model_state_dict

    torch.manual_seed(options.seed)
    if options.threads:
        torch.set_num_threads(options.threads)
    model.config.use_cache = False
    peft_model = get_peft_model(
        model,
        LoraConfig(
            r=options.rank,
            lora_alpha=options.alpha,
            target_modules=list(options.targets),
            lora_dropout=0.0,
            bias="none",
            task_type="CAUSAL_LM",
        ),
    )
    trainable = [p for p in peft_model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=options.lr, weight_decay=0.0)
    order = example_order(len(examples), options.epochs, options.seed)
    fingerprint = _fingerprint(examples, order)
    output.mkdir(parents=True, exist_ok=True)
    result = TrainResult(0, 0, 0.0, 0.0)
    saved = _load(output / CHECKPOINT, options, len(order), fingerprint)
    if saved is not None:
        set_peft_model_state_dict(peft_model, saved["lora"])
        optimizer.load_state_dict(saved["optimizer"])
        result = TrainResult(saved["done"], saved["step"], 0.0, 0.0, saved["losses"], saved["done"])
    started = time.perf_counter()
    peft_model.train()
    pending: list[float] = []
    end = len(order) if stop_after is None else min(len(order), result.examples + stop_after)
    for position in range(result.examples, end):
        example = examples[order[position]]
        ids = torch.tensor([example.ids], dtype=torch.long)
        labels = ids.clone()
        labels[:, : example.prompt_length] = -100
        loss = peft_model(input_ids=ids, labels=labels).loss
        (loss / options.accumulate).backward()
        pending.append(float(loss.detach()))
        done = position + 1
        if done % options.accumulate == 0 or done == len(order):
            optimizer.step()
            optimizer.zero_grad()
            result.steps += 1
            result.losses.append(sum(pending) / len(pending))
            pending = []
            result.examples = done
            if result.steps % options.checkpoint_every == 0:
                _save(output / CHECKPOINT, peft_model, optimizer, result, options, fingerprint)
        if report is not None:
            report(_progress(position + 1, len(order), result, started))
    result.examples = end - len(pending)  # a partial accumulation is not kept
    _save(output / CHECKPOINT, peft_model, optimizer, result, options, fingerprint)
    result.seconds = time.perf_counter() - started
    run = end - result.resumed_from
    result.seconds_per_example = result.seconds / run if run else 0.0
    return peft_model, result


def lora_state(peft_model: Any) -> dict[str, Any]:
    from peft import get_peft_model_state_dict

    return dict(get_peft_model_state_dict(peft_model))


def _progress(done: int, total: int, result: TrainResult, started: float) -> str:
    elapsed = time.perf_counter() - started
    rate = elapsed / max(1, done - result.resumed_from)
    eta = rate * (total - done)
    loss = f"{result.losses[-1]:.3f}" if result.losses else "-"
    width = 24
    filled = int(width * done / total) if total else width
    bar = "#" * filled + "." * (width - filled)
    return (
        f"[{bar}] {done}/{total} examples, step {result.steps}, loss {loss}, "
        f"{rate:.1f} s/example, elapsed {_clock(elapsed)}, ETA {_clock(eta)}"
    )


def _fingerprint(examples: list[Encoded], order: list[int]) -> str:
    """What a checkpoint was trained on: the token ids in their order."""
    digest = hashlib.sha256()
    for index in order:
        digest.update(repr(examples[index].ids).encode())
    return digest.hexdigest()


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def _save(
    path: Path,
    peft_model: Any,
    optimizer: Any,
    result: TrainResult,
    options: TrainOptions,
    fingerprint: str,
) -> None:
    import torch

    state = {
        "lora": lora_state(peft_model),
        "optimizer": optimizer.state_dict(),
        "done": result.examples,
        "step": result.steps,
        "losses": result.losses,
        "options": asdict(options),
        "fingerprint": fingerprint,
    }
    partial = path.with_suffix(".partial")
    torch.save(state, partial)
    partial.replace(path)


def _load(path: Path, options: TrainOptions, total: int, fingerprint: str) -> dict[str, Any] | None:
    import torch

    if not path.is_file():
        return None
    state: dict[str, Any] = torch.load(path, weights_only=False)
    same = {k: v for k, v in asdict(options).items() if k not in ("threads", "checkpoint_every")}
    saved = {k: v for k, v in state["options"].items() if k in same}
    if saved != same or state["fingerprint"] != fingerprint or state["done"] > total:
        raise ReviewerError(
            f"{path} was written by a run with other data or options; "
            "resume with the same ones, or use a new --output folder"
        )
    print(f"reviewer: resuming from {path} ({state['done']} examples done)", file=sys.stderr)
    return state

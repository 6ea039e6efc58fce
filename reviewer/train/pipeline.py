"""`reviewer train` end to end: records -> examples -> selected, tokenized
examples -> LoRA training (resumable) -> GGUF adapter + recipe.json."""

from __future__ import annotations

import json
import random
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from reviewer.dataset.record import Record, read_records
from reviewer.train.examples import examples_for
from reviewer.train.loop import Report, TrainOptions, TrainResult, lora_state, train_lora
from reviewer.train.tokens import ChatTokenizer, Encoded

ADAPTER = "adapter.gguf"
RECIPE = "recipe.json"
# Benchmarks kept for evaluation only: never trained on, whatever the data says.
EVAL_ONLY = ("pysnooper", "thefuck", "black", "tqdm", "httpie", "cookiecutter", "sanic",
             "luigi", "tornado", "fastapi", "scrapy", "youtube-dl", "yt-dlp", "express",
             "bugsinpy", "bugsjs")  # fmt: skip


@dataclass(frozen=True)
class Selection:
    count: int = 300  # examples, half with a comment to learn
    max_tokens: int = 512  # prompt + answer; longer examples are left out
    seed: int = 0
    exclude_repos: tuple[str, ...] = ()


def eval_only(repo: str) -> bool:
    name = repo.rsplit("/", 1)[-1].lower()
    return name in EVAL_ONLY or repo.lower() in EVAL_ONLY


def usable_records(paths: Iterable[Path], exclude: Sequence[str] = ()) -> list[Record]:
    excluded = {name.lower() for name in exclude}
    return [
        record
        for path in paths
        for record in read_records(path)
        if not eval_only(record.repo) and record.repo.lower() not in excluded
    ]


def select_examples(
    records: Sequence[Record], tokenizer: ChatTokenizer, selection: Selection
) -> list[Encoded]:
    """Half buggy, half clean, repositories taken in turn so none dominates,
    only examples that fit in `max_tokens`."""
    rng = random.Random(selection.seed)
    by_repo: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by_repo[record.repo].append(record)
    queues = [rng.sample(group, len(group)) for _, group in sorted(by_repo.items())]
    wanted = {True: selection.count // 2, False: selection.count - selection.count // 2}
    chosen: list[Encoded] = []
    while any(queues) and any(wanted.values()):
        for queue in queues:
            if not queue:
                continue
            record = queue.pop()
            for example in examples_for(record, selection.seed):
                if wanted[example.buggy] <= 0:
                    continue
                encoded = tokenizer.encode(example)
                if len(encoded.ids) <= selection.max_tokens:
                    chosen.append(encoded)
                    wanted[example.buggy] -= 1
        queues = [queue for queue in queues if queue]
    return chosen


def train(
    data: Sequence[Path],
    base: Path,
    output: Path,
    selection: Selection,
    options: TrainOptions,
    cache: Path,
    report: Report | None = None,
    stop_after: int | None = None,
) -> dict[str, Any]:
    """Train and export; returns the recipe written beside the adapter."""
    from reviewer.train.base import load_base
    from reviewer.train.export import export_adapter

    started = time.perf_counter()
    records = usable_records(data, selection.exclude_repos)
    tokenizer = ChatTokenizer(base)
    examples = select_examples(records, tokenizer, selection)
    if report:
        buggy = sum(e.buggy for e in examples)
        report(f"{len(examples)} examples ({buggy} with a comment) from {len(records)} records")
    model = load_base(base, cache)
    loaded = time.perf_counter()
    peft_model, result = train_lora(model, examples, output, options, report, stop_after)
    adapter = export_adapter(lora_state(peft_model), options.alpha, output / ADAPTER)
    recipe = _recipe(data, base, selection, options, examples, records, result)
    recipe["load_seconds"] = round(loaded - started, 1)
    recipe["adapter"] = adapter.name
    (output / RECIPE).write_text(json.dumps(recipe, indent=2) + "\n", encoding="utf-8")
    return recipe


def _recipe(
    data: Sequence[Path],
    base: Path,
    selection: Selection,
    options: TrainOptions,
    examples: list[Encoded],
    records: list[Record],
    result: TrainResult,
) -> dict[str, Any]:
    repos = sorted({r.repo for r in records})
    return {
        "base": base.name,
        "data": [str(path) for path in data],
        "repositories": repos,
        "licenses": sorted({f"{r.repo}: {r.license}" for r in records}),
        "selection": asdict(selection),
        "options": asdict(options),
        "examples": len(examples),
        "examples_with_comment": sum(e.buggy for e in examples),
        "mean_tokens": round(sum(len(e.ids) for e in examples) / max(1, len(examples)), 1),
        "examples_done": result.examples,
        "steps": result.steps,
        "train_seconds_this_run": round(result.seconds, 1),
        "seconds_per_example": round(result.seconds_per_example, 2),
        "first_losses": [round(x, 4) for x in result.losses[:5]],
        "last_losses": [round(x, 4) for x in result.losses[-5:]],
    }

"""`reviewer eval DATA.jsonl`: the structural tier, the shipped scoring head
and a head of your own over labelled units; prints (and writes) a markdown
table."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from reviewer.config import ModelConfig
from reviewer.dataset.candidates import WINDOW_MAX, WINDOW_MIN
from reviewer.dataset.record import Record, read_records
from reviewer.engine import Producer
from reviewer.errors import EXIT_OK, ReviewerError
from reviewer.evaluate.metrics import Summary, summarize
from reviewer.evaluate.run import Reviewed, at_threshold, evaluate, sample, structural
from reviewer.evaluate.table import markdown

CONFIGS = ("structural", "shipped-head", "head")
# Configurations of the generate-first review, removed with it.
RETIRED = ("base", "adapter")


def run_eval(args: argparse.Namespace) -> int:
    configs = [name.strip() for name in args.configs.split(",") if name.strip()]
    retired = [name for name in configs if name in RETIRED]
    if retired:
        raise ReviewerError(
            f"configuration {', '.join(retired)} was removed with the generate-first review "
            f"(it measured no better than chance); known: {', '.join(CONFIGS)}"
        )
    unknown = sorted(set(configs) - set(CONFIGS))
    if unknown:
        raise ReviewerError(f"unknown configuration {', '.join(unknown)} (known: {CONFIGS})")
    if not args.data.is_file():
        raise ReviewerError(f"data file not found: {args.data}")
    records = sample(list(read_records(args.data)), args.sample, args.seed)
    notes: list[str] = []
    rows = []
    for name in configs:
        producer = _producer(name, args, notes)
        if producer is None:
            continue
        reviewed = evaluate(records, producer, args.seed, _progress(name))
        if sys.stderr.isatty():
            print(file=sys.stderr)
        if name == "structural":
            rows.append((name, _at(reviewed, 0.0)))
            continue
        gate = getattr(producer, "gate", 1.0)
        rows.append((f"{name} (top line of every unit)", _at(reviewed, 0.0)))
        rows.append((f"{name} (at its gate, p >= {gate:.3f})", _at(reviewed, gate)))
    text = _document(args, records, rows, notes)
    print(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    return EXIT_OK


def _at(reviewed: list[Reviewed], threshold: float) -> Summary:
    return summarize(at_threshold(reviewed, threshold))


def _producer(name: str, args: argparse.Namespace, notes: list[str]) -> Producer | None:
    if name == "structural":
        return structural()
    return _head_producer(name, args, notes)


class _GatedTier:
    """A scoring tier that comments on every unit's top line (no gate, no
    explanation), remembering the head's gate for the table."""

    def __init__(self, tier: Producer, gate: float) -> None:
        self.tier = tier
        self.gate = gate

    def review_file(self, parsed: Any, units: Any) -> Any:
        return self.tier.review_file(parsed, units)

    def notes(self) -> list[str]:
        return self.tier.notes()


def _head_producer(name: str, args: argparse.Namespace, notes: list[str]) -> Producer | None:
    from reviewer.model.factory import llama_available
    from reviewer.model.resolve import resolve_model
    from reviewer.scorer.assemble import build_local_scorer, tier_for
    from reviewer.scorer.build import load_head, shipped_head_for

    if not llama_available():
        raise ReviewerError("llama-cpp-python is not installed (pip install 'reviewer[model]')")
    location = resolve_model(None, str(args.model_path) if args.model_path else None)
    if location is None:
        raise ReviewerError("no model found: pass --model-path or install 'reviewer[model]'")
    path = args.head if name == "head" else shipped_head_for(location.with_hash().sha256 or "")
    if path is None:
        what = "no --head given" if name == "head" else "no shipped head fits this model"
        notes.append(f"{name}: {what}; row left out")
        return None
    head = load_head(path, location)
    settings = ModelConfig(
        head=str(path), threshold=0.0, explain=False, max_units=10**9, max_seconds=1e12
    )
    scorer = build_local_scorer(settings, location, head, None)
    return _GatedTier(tier_for(scorer, settings), head.threshold)


def _progress(name: str) -> Callable[[int, int], None]:
    """A live count on a terminal; in a log, a line every 25 units."""
    tty = sys.stderr.isatty()

    def show(done: int, total: int) -> None:
        if tty:
            print(f"\r{name}: {done}/{total} units", end="", file=sys.stderr, flush=True)
        elif done % 25 == 0 or done == total:
            print(f"{name}: {done}/{total} units", file=sys.stderr, flush=True)

    return show


def _document(
    args: argparse.Namespace,
    records: list[Record],
    rows: list[tuple[str, Summary]],
    notes: list[str],
) -> str:
    buggy = sum(1 for r in records if r.buggy)
    sampled = f", a seeded sample of {args.sample}" if args.sample else ""
    notes_text = "".join(f"\n- {note}" for note in notes)
    command = f"reviewer eval {args.data} --configs {args.configs} --seed {args.seed}"
    command += f" --sample {args.sample}" if args.sample else ""
    return f"""# reviewer eval: {args.data.name}

{len(records)} units ({buggy} buggy, {len(records) - buggy} clean{sampled}; seed {args.seed}).
Each unit is reviewed alone in diff mode: its changed lines are a window of
{WINDOW_MIN}-{WINDOW_MAX} lines holding the labelled lines at a random position (clean
units: their changed lines), never the labelled lines alone. hit@k: buggy units
with a comment within k lines of a labelled line; chance@k: a random commenter
with the same number of comments on the same candidate lines; lift = hit - chance.
{notes_text}

{markdown(rows)}
Reproduce: `{command}`
"""

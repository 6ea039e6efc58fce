"""`reviewer train`: LoRA-train the review model on review data (CPU)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from reviewer.errors import EXIT_OK, ReviewerError


def run_train(args: argparse.Namespace) -> int:
    try:
        import peft  # noqa: F401
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as error:
        raise ReviewerError(
            f"training needs the `train` extra ({error.name} is missing): "
            "pip install 'reviewer[train]'"
        ) from None
    import platformdirs

    from reviewer.train.loop import TrainOptions
    from reviewer.train.pipeline import Selection, train

    for path in args.data:
        if not path.is_file():
            raise ReviewerError(f"data file not found: {path}")
    base = args.base or _default_model()
    selection = Selection(args.examples, args.max_tokens, args.seed, tuple(args.exclude_repo))
    options = TrainOptions(
        rank=args.rank,
        alpha=args.alpha,
        lr=args.lr,
        epochs=args.epochs,
        accumulate=args.accumulate,
        checkpoint_every=args.checkpoint_every,
        seed=args.seed,
        threads=args.threads,
    )
    cache = Path(platformdirs.user_cache_dir("reviewer")) / "train"
    tty = sys.stderr.isatty()
    calls = [0]

    def report(line: str) -> None:
        """A live bar on a terminal; in a log, every tenth progress line."""
        if not line.startswith("["):
            print(line, file=sys.stderr, flush=True)
        elif tty:
            print(f"\r{line}", end="", file=sys.stderr, flush=True)
        else:
            calls[0] += 1
            if calls[0] % 10 == 1:
                print(line, file=sys.stderr, flush=True)

    recipe = train(args.data, base, args.output, selection, options, cache, report)
    if tty:
        print(file=sys.stderr)
    adapter = args.output / recipe["adapter"]
    if args.adapter:
        args.adapter.parent.mkdir(parents=True, exist_ok=True)
        args.adapter.write_bytes(adapter.read_bytes())
        adapter = args.adapter
    print(json.dumps(recipe, indent=2))
    print(f"reviewer: adapter written to {adapter}", file=sys.stderr)
    return EXIT_OK


def _default_model() -> Path:
    from reviewer.model.resolve import resolve_model

    location = resolve_model(None, None)
    if location is None:
        raise ReviewerError("no base model: pass --base GGUF or install 'reviewer[model]'")
    return location.path

"""Arguments of the fine-tuning commands (`dataset`, `train`, `eval`), kept
out of cli.py so the review commands' parser stays small. Parsing only: the
commands import their heavy modules when they run."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

LEARN_COMMANDS = ("dataset", "train", "eval")


def add_learn_commands(commands: Any) -> None:
    """Add the subcommands to cli.py's subparsers object."""
    dataset = commands.add_parser("dataset", help="make review data: mine history, inject bugs")
    actions = dataset.add_subparsers(dest="dataset_command", metavar="ACTION")
    actions.required = True

    mine = actions.add_parser("mine", help="bug-fix and clean units from git history")
    mine.add_argument("repos", nargs="+", type=Path, metavar="REPO", help="local repositories")
    mine.add_argument("--output", "-o", type=Path, metavar="FILE", help="JSONL (default stdout)")
    mine.add_argument("--name", help="repository name for records (one REPO only)")
    mine.add_argument("--license", metavar="SPDX", help="licence, when no licence file says")
    mine.add_argument(
        "--any-license", action="store_true", help="mine repositories that are not permissive"
    )
    mine.add_argument("--max-commits", type=int, metavar="N", help="newest N commits only")
    mine.add_argument("--max-fixes", type=int, default=600, metavar="N", help="per repository")
    mine.add_argument("--min-age-days", type=float, default=365.0, metavar="DAYS")
    mine.add_argument("--min-later-commits", type=int, default=3, metavar="N")
    mine.add_argument("--seed", type=int, default=0)

    mutate = actions.add_parser("mutate", help="inject synthetic bugs into clean code")
    mutate.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="source files, folders or JSONL"
    )
    mutate.add_argument("--output", "-o", type=Path, metavar="FILE", help="JSONL (default stdout)")
    mutate.add_argument("--repo", help="repository name for records from files")
    mutate.add_argument("--license", default="unknown", metavar="SPDX")
    mutate.add_argument("--limit", type=int, metavar="N", help="at most N input units")
    mutate.add_argument("--seed", type=int, default=0)

    dedupe = actions.add_parser(
        "dedupe", help="drop records whose id or unit text is already known or repeated"
    )
    dedupe.add_argument("data", nargs="+", type=Path, metavar="DATA.jsonl")
    dedupe.add_argument(
        "--against", action="append", default=[], type=Path, metavar="FILE",
        help="JSONL whose records count as known (repeatable)",
    )  # fmt: skip
    dedupe.add_argument("--output", "-o", type=Path, metavar="FILE", help="JSONL (default stdout)")

    split = actions.add_parser("split", help="split records by repository")
    split.add_argument("data", type=Path, metavar="DATA.jsonl")
    split.add_argument("--holdout", required=True, help="comma-separated owner/name list")
    split.add_argument("--train", type=Path, required=True, metavar="FILE")
    split.add_argument("--dev", type=Path, required=True, metavar="FILE")

    train = commands.add_parser(
        "train", help="fit the line scorer's head (--head), or LoRA-train the model, on CPU"
    )
    train.add_argument("data", nargs="+", type=Path, metavar="DATA.jsonl")
    train.add_argument(
        "--head", action="store_true", help="fit the line scorer's head (minutes, after features)"
    )
    train.add_argument(
        "--output", "-o", type=Path, required=True, metavar="PATH", help="head file or LoRA DIR"
    )
    train.add_argument("--calibrate", type=Path, metavar="DATA.jsonl", help="--head: labelled "
                       "units to calibrate on (default: held-out repositories)")  # fmt: skip
    train.add_argument("--kind", choices=("logistic", "mlp"), default="logistic", help="--head")
    train.add_argument("--limit", type=int, metavar="N", help="--head: the first N records")
    train.add_argument(
        "--cached-only",
        action="store_true",
        help="--head: fit on the units whose features are cached (an extraction under way)",
    )
    train.add_argument("--model-path", type=Path, metavar="GGUF", help="--head: frozen model")
    train.add_argument("--base", type=Path, metavar="GGUF", help="base model (default model)")
    train.add_argument("--examples", type=int, default=300, help="examples to train on")
    train.add_argument("--epochs", type=float, default=1.0)
    train.add_argument("--max-tokens", type=int, default=512, help="longer examples are left out")
    train.add_argument("--rank", type=int, default=8)
    train.add_argument("--alpha", type=float, default=16.0)
    train.add_argument("--lr", type=float, default=2e-4)
    train.add_argument("--accumulate", type=int, default=4, help="examples per optimizer step")
    train.add_argument("--checkpoint-every", type=int, default=20, metavar="STEPS")
    train.add_argument("--threads", type=int, help="torch threads (default: all cores)")
    train.add_argument("--exclude-repo", action="append", default=[], metavar="NAME")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--adapter", type=Path, metavar="GGUF", help="export here when done")

    evaluate = commands.add_parser("eval", help="measure the tiers on labelled data")
    evaluate.add_argument("data", type=Path, metavar="DATA.jsonl")
    evaluate.add_argument(
        "--configs",
        default="structural,shipped-head",
        help="comma-separated: structural, shipped-head, head (--head FILE)",
    )
    evaluate.add_argument("--head", type=Path, metavar="FILE", help="a head of your own")
    evaluate.add_argument("--model-path", type=Path, metavar="GGUF")
    evaluate.add_argument("--sample", type=int, metavar="N", help="N units, half buggy")
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--output", "-o", type=Path, metavar="FILE", help="markdown table")


def run_learn_command(args: argparse.Namespace) -> int:
    if args.command == "dataset":
        from reviewer.commands.dataset import run_dataset

        return run_dataset(args)
    if args.command == "train" and args.head:
        from reviewer.commands.train_head import run_train_head

        return run_train_head(args)
    if args.command == "train":
        from reviewer.commands.train import run_train

        return run_train(args)
    from reviewer.commands.evaluate import run_eval

    return run_eval(args)

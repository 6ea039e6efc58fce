"""Arguments of the fine-tuning commands (`dataset`, `train`, `eval`), kept
out of cli.py so the review commands' parser stays small. Parsing only: the
commands import their heavy modules when they run."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from reviewer.errors import ReviewerError

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

    szz = actions.add_parser(
        "szz", help="whole changes, buggy (SZZ) or clean, with process features (JIT)"
    )
    szz.add_argument("repos", nargs="+", type=Path, metavar="REPO", help="local repositories")
    szz.add_argument(
        "--output-dir", "-o", type=Path, required=True, metavar="DIR",
        help="one OWNER+NAME.jsonl per repository; repositories already there are skipped",
    )  # fmt: skip
    szz.add_argument("--license", metavar="SPDX", help="licence, when no licence file says")
    szz.add_argument("--max-lines", type=int, default=1000, metavar="N", help="huge above this")
    szz.add_argument("--max-files", type=int, default=50, metavar="N", help="huge above this")

    # Fitting the head is train's one job since LoRA training was removed;
    # --head stays, implied, so the commands written with it keep working.
    train = commands.add_parser(
        "train",
        help="fit the line scorer's head on labelled units, or (--risk) the change risk",
        description="Fit the line scorer's head on labelled units. (LoRA training, and its "
        "options, were removed: the head is what `reviewer train` fits.)",
    )
    train.add_argument("data", nargs="*", type=Path, metavar="DATA.jsonl")
    train.add_argument("--head", action="store_true", help="implied: the line scorer's head")
    train.add_argument(
        "--output", "-o", type=Path, metavar="FILE", help="the head file (FILE.npz) or risk card"
    )
    risk = train.add_argument_group(
        "the change risk on your own history (--risk; git only, no model)"
    )
    risk.add_argument(
        "--risk", action="store_true",
        help="fit the change risk on this repository's history and write its card "
        "(default: the user's data directory; use it with [risk] card = \"own\")",
    )  # fmt: skip
    risk.add_argument("--repo", type=Path, metavar="PATH", help="the repository (default: here)")
    risk.add_argument("--maturity-days", type=float, metavar="DAYS",
                      help="a change's label counts once it is this old (365)")  # fmt: skip
    risk.add_argument("--min-train", type=int, metavar="N", help="older changes to fit on (400)")
    risk.add_argument("--min-train-buggy", type=int, metavar="N",
                      help="of which later fixed (40)")  # fmt: skip
    risk.add_argument("--min-test", type=int, metavar="N",
                      help="newer changes held out to measure, of each class (20)")  # fmt: skip
    train.add_argument(
        "--calibrate",
        type=Path,
        metavar="DATA.jsonl",
        help="labelled units to calibrate on (default: held-out repositories)",
    )
    train.add_argument("--kind", choices=("logistic", "mlp"), default="logistic")
    train.add_argument("--limit", type=int, metavar="N", help="the first N records")
    train.add_argument(
        "--cached-only",
        action="store_true",
        help="fit on the units whose features are cached (an extraction under way)",
    )
    train.add_argument("--model-path", type=Path, metavar="GGUF", help="the frozen model")
    train.add_argument("--threads", type=int, help="for the model's pass (default: all cores)")
    train.add_argument("--seed", type=int, default=0)

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
    if args.command == "train":
        if args.risk:
            if args.data or args.head:
                raise ReviewerError("--risk trains on the repository's history: no DATA, no --head")
            from reviewer.commands.train_risk import run_train_risk

            return run_train_risk(args)
        if not args.data or args.output is None:
            raise ReviewerError(
                "reviewer train needs DATA.jsonl and --output FILE.npz (the head), "
                "or --risk (the change risk on this repository's history)"
            )
        from reviewer.commands.train_head import run_train_head

        return run_train_head(args)
    from reviewer.commands.evaluate import run_eval

    return run_eval(args)

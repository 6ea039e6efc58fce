"""`reviewer train --risk`: fit the change risk on the repository's own
history (reviewer/jit/own.py) and write its card, by default into the
user's data directory, keyed by the repository.

Mining is git only (SZZ and Kamei's metrics, no model pass) and resumable
as `reviewer dataset szz` is: the mined changes of a head commit are kept
in the user's cache, so a run stopped after mining fits at once the next
time, and a finished mining is never done twice for the same head."""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.errors import EXIT_OK, ReviewerError

if TYPE_CHECKING:
    from reviewer.git import History
    from reviewer.jit.record import JitRecord


def run_train_risk(args: argparse.Namespace) -> int:
    # Checked before anything imports them: the core install has neither.
    if any(importlib.util.find_spec(name) is None for name in ("numpy", "sklearn")):
        raise ReviewerError("training the risk needs the jit extra: pip install 'reviewer[jit]'")
    from reviewer.git import History
    from reviewer.jit.own import TrainOptions, train
    from reviewer.risk.configured import OWN, own_card_path

    root = _toplevel(Path(args.repo or ".").resolve())
    history = History(root)
    head = history.head()
    if head is None:
        raise ReviewerError(f"{root}: no commits yet, so no history to train on")
    given = {
        "maturity_days": args.maturity_days,
        "min_train": args.min_train,
        "min_train_buggy": args.min_train_buggy,
        "min_test": args.min_test,
    }
    options = TrainOptions(**{k: v for k, v in given.items() if v is not None})
    records = _mined(history, root, head, options.maturity_days)
    repository = {"name": root.name, "path": str(root), "head": head}
    card = train(records, repository, options)
    output = args.output or own_card_path(root)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_suffix(".partial")
    partial.write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    partial.replace(output)
    dev = card["dev"]
    shipped = dev.get("shipped_card_auroc")
    print(
        f"reviewer: risk card written to {output}: on this repository's newest "
        f"{dev['test']['changes']} labelled changes ({dev['test']['buggy']} later fixed) its "
        f"AUROC is {dev['auroc']:.3f}, lines added's {dev['lines_added_auroc']:.3f}"
        + (f", the shipped card's {shipped:.3f}" if shipped is not None else ""),
        file=sys.stderr,
    )
    if shipped is not None and shipped >= dev["auroc"]:
        print(
            "reviewer: the shipped card does as well on these changes: keep it unless yours "
            "is ahead (bench/results/jit_own_history.md); to use yours anyway, "
            + _use_line(output, root, args.output is None, OWN),
            file=sys.stderr,
        )
    else:
        print(f"reviewer: use it: {_use_line(output, root, args.output is None, OWN)}",
              file=sys.stderr)  # fmt: skip
    return EXIT_OK


def _use_line(output: Path, root: Path, default: bool, own: str) -> str:
    """The config line that makes runs read the card."""
    if default:
        return (
            f'add `[risk] card = "{own}"` to this repository\'s .reviewer.toml '
            "(or to your own config.toml, for every repository you trained)"
        )
    target = output.resolve()
    if target.is_relative_to(root):
        return f'add `[risk] card = "{target.relative_to(root)}"` to .reviewer.toml'
    from reviewer.config import user_config_file

    return (
        f'add `[risk] card = "{target}"` to your own config ({user_config_file()}); '
        "a repository's config may name a card inside the repository only"
    )


def _toplevel(path: Path) -> Path:
    from reviewer.git import open_repo, repo_root

    if not path.is_dir():
        raise ReviewerError(f"not a folder: {path}")
    return repo_root(open_repo(path)).resolve()


def _mined(history: History, root: Path, head: str, maturity_days: float) -> list[JitRecord]:
    """The repository's changes up to `head`, mined once per head commit:
    the cache file is written whole (as `reviewer dataset szz` writes a
    repository's), so a rerun reuses a finished mining and an interrupted
    one is mined again."""
    import platformdirs

    from reviewer.dataset.licenses import detect_license
    from reviewer.jit.mine import JitOptions, mine_changes
    from reviewer.jit.record import read_records, write_records
    from reviewer.risk.configured import own_card_path

    key = own_card_path(root).stem
    cache = Path(platformdirs.user_cache_dir("reviewer")) / "risk-history" / key
    target = cache / f"{head}-{maturity_days:g}d.jsonl"
    if target.is_file():
        print(f"reviewer: {root.name}: mined before at {head[:12]}, reused", file=sys.stderr)
        return list(read_records(target))
    license = detect_license(history) or "unknown"
    records, stats = mine_changes(
        history, root.name, license, JitOptions(clean_age_days=maturity_days),
        lambda text: print(f"reviewer: {text}", file=sys.stderr),
    )  # fmt: skip
    write_records(records, target)
    print(f"reviewer: {root.name}: {stats.buggy} later fixed, {stats.clean} clean, "
          f"{stats.huge} huge dropped", file=sys.stderr)  # fmt: skip
    return list(records)

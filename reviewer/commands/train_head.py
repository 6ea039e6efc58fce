"""`reviewer train DATA...` (`--head` is implied): fit the line scorer's
head on labelled units (features extracted once per unit and cached, so a
stopped run resumes where it was), calibrate it, and write the head with
its card."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from reviewer.dataset.record import Record, eval_only, read_records
from reviewer.errors import EXIT_OK, ReviewerError

CALIBRATION_SHARE = 0.2  # of the repositories (or records) when no --calibrate is given


def run_train_head(args: argparse.Namespace) -> int:
    from reviewer.model.factory import llama_available

    if args.output.is_dir():  # the removed LoRA training wrote into a folder
        raise ReviewerError(f"{args.output} is a folder: -o names the head's file (FILE.npz)")
    if not llama_available():
        raise ReviewerError("training a head needs the model: pip install 'reviewer[model]'")
    records = _read(args.data)
    if args.limit:
        records = records[: args.limit]
    calibration = _read(args.calibrate) if args.calibrate else None
    if calibration is None:
        records, calibration = _split(records)
    if not records or not calibration:
        raise ReviewerError("not enough records to train and calibrate a head")

    from reviewer.model.resolve import resolve_model
    from reviewer.scorer.cache import StatesCache
    from reviewer.scorer.features import FeatureExtractor
    from reviewer.scorer.forward import ForwardModel
    from reviewer.scorer.training import card, prepare, train_head

    location = resolve_model(None, str(args.model_path) if args.model_path else None)
    if location is None:
        raise ReviewerError("no model found: pass --model-path or install 'reviewer[model]'")
    location = location.with_hash()
    extractor = FeatureExtractor(
        ForwardModel(location.path, threads=args.threads), location.sha256 or "", StatesCache()
    )
    cached = args.cached_only
    train = prepare(records, extractor, args.seed, _progress("features (train)"), cached)
    held = prepare(calibration, extractor, args.seed, _progress("features (calibration)"), cached)
    if not train.units or not held.units:
        raise ReviewerError("no units with features to train or calibrate on (--cached-only?)")
    started = time.perf_counter()
    head = train_head(train, held, args.kind, args.seed)
    fitted = time.perf_counter() - started
    sources = {
        "data": [str(path) for path in args.data],
        "calibration_data": str(args.calibrate) if args.calibrate else "held-out repositories",
        "kind": args.kind,
        "seed": args.seed,
        "fit_seconds": round(fitted, 2),
        "cache": f"{extractor.cache.hits} cached, {extractor.cache.misses} extracted"
        if extractor.cache
        else "off",
    }
    head = head.__class__(
        head.kind, head.inputs, head.layers, head.platt, head.threshold,
        {**head.card, **card(head, location.sha256 or "", train, held, sources), "default": False},
    )  # fmt: skip
    head.save(args.output)
    print(json.dumps(head.card, indent=2, sort_keys=True))
    print(f"reviewer: head written to {args.output} (use it: model.head = \"{args.output}\")",
          file=sys.stderr)  # fmt: skip
    return EXIT_OK


def _read(paths: list[Path] | Path) -> list[Record]:
    """The records of `paths`, less those of evaluation-only benchmarks."""
    records: list[Record] = []
    for path in [paths] if isinstance(paths, Path) else paths:
        if not path.is_file():
            raise ReviewerError(f"data file not found: {path}")
        records.extend(read_records(path))
    kept = [record for record in records if not eval_only(record.repo)]
    if len(kept) < len(records):
        left = sorted({record.repo for record in records if eval_only(record.repo)})
        print(f"reviewer: {len(records) - len(kept)} records of evaluation-only benchmarks "
              f"left out ({', '.join(left)})", file=sys.stderr)  # fmt: skip
    return kept


def _split(records: list[Record]) -> tuple[list[Record], list[Record]]:
    """Hold out whole repositories for calibration; with one repository (a
    team's own history), a stable fifth of its records."""
    repos = sorted({r.repo for r in records})
    if len(repos) >= 3:
        ranked = sorted(repos, key=lambda repo: hashlib.sha256(repo.encode()).hexdigest())
        held = set(ranked[: max(1, round(len(repos) * CALIBRATION_SHARE))])
        return [r for r in records if r.repo not in held], [r for r in records if r.repo in held]

    def bucket(record: Record) -> float:
        return int(hashlib.sha256(record.id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF

    return (
        [r for r in records if bucket(r) >= CALIBRATION_SHARE],
        [r for r in records if bucket(r) < CALIBRATION_SHARE],
    )


def _progress(what: str) -> Callable[[int, int], None]:
    """Units done, rate and time left: a live line on a terminal, a line
    every 25 units in a log."""
    tty = sys.stderr.isatty()
    started = time.monotonic()

    def show(done: int, total: int) -> None:
        elapsed = time.monotonic() - started
        left = elapsed / done * (total - done) if done else 0.0
        rate = elapsed / max(done, 1)
        line = f"{what}: {done}/{total} units, {rate:.2f} s/unit, ETA {left:.0f} s"
        if tty:
            print(f"\r{line}", end="" if done < total else "\n", file=sys.stderr, flush=True)
        elif done % 25 == 0 or done == total:
            print(line, file=sys.stderr, flush=True)

    return show

"""`reviewer dataset mine|mutate|dedupe|split`: write review data as JSONL."""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

from reviewer.dataset.record import Record, read_records, split_by_repo, write_records
from reviewer.errors import EXIT_OK, ReviewerError


def run_dataset(args: argparse.Namespace) -> int:
    if args.dataset_command == "mine":
        records = _mine(args)
    elif args.dataset_command == "mutate":
        records = _mutate(args)
    elif args.dataset_command == "szz":
        from reviewer.commands.szz import run_szz

        return run_szz(args)
    elif args.dataset_command == "dedupe":
        records = _dedupe(args)
    else:
        return _split(args)
    count = write_records(records, args.output)
    print(
        f"reviewer: {count} records{f' -> {args.output}' if args.output else ''}", file=sys.stderr
    )
    return EXIT_OK


def _mine(args: argparse.Namespace) -> list[Record]:
    from reviewer.dataset.licenses import detect_license, is_permissive
    from reviewer.dataset.mine import MineOptions, Source, mine, repo_name
    from reviewer.git import History

    if args.name and len(args.repos) > 1:
        raise ReviewerError("--name names one repository; give one REPO with it")
    options = MineOptions(
        max_commits=args.max_commits,
        max_fixes=args.max_fixes,
        min_age_days=args.min_age_days,
        min_later_commits=args.min_later_commits,
        seed=args.seed,
    )
    records: list[Record] = []
    for path in args.repos:
        history = History(_git_dir(path))
        license = args.license or detect_license(history)
        if license is None:
            raise ReviewerError(f"{path}: no licence file found; say which with --license SPDX")
        if not is_permissive(license) and not args.any_license:
            raise ReviewerError(
                f"{path}: licence {license} is not permissive; --any-license to mine it anyway"
            )
        source = Source(history, args.name or repo_name(path), license)
        found = mine(source, options, progress=lambda text: print(text, file=sys.stderr))
        print(f"reviewer: {source.repo} ({license}): {len(found)} records", file=sys.stderr)
        records.extend(found)
    return records


def _git_dir(path: Path) -> Path:
    """A mirror folder may hold its bare repository in `repo/`."""
    return path / "repo" if (path / "repo" / "HEAD").is_file() else path


def _mutate(args: argparse.Namespace) -> list[Record]:
    from reviewer.dataset.mutate import mutate_units, units_from_paths

    for path in args.paths:
        if not path.exists():
            raise ReviewerError(f"not found: {path}")
    units = units_from_paths(args.paths, repo=args.repo, license=args.license)
    if args.limit:
        units = itertools.islice(units, args.limit)
    return list(mutate_units(units, seed=args.seed))


def _dedupe(args: argparse.Namespace) -> list[Record]:
    from reviewer.dataset.dedupe import dedupe

    for path in [*args.data, *args.against]:
        if not path.is_file():
            raise ReviewerError(f"not found: {path}")
    records = itertools.chain.from_iterable(read_records(path) for path in args.data)
    known = itertools.chain.from_iterable(read_records(path) for path in args.against)
    kept, counts = dedupe(records, known)
    print(
        f"reviewer: kept {counts.kept}; dropped {counts.known} already in --against, "
        f"{counts.repeated} repeated",
        file=sys.stderr,
    )
    return kept


def _split(args: argparse.Namespace) -> int:
    holdout = {name.strip() for name in args.holdout.split(",") if name.strip()}
    train, held = split_by_repo(read_records(Path(args.data)), holdout)
    write_records(train, args.train)
    write_records(held, args.dev)
    print(f"reviewer: {len(train)} train, {len(held)} held out", file=sys.stderr)
    return EXIT_OK

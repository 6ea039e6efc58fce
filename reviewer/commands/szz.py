"""`reviewer dataset szz`: one JSONL of changes per repository, resumable."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict

from reviewer.errors import EXIT_OK, GitError, ReviewerError


def run_szz(args: argparse.Namespace) -> int:
    from reviewer.dataset.licenses import detect_license, is_permissive
    from reviewer.dataset.mine import repo_name
    from reviewer.git import History
    from reviewer.jit.mine import JitOptions, mine_changes
    from reviewer.jit.record import write_records

    options = JitOptions(max_lines=args.max_lines, max_files=args.max_files)
    for path in args.repos:
        name = repo_name(path)
        target = args.output_dir / f"{name.replace('/', '+')}.jsonl"
        if target.exists():
            print(f"reviewer: {name}: done before, skipped", file=sys.stderr)
            continue
        # a mirror folder may hold its bare repository in `repo/`
        history = History(path / "repo" if (path / "repo" / "HEAD").is_file() else path)
        license = args.license or detect_license(history)
        if license is None or not is_permissive(license):
            raise ReviewerError(f"{path}: licence {license or 'unknown'} is not permissive")
        started = time.monotonic()
        try:
            records, stats = mine_changes(
                history, name, license, options, lambda text: print(text, file=sys.stderr)
            )
        except GitError as error:  # one broken snapshot does not stop the others
            print(f"reviewer: {name}: skipped: {error}", file=sys.stderr)
            continue
        stats.extra["seconds"] = round(time.monotonic() - started, 1)
        # The stats first: the records' file marks the repository done.
        stats_file = target.with_suffix(".stats.json")
        stats_file.parent.mkdir(parents=True, exist_ok=True)
        stats_file.write_text(json.dumps({"repo": name, "license": license, **asdict(stats)}))
        write_records(records, target)
        print(
            f"reviewer: {name} ({license}): {stats.buggy} buggy, {stats.clean} clean, "
            f"{stats.huge} huge dropped, {stats.extra['seconds']} s -> {target}",
            file=sys.stderr,
        )
    return EXIT_OK

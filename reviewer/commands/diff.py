"""`reviewer diff`: review a change set and print the report."""

from __future__ import annotations

import argparse
import shutil
import sys

from reviewer.commands.common import active_baseline, open_workspace
from reviewer.engine import review
from reviewer.errors import EXIT_FINDINGS, EXIT_OK, ReviewerError
from reviewer.formatters import FORMATTERS, OutputOptions
from reviewer.output import write_report


def run_diff(args: argparse.Namespace) -> int:
    if args.head and not args.base:
        raise ReviewerError("--head needs --base (the pull-request view is --base REV --head REV)")
    workspace = open_workspace(args)
    reader, config = workspace.reader, workspace.config
    if args.staged:
        change_set = reader.staged(args.paths)
    elif args.base:
        change_set = reader.between(args.base, args.head or "HEAD", args.paths)
    else:
        change_set = reader.working_tree(args.paths, untracked=config.untracked)
    baseline = active_baseline(workspace.root, config, args.no_baseline)
    report = review(change_set, config, baseline=baseline)
    to_terminal = args.output is None and sys.stdout.isatty()
    options = OutputOptions(
        color=args.color if args.color is not None else to_terminal and _color_allowed(),
        width=args.width or (shutil.get_terminal_size().columns if to_terminal else 100),
    )
    write_report(FORMATTERS[args.format](report, options), report, args.output)
    return EXIT_FINDINGS if report.failed else EXIT_OK


def _color_allowed() -> bool:
    import os

    return "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"

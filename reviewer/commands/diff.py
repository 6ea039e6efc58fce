"""`reviewer diff`: review a change set and print the report."""

from __future__ import annotations

import argparse
import os
import shutil
import sys

from reviewer.config_files import find_config_file
from reviewer.errors import EXIT_FINDINGS, EXIT_OK, ReviewerError
from reviewer.findings import Severity
from reviewer.formatters import FORMATTERS, OutputOptions
from reviewer.output import write_report
from reviewer.quickcheck import clean_repository_root
from reviewer.report import Report


def run_diff(args: argparse.Namespace) -> int:
    if args.head and not args.base:
        raise ReviewerError("--head needs --base (the pull-request view is --base REV --head REV)")
    report = _nothing_to_review(args) or _review(args)
    to_terminal = args.output is None and sys.stdout.isatty()
    options = OutputOptions(
        color=args.color if args.color is not None else to_terminal and _color_allowed(),
        width=args.width or (shutil.get_terminal_size().columns if to_terminal else 100),
    )
    write_report(FORMATTERS[args.format](report, options), report, args.output)
    return EXIT_FINDINGS if report.failed else EXIT_OK


def _review(args: argparse.Namespace) -> Report:
    # Imported here: GitPython, pydantic and tree-sitter are what an empty
    # review (below) does without.
    from reviewer.baseline import active_baseline
    from reviewer.commands.common import open_workspace, review_with_tiers

    workspace = open_workspace(args)
    reader, config = workspace.reader, workspace.config
    if args.staged:
        change_set = reader.staged(args.paths)
    elif args.base:
        change_set = reader.between(args.base, args.head or "HEAD", args.paths)
    else:
        change_set = reader.working_tree(args.paths, untracked=config.untracked)
    baseline = active_baseline(workspace.root, config, args.no_baseline)
    return review_with_tiers(
        workspace,
        change_set,
        baseline,
        model=getattr(args, "model", None),
        model_path=getattr(args, "model_path", None),
        no_adapter=getattr(args, "no_adapter", False),
    )


def _nothing_to_review(args: argparse.Namespace) -> Report | None:
    """The empty report, when git says nothing changed and no config file
    could change that answer; None sends the run down the full path."""
    if args.base or args.config:
        return None
    root = clean_repository_root(args.paths, untracked=args.untracked is not False)
    if root is None or find_config_file(root) is not None:
        return None
    description = "staged vs HEAD" if args.staged else "work tree vs HEAD"
    return Report(description, root, (), args.fail_level or Severity.ERROR)


def _color_allowed() -> bool:
    return "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"

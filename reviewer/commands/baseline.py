"""`reviewer baseline`: accept today's findings so that only new ones show."""

from __future__ import annotations

import argparse
from pathlib import Path

from reviewer.baseline import baseline_path, write_baseline
from reviewer.commands.common import open_workspace
from reviewer.engine import review
from reviewer.errors import EXIT_OK


def run_baseline(args: argparse.Namespace) -> int:
    workspace = open_workspace(args)
    # Every line of every tracked file, not just a diff: the point is to
    # accept the legacy code as it stands.
    config = workspace.config.model_copy(update={"filter_mode": "file", "max_findings": None})
    report = review(workspace.reader.tracked_files(args.paths), config)
    target = Path(args.output) if args.output else baseline_path(workspace.root, config)
    count = write_baseline(target, report.findings)
    print(f"reviewer: recorded {count} findings from {report.files_reviewed} files in {target}")
    return EXIT_OK

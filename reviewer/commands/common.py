"""What the review commands share: flags to config, and the tiers to review with."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer.config_files import CONFIG_FILE, ignored_config_file
from reviewer.diff import ChangeSet
from reviewer.report import Report
from reviewer.workspace import Workspace

if TYPE_CHECKING:
    from reviewer.config import RepositoryTrust


def config_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The config keys that flags set (flags not given leave the file's value)."""
    pairs = {
        "fail_level": getattr(args, "fail_level", None),
        "min_severity": getattr(args, "min_severity", None),
        "max_findings": getattr(args, "max_findings", None),
        "filter_mode": getattr(args, "filter_mode", None),
        "untracked": getattr(args, "untracked", None),
        "baseline": getattr(args, "baseline", None),
    }
    overrides = {key: value for key, value in pairs.items() if value is not None}
    if args.exclude:
        overrides["exclude"] = tuple(args.exclude)
    if args.disable:
        overrides["disable"] = tuple(args.disable)
    return overrides


def open_workspace(
    args: argparse.Namespace, repository_trust: RepositoryTrust = "recorded"
) -> Workspace:
    workspace = Workspace.open(
        args.config, config_overrides(args), repository_trust=repository_trust
    )
    if not args.config:
        _say_which_config(workspace.root)
    return workspace


def _say_which_config(root: Path) -> None:
    """A config in both places: say once which one is read."""
    shadowed = ignored_config_file(root)
    if shadowed is not None:
        print(
            f"reviewer: {shadowed}: [tool.reviewer] is ignored, {CONFIG_FILE} is read instead "
            "(keep one of them)",
            file=sys.stderr,
        )


def review_with_tiers(
    workspace: Workspace,
    change_set: ChangeSet,
    baseline: frozenset[str],
    *,
    model: bool | None,
    model_path: str | None = None,
    no_adapter: bool = False,
) -> Report:
    """The engine over `change_set` with the structural tier and, as
    `model` and the config ask, the model tier (progress on a terminal)."""
    from reviewer.engine import StructuralChecks, review
    from reviewer.scorer.assemble import build_model_tier, wanted
    from reviewer.split import review_structural

    config = workspace.config
    if wanted(config.model, model) is False:
        return review_structural(change_set, config, baseline=baseline)
    # Said only when the model could run: off, the ignored settings change nothing.
    trust_notices = list(workspace.notices)
    from reviewer.commands.model import (
        expected_units,
        unit_progress,
        with_change_history,
        with_history,
    )

    with unit_progress(lambda: expected_units(change_set, config)) as on_unit:
        tier, notices = build_model_tier(
            config,
            flag=model,
            model_path=model_path,
            on_unit=on_unit,
            root=workspace.root,
            no_adapter=no_adapter,
        )
        notices = [*trust_notices, *notices]
        if tier is None:
            return review_structural(change_set, config, baseline=baseline, notes=notices)
        try:
            return review(
                change_set,
                config,
                baseline=baseline,
                producers=(StructuralChecks(), tier),
                notes=notices,
                recent=with_history(tier, change_set),
                history=with_change_history(tier, change_set),
            )
        finally:
            tier.close()

"""What the review commands share: opening the repository and loading config."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from reviewer.baseline import load_baseline
from reviewer.cli import config_overrides, resolve_path
from reviewer.config import Config, load_config
from reviewer.config_files import CONFIG_FILE, DEFAULT_BASELINE, ignored_config_file
from reviewer.diff import ChangeSet
from reviewer.git import ChangeReader, open_repo, repo_root
from reviewer.report import Report


@dataclass(frozen=True)
class Workspace:
    root: Path
    config: Config
    reader: ChangeReader


def open_workspace(args: argparse.Namespace) -> Workspace:
    repo = open_repo(".")
    root = repo_root(repo)
    overrides = config_overrides(args)
    _say_which_config(root, resolve_path(args.config))
    file_config = load_config(root, resolve_path(args.config))
    # Lists given on the command line add to the file's lists; scalars replace.
    for key in ("exclude", "disable"):
        if key in overrides:
            overrides[key] = (*getattr(file_config, key), *overrides[key])
    config = load_config(root, resolve_path(args.config), overrides) if overrides else file_config
    return Workspace(root, config, ChangeReader(repo, max_bytes=config.max_file_bytes))


def _say_which_config(root: Path, explicit: Path | None) -> None:
    """A config in both places: say once which one is read."""
    shadowed = None if explicit else ignored_config_file(root)
    if shadowed is not None:
        print(
            f"reviewer: {shadowed}: [tool.reviewer] is ignored, {CONFIG_FILE} is read instead "
            "(keep one of them)",
            file=sys.stderr,
        )


def baseline_path(root: Path, config: Config) -> Path:
    return root / (config.baseline or DEFAULT_BASELINE)


def active_baseline(root: Path, config: Config, disabled: bool) -> frozenset[str]:
    """The fingerprints to hide: the configured baseline (which must exist), or
    the default file when present."""
    if disabled:
        return frozenset()
    path = baseline_path(root, config)
    if config.baseline is None and not path.is_file():
        return frozenset()
    return load_baseline(path)


def review_with_tiers(
    workspace: Workspace,
    change_set: ChangeSet,
    baseline: frozenset[str],
    *,
    model: bool | None,
    model_path: str | None = None,
    adapter: bool = True,
) -> Report:
    """The engine over `change_set` with the structural tier and, as
    `model` and the config ask, the model tier (progress on a terminal)."""
    from reviewer.engine import StructuralChecks, review
    from reviewer.model.factory import build_model_tier, wanted

    config = workspace.config
    if wanted(config.model, model) is False:
        return review(change_set, config, baseline=baseline)
    from reviewer.commands.model import unit_progress

    with unit_progress() as on_unit:
        tier, notices = build_model_tier(
            config,
            flag=model,
            model_path=model_path,
            on_unit=on_unit,
            root=workspace.root,
            adapter_enabled=adapter,
        )
        if tier is None:
            return review(change_set, config, baseline=baseline, notes=notices)
        try:
            return review(
                change_set,
                config,
                baseline=baseline,
                producers=(StructuralChecks(), tier),
                notes=notices,
            )
        finally:
            tier.backend.close()

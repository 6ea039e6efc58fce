"""`reviewer model info|pull`, and the progress display of a model review."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.config import Config, ModelConfig
from reviewer.diff import ChangeSet
from reviewer.errors import EXIT_OK, ReviewerError
from reviewer.syntax import ReviewUnit

if TYPE_CHECKING:  # numpy loads only when the model runs
    from reviewer.config import LoadedConfig
    from reviewer.model.resolve import ModelLocation
    from reviewer.risk import ChangeFacts
    from reviewer.scorer.tier import ScoringTier, UnitCallback


def run_model(args: argparse.Namespace) -> int:
    if args.model_command == "pull":
        from reviewer.model.resolve import pull

        location = pull()
        print(f"model: {location.path} ({location.size:,} bytes, sha256 {location.sha256})")
        return EXIT_OK
    return _info(args)


def _info(args: argparse.Namespace) -> int:
    from reviewer.config import load_sources
    from reviewer.model.factory import llama_available
    from reviewer.model.resolve import resolve_model

    explicit = Path(args.config).resolve() if args.config else None
    root = _repository_root()
    loaded = load_sources(root, explicit)
    settings = loaded.config.model
    rows: list[tuple[str, str]] = [("backend", settings.backend), ("enabled", settings.enabled)]
    rows += _trust_rows(loaded)
    rows += _risk_card_rows(loaded.config.risk.card, root)
    if settings.backend == "openai":
        rows += _server_rows(settings)
        rows += _server_scoring_rows(settings, root)
    else:
        location = resolve_model(settings.path, args.model_path, root=root)
        if location is None:
            rows.append(("model", "none installed (pip install 'reviewer[model]')"))
        else:
            location = location.with_hash()
            rows += [
                ("model", str(location.path)),
                ("origin", location.origin),
                ("size", f"{location.size:,} bytes"),
                ("sha256", location.sha256 or ""),
                ("head", _head_row(settings.head, location, root)),
                *_default_rows(settings.head, location, root),
            ]
        rows.append(("runtime", "llama-cpp-python" if llama_available() else "not installed"))
    width = max(len(key) for key, _ in rows)
    for key, value in rows:
        print(f"{key + ':':<{width + 1}} {value}")
    return EXIT_OK


def _repository_root() -> Path:
    """The repository around the current directory, else the directory."""
    from reviewer.git import open_repo, repo_root

    try:
        return repo_root(open_repo("."))
    except ReviewerError:
        return Path.cwd()


def _trust_rows(loaded: LoadedConfig) -> list[tuple[str, str]]:
    """Whether the repository's config is trusted, and where each guarded
    setting comes from (SECURITY.md)."""
    rows: list[tuple[str, str]] = []
    if loaded.repository_file is not None:
        verdict = (
            "trusted (reviewer trust)"
            if loaded.trusted
            else "not trusted: its model server, key and file settings are ignored (reviewer trust)"
        )
        rows.append(("repository", f"{loaded.repository_file.parent}: {verdict}"))
    if loaded.ignored:
        rows.append(("ignored", f"{', '.join(loaded.ignored)} (from {loaded.repository_file})"))
    for key, origin in sorted(loaded.origins.items()):
        rows.append((key, f"from {origin}"))
    return rows


def _head_row(configured: str | None, location: ModelLocation, root: Path) -> str:
    """Which scoring head the model would use, and whether it runs by default."""
    from reviewer.model.factory import llama_available

    if not llama_available():  # the scorer's numpy comes with the model extra too
        return "needs the model extra (pip install 'reviewer[model]')"
    from reviewer.scorer.build import choose_head, shipped_head_is_default

    path = choose_head(configured, location, root)
    if path is None:
        return "none (" + ("turned off" if configured == "none" else "none fits this model") + ")"
    if configured:
        return f"{path} (configured)"
    verdict = "on by default" if shipped_head_is_default(path) else "off by default: --model"
    return f"{path} (shipped, {verdict})"


def _risk_card_rows(configured: str | None, root: Path) -> list[tuple[str, str]]:
    """The risk card the config (or $REVIEWER_RISK_CARD) names, with its own
    measured numbers, or why the shipped card scores instead."""
    from reviewer.risk.configured import card_path, learned_card
    from reviewer.risk.lines_added import RiskCardError

    path = card_path(configured, root)
    if path is None:
        return []
    try:
        learned, notices = learned_card(configured, root)
    except RiskCardError as error:
        return [("risk card", f"{path}: {error}")]
    if notices:
        return [("risk card", notices[0])]
    dev = learned.card.get("dev")
    numbers = ""
    if isinstance(dev, dict) and all(
        isinstance(dev.get(k), int | float) for k in ("auroc", "lines_added_auroc")
    ):
        numbers = f"; AUROC on dev {dev['auroc']:.3f}, lines added {dev['lines_added_auroc']:.3f}"
        if isinstance(dev.get("shipped_card_auroc"), int | float):
            numbers += f", the shipped card {dev['shipped_card_auroc']:.3f}"
    return [("risk card", f"{path} ({learned.name}){numbers}")]


def _default_rows(
    configured: str | None, location: ModelLocation, root: Path
) -> list[tuple[str, str]]:
    """The numbers behind each default, from the cards: whether the change's
    risk is shown without --model, and the severity of flagged lines."""
    import json

    from reviewer.model.factory import llama_available
    from reviewer.risk.choose import risk_info
    from reviewer.risk.defaults import severity_words
    from reviewer.risk.lines_added import RiskCardError

    rows: list[tuple[str, str]] = []
    try:
        rows.append(("risk", risk_info()))
    except RiskCardError as error:
        rows.append(("risk", f"unavailable: {error}"))
    if not llama_available():
        return rows
    from reviewer.scorer.build import choose_head
    from reviewer.scorer.head import card_path

    path = choose_head(configured, location, root)
    try:
        card = json.loads(card_path(path).read_text("utf-8")) if path is not None else None
    except (OSError, ValueError):
        card = None
    if isinstance(card, dict):
        rows.append(("flags", f"flagged lines are {severity_words(card)}"))
    return rows


def _server_rows(settings: ModelConfig) -> list[tuple[str, str]]:
    """What the server says about itself (the model it serves, the response
    format); a server that cannot be reached is one row, not an error."""
    from reviewer.model.factory import build_backend

    try:
        backend = build_backend(settings, model_path=None, required=True)
    except ReviewerError as error:
        return [("url", settings.url or "(not set)"), ("error", str(error))]
    assert backend is not None  # required=True returns a backend or raises
    try:
        return [(key, value) for key, value in backend.describe().items() if key != "backend"]
    finally:
        backend.close()


def expected_units(change_set: ChangeSet, config: Config) -> int:
    """How many units the model tier will score (its budget caps it)."""
    from reviewer.engine import count_units

    return min(count_units(change_set, config), config.model.max_units)


def with_history(tier: ScoringTier, change_set: ChangeSet) -> tuple[ChangeFacts, ...]:
    """The repository's recent changes, when the change's risk is shown
    (they rank it); read from the history behind the change."""
    if tier.scorer.change is None:
        return ()
    from reviewer.risk.recent import recent_changes

    return recent_changes(change_set.root, change_set.base, metrics=True)


def with_change_history(tier: ScoringTier, change_set: ChangeSet) -> dict[str, float] | None:
    """The change's own just-in-time metrics, when a change scorer reads
    them; from the history behind the change (cached per repository)."""
    if tier.scorer.change is None:
        return None
    from reviewer.change_history import change_history

    return change_history(change_set)


@contextmanager
def unit_progress(total: Callable[[], int] | None = None) -> Iterator[UnitCallback | None]:
    """A progress bar of reviewed units with an ETA on stderr, only when
    stderr is a terminal and not in CI. `total` counts the units to come
    (called only when the bar is shown: it parses the change)."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    units = total() if total is not None else 0
    progress = Progress(
        SpinnerColumn(),
        TextColumn("model:"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("units, ETA"),
        TimeRemainingColumn(),
        TimeElapsedColumn(),
        TextColumn("[dim]{task.description}"),
        console=Console(stderr=True),
        transient=True,
    )
    task = progress.add_task("", total=units or None)
    current: list[ReviewUnit] = []

    def on_unit(unit: ReviewUnit) -> None:
        if current:
            progress.advance(task)
        current[:] = [unit]
        progress.update(task, description=f"{unit.path}:{unit.start_line} {unit.symbol or ''}")

    with progress:
        yield on_unit


def _server_scoring_rows(settings: ModelConfig, root: Path) -> list[tuple[str, str]]:
    """The head a server's states go to, and whether the server gives them
    (a probe: one tokenize and one embeddings request)."""
    import importlib.util

    if importlib.util.find_spec("numpy") is None:
        return [("head", "needs the model extra (pip install 'reviewer[model]')")]
    from reviewer.model.openai import OpenAIBackend
    from reviewer.scorer.build import choose_server_head, shipped_head_is_default
    from reviewer.scorer.forward import ForwardError
    from reviewer.scorer.remote import RemoteForwardModel

    path = choose_server_head(settings.head, root)
    if path is None:
        head = "none (" + ("turned off" if settings.head == "none" else "none shipped") + ")"
    elif settings.head:
        head = f"{path} (configured)"
    else:
        verdict = "on by default" if shipped_head_is_default(path) else "off by default: --model"
        head = f"{path} (shipped for the default model, {verdict})"
    try:
        forward = RemoteForwardModel(OpenAIBackend(settings))
        forward.check()
    except (ForwardError, ReviewerError) as error:
        return [("head", head), ("scoring", f"unavailable: {error}")]
    states = f"per-token states on the server ({forward.dimension} wide, no surprisal)"
    return [("head", head), ("scoring", states)]

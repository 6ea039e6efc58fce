"""Build the model tier a run asks for, or say in one notice why there is none."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.config import Config, ModelConfig, removed_adapter_notice, retired_keys_notice
from reviewer.errors import ReviewerError
from reviewer.model.base import Backend

if TYPE_CHECKING:  # numpy and the scorer load only when the model runs
    from reviewer.risk import ChangeScorer
    from reviewer.scorer.tier import FlagCallback, Scorer, ScoringTier, UnitCallback

NOT_INSTALLED = (
    "model: not installed; structural checks only (add it: pip install 'reviewer[model]')"
)


def llama_available() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


ENABLED_ENV = "REVIEWER_MODEL_ENABLED"  # auto|on|off, over the config's `enabled`


def wanted(settings: ModelConfig, flag: bool | None) -> bool | None:
    """True: required; None: if available (auto); False: off. The flag wins,
    then $REVIEWER_MODEL_ENABLED, then the config."""
    if flag is not None:
        return flag
    enabled = os.environ.get(ENABLED_ENV, "").strip().lower() or settings.enabled
    return {"on": True, "off": False}.get(enabled)


def build_backend(
    settings: ModelConfig,
    *,
    model_path: str | None,
    required: bool,
    root: Path | None = None,
) -> Backend | None:
    """The configured backend; None when the model is optional and absent."""
    if settings.backend == "openai":
        try:
            from reviewer.model.openai import OpenAIBackend  # type: ignore[import-not-found,unused-ignore]
        except ImportError as error:
            raise ReviewerError(f"model backend 'openai' is not available: {error}") from None
        backend: Backend = OpenAIBackend(settings)
        return backend
    from reviewer.model.resolve import resolve_model

    if not llama_available():
        if required:
            raise ReviewerError(
                "model requested but llama-cpp-python is not installed "
                "(pip install 'reviewer[model]')"
            )
        return None
    location = resolve_model(settings.path, model_path, root=root)
    if location is None:
        if required:
            raise ReviewerError(
                "model requested but none found: pass --model-path FILE, set model.path, "
                "install 'reviewer[model]' or run `reviewer model pull`"
            )
        return None
    from reviewer.model.llama import LlamaBackend

    return LlamaBackend(settings, location)


def build_model_tier(
    config: Config,
    *,
    flag: bool | None = None,
    model_path: str | None = None,
    on_unit: UnitCallback | None = None,
    on_flag: FlagCallback | None = None,
    root: Path | None = None,
    no_adapter: bool = False,
) -> tuple[ScoringTier | None, list[str]]:
    """The tier (None when the model is off or absent) and notices for the report.
    `no_adapter`: the run was given `--no-adapter` (removed; named in a notice)."""
    scorer, notices = build_scorer(
        config, flag=flag, model_path=model_path, root=root, no_adapter=no_adapter
    )
    if scorer is None:
        return None, notices
    # Only now: the scorer needs numpy, which comes with the model extra.
    from reviewer.scorer.build import tier_for

    return tier_for(scorer, config.model, on_unit=on_unit, on_flag=on_flag), notices


def build_scorer(
    config: Config,
    *,
    flag: bool | None = None,
    model_path: str | None = None,
    root: Path | None = None,
    no_adapter: bool = False,
) -> tuple[Scorer | None, list[str]]:
    """The line scorer (None when the model is off or absent) and notices.

    The tier scores lines with the frozen model and a trained head, so it
    needs the model file in-process; the explaining backend is the
    configured one (in-process llama, or an OpenAI-compatible server)."""
    scorer, notices = _scorer(config, flag=flag, model_path=model_path, root=root)
    retired = [
        retired_keys_notice(config.model),
        removed_adapter_notice(config.model, no_adapter),
    ]
    if scorer is not None:  # they matter only when it runs
        notices = [*notices, *(notice for notice in retired if notice is not None)]
    return scorer, notices


def _scorer(
    config: Config,
    *,
    flag: bool | None,
    model_path: str | None,
    root: Path | None,
) -> tuple[Scorer | None, list[str]]:
    settings = config.model
    mode = wanted(settings, flag)
    if mode is False:
        return None, []
    if model_path is not None and mode is None:
        mode = True  # a path given on the command line is a request for the model
    if settings.backend == "openai":
        return _server_scorer(settings, mode, root)
    from reviewer.model.resolve import ModelCacheError, ModelIntegrityError, resolve_model

    if not llama_available():
        if mode is True:
            raise ReviewerError(
                "model requested but llama-cpp-python is not installed "
                "(pip install 'reviewer[model]')"
            )
        return None, [NOT_INSTALLED]
    try:
        location = resolve_model(settings.path, model_path, root=root)
    except (ModelIntegrityError, ModelCacheError) as error:
        if mode is True:
            raise
        # Damaged chunk packages or a cache that cannot hold the model: the
        # run goes on without it, and says so once.
        return None, [f"model: {error}; structural checks only"]
    if location is None:
        if mode is True:
            raise ReviewerError(
                "model requested but none found: pass --model-path FILE, set model.path, "
                "install 'reviewer[model]' or run `reviewer model pull`"
            )
        return None, [NOT_INSTALLED]
    from reviewer.scorer.build import build_scorer as scorer_for
    from reviewer.scorer.build import choose_head, load_head, shipped_head_is_default

    head_path = choose_head(settings.head, location, root)
    if head_path is None:
        if mode is True and settings.head != "none":
            raise ReviewerError(
                f"no scoring head for the model {location.path.name}: train one with "
                "`reviewer train --head DATA.jsonl` and set model.head"
            )
        return None, [] if settings.head == "none" else [NO_HEAD]
    if mode is None and settings.head is None and not shipped_head_is_default(head_path):
        return None, [OFF_BY_DEFAULT]
    try:
        head = load_head(head_path, location)
        change = _change_scorer(mode)
    except ReviewerError as error:  # a bad head or card: structural, said once
        return None, [f"model: {error}; structural checks only"]
    explain_with = None
    if settings.explain:
        explain_with = build_backend(settings, model_path=model_path, required=False, root=root)
    scorer = scorer_for(settings, location, head, explain_with)
    scorer.change = change
    return scorer, []


def _change_scorer(mode: bool | None) -> ChangeScorer | None:
    from reviewer.risk.choose import change_scorer

    return change_scorer(requested=mode is True)


def _server_scorer(
    settings: ModelConfig, mode: bool | None, root: Path | None
) -> tuple[Scorer | None, list[str]]:
    """The scorer whose pass runs on `settings.url`. A server that cannot
    give per-token states (or cannot be reached) leaves the run to the
    structural checks, with one notice."""
    if importlib.util.find_spec("numpy") is None:
        if mode is True:
            raise ReviewerError("the line scorer needs numpy (pip install 'reviewer[model]')")
        return None, [NOT_INSTALLED]
    from reviewer.model.openai import OpenAIBackend
    from reviewer.scorer.build import (
        build_server_scorer,
        choose_server_head,
        shipped_head_is_default,
    )
    from reviewer.scorer.forward import ForwardError

    head_path = choose_server_head(settings.head, root)
    if head_path is None:
        return None, [] if settings.head == "none" else [NO_HEAD]
    if mode is None and settings.head is None and not shipped_head_is_default(head_path):
        return None, [OFF_BY_DEFAULT]
    client = OpenAIBackend(settings)
    try:
        scorer = build_server_scorer(settings, head_path, client)
        scorer.change = _change_scorer(mode)
    except (ForwardError, ReviewerError) as error:
        return None, [f"model: {error}; structural checks only"]
    return scorer, []


NO_HEAD = (
    "model: no scoring head fits this model; structural checks only "
    "(train one: reviewer train --head DATA.jsonl)"
)
OFF_BY_DEFAULT = (
    "model: off by default (its line scorer does not yet beat simple baselines on real "
    "fixes, see the README); --model turns it on"
)

"""The model tier a run asks for, assembled in one place, or one notice
saying why there is none: whether the model is wanted, its file, the
scoring head that fits it, the backend that explains, and the tier over
them.

Imports run down only: this module reads reviewer.model (backends and
weights), reviewer.scorer (heads, gates, the tier) and reviewer.risk, and
none of them imports it back (tests/scorer/test_assemble.py). numpy and
llama.cpp load only when the model runs, so what needs them is imported
inside the functions."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.config import Config, ModelConfig, removed_adapter_notice, retired_keys_notice
from reviewer.errors import ReviewerError
from reviewer.model.base import Backend
from reviewer.model.factory import build_backend, llama_available

if TYPE_CHECKING:  # numpy and the scorer load only when the model runs
    from reviewer.model.openai import OpenAIBackend
    from reviewer.model.resolve import ModelLocation
    from reviewer.risk import ChangeScorer
    from reviewer.scorer.forward import Pass
    from reviewer.scorer.head import Head
    from reviewer.scorer.tier import FlagCallback, Scorer, ScoringTier, UnitCallback

NOT_INSTALLED = (
    "model: not installed; structural checks only (add it: pip install 'reviewer[model]')"
)

ENABLED_ENV = "REVIEWER_MODEL_ENABLED"  # auto|on|off, over the config's `enabled`


def wanted(settings: ModelConfig, flag: bool | None) -> bool | None:
    """True: required; None: if available (auto); False: off. The flag wins,
    then $REVIEWER_MODEL_ENABLED, then the config."""
    if flag is not None:
        return flag
    enabled = os.environ.get(ENABLED_ENV, "").strip().lower() or settings.enabled
    return {"on": True, "off": False}.get(enabled)


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
        return _server_scorer(config, mode, root)
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
    # Only now: the scorer needs numpy, which comes with the model extra.
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
        change, card_notices = _change_scorer(mode, config, root)
    except ReviewerError as error:  # a bad head or card: structural, said once
        return None, [f"model: {error}; structural checks only"]
    explain_with = None
    if settings.explain:
        explain_with = build_backend(settings, model_path=model_path, required=False, root=root)
    scorer = build_local_scorer(settings, location, head, explain_with)
    scorer.change = change
    return scorer, card_notices


def _change_scorer(
    mode: bool | None, config: Config, root: Path | None
) -> tuple[ChangeScorer | None, list[str]]:
    """The change scorer, from the card `risk.card` names (or the shipped
    one), and the one notice a card that could not be read gives."""
    from reviewer.risk.choose import change_scorer
    from reviewer.risk.configured import learned_card

    learned, notices = learned_card(config.risk.card, root)
    return change_scorer(requested=mode is True, learned=learned), notices


def _server_scorer(
    config: Config, mode: bool | None, root: Path | None
) -> tuple[Scorer | None, list[str]]:
    """The scorer whose pass runs on `settings.url`. A server that cannot
    give per-token states (or cannot be reached) leaves the run to the
    structural checks, with one notice."""
    settings = config.model
    if importlib.util.find_spec("numpy") is None:
        if mode is True:
            raise ReviewerError("the line scorer needs numpy (pip install 'reviewer[model]')")
        return None, [NOT_INSTALLED]
    from reviewer.model.openai import OpenAIBackend
    from reviewer.scorer.build import choose_server_head, shipped_head_is_default
    from reviewer.scorer.forward import ForwardError

    head_path = choose_server_head(settings.head, root)
    if head_path is None:
        return None, [] if settings.head == "none" else [NO_HEAD]
    if mode is None and settings.head is None and not shipped_head_is_default(head_path):
        return None, [OFF_BY_DEFAULT]
    client = OpenAIBackend(settings)
    try:
        scorer = build_server_scorer(settings, head_path, client)
        scorer.change, card_notices = _change_scorer(mode, config, root)
    except (ForwardError, ReviewerError) as error:
        return None, [f"model: {error}; structural checks only"]
    return scorer, card_notices


def build_local_scorer(
    settings: ModelConfig, location: ModelLocation, head: Head, explain_with: Backend | None
) -> Scorer:
    """A scorer whose pass runs in-process on the model file at `location`."""
    from reviewer.scorer.forward import ForwardModel

    forward = ForwardModel(
        location.path, context=min(settings.context, 2048), threads=settings.threads
    )
    return _assemble(settings, forward, location.with_hash().sha256 or "", head, explain_with)


def build_server_scorer(settings: ModelConfig, head_path: Path, client: OpenAIBackend) -> Scorer:
    """A scorer whose pass runs on the server at `settings.url` (which also
    explains). ForwardError when the server gives no per-token states."""
    from reviewer.scorer.head import Head, HeadError
    from reviewer.scorer.remote import RemoteForwardModel

    head = Head.load(head_path)
    forward = RemoteForwardModel(client, limit=min(settings.context, 2048))
    forward.check()
    width = head.inputs.hidden_mean.shape[0] // 2
    if width != forward.dimension:
        raise HeadError(
            f"the scoring head {head_path} reads states {width} wide, the model on "
            f"{client.url} gives {forward.dimension}: set model.head to a head trained "
            "for that model (reviewer train --head)"
        )
    return _assemble(settings, forward, forward.identity, head, client)


def _assemble(
    settings: ModelConfig, forward: Pass, identity: str, head: Head, explain_with: Backend | None
) -> Scorer:
    """A scorer from its pass (states cached under `identity`), its head and
    the backend that explains (when settings.explain)."""
    from reviewer.model.cache import AnswerCache
    from reviewer.scorer.cache import StatesCache
    from reviewer.scorer.explain import Explainer
    from reviewer.scorer.features import FeatureExtractor
    from reviewer.scorer.tier import Scorer

    extractor = FeatureExtractor(forward, identity, StatesCache() if settings.cache else None)
    threshold = settings.threshold if settings.threshold is not None else head.threshold
    explainer = None
    if explain_with is not None and settings.explain:
        explainer = Explainer(explain_with, AnswerCache() if settings.cache else None)
    return Scorer(extractor, head, threshold, explainer)


def tier_for(
    scorer: Scorer,
    settings: ModelConfig,
    *,
    on_unit: UnitCallback | None = None,
    on_flag: FlagCallback | None = None,
) -> ScoringTier:
    """A run's tier (its own budget and notes) over a long-lived scorer."""
    from reviewer.scorer.tier import Limits, ScoringTier

    limits = Limits(settings.max_units, settings.max_seconds)
    return ScoringTier(scorer, limits, on_unit=on_unit, on_flag=on_flag)


NO_HEAD = (
    "model: no scoring head fits this model; structural checks only "
    "(train one: reviewer train --head DATA.jsonl)"
)
OFF_BY_DEFAULT = (
    "model: off by default (its line scorer does not yet beat simple baselines on real "
    "fixes, see the README); --model turns it on"
)

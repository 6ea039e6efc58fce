"""Which scoring head fits a model, and the scoring tier built from it.

The package ships heads in heads/, each with a card naming the model
(sha256) and feature version it was trained for. A configured `model.head`
path wins; `model.head = "none"` turns the scorer off."""

from __future__ import annotations

import json
from pathlib import Path

from reviewer.config import ModelConfig
from reviewer.model.base import Backend
from reviewer.model.cache import AnswerCache
from reviewer.model.openai import OpenAIBackend
from reviewer.model.resolve import DEFAULT_SHA256, ModelLocation
from reviewer.scorer.cache import FEATURE_VERSION, StatesCache
from reviewer.scorer.explain import Explainer
from reviewer.scorer.features import FeatureExtractor
from reviewer.scorer.forward import ForwardModel, Pass
from reviewer.scorer.head import Head, HeadError, card_path
from reviewer.scorer.remote import RemoteForwardModel
from reviewer.scorer.tier import FlagCallback, Limits, Scorer, ScoringTier, UnitCallback

HEADS_DIR = Path(__file__).resolve().parent / "heads"
NO_HEAD = "none"


def shipped_heads() -> list[Path]:
    return sorted(HEADS_DIR.glob("*.npz"))


def shipped_head_for(model_sha256: str) -> Path | None:
    for path in shipped_heads():
        try:
            card = json.loads(card_path(path).read_text("utf-8"))
        except (OSError, ValueError):
            continue
        fits = card.get("model_sha256") == model_sha256
        if fits and card.get("feature_version") == FEATURE_VERSION:
            return path
    return None


def shipped_head_is_default(path: Path) -> bool:
    """The card's verdict: did the head meet its goals on dev (and beat the
    trivial baselines)? Only then does `enabled = "auto"` turn the model on."""
    try:
        card = json.loads(card_path(path).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(card, dict) and card.get("default") is True


def choose_head(configured: str | None, location: ModelLocation, root: Path | None) -> Path | None:
    if configured == NO_HEAD:
        return None
    if configured:
        return _configured(configured, root)
    return shipped_head_for(location.with_hash().sha256 or "")


def choose_server_head(configured: str | None, root: Path | None) -> Path | None:
    """The head for scoring on a server. Its model's file cannot be hashed
    from here: unless `model.head` names one, the server is taken to serve
    the default model and gets the shipped head made for it."""
    if configured == NO_HEAD:
        return None
    if configured:
        return _configured(configured, root)
    return shipped_head_for(DEFAULT_SHA256)


def _configured(configured: str, root: Path | None) -> Path:
    path = Path(configured).expanduser()
    return root / path if root is not None and not path.is_absolute() else path


def load_head(path: Path, location: ModelLocation) -> Head:
    head = Head.load(path)
    made_for = head.card.get("model_sha256")
    sha = location.with_hash().sha256
    if made_for and made_for != sha:
        raise HeadError(
            f"the scoring head {path} was trained on another model ({str(made_for)[:12]}..., "
            f"this one is {str(sha)[:12]}...): train one with `reviewer train --head`"
        )
    return head


def build_scorer(
    settings: ModelConfig, location: ModelLocation, head: Head, explain_with: Backend | None
) -> Scorer:
    forward = ForwardModel(
        location.path, context=min(settings.context, 2048), threads=settings.threads
    )
    return _assemble(settings, forward, location.with_hash().sha256 or "", head, explain_with)


def build_server_scorer(settings: ModelConfig, head_path: Path, client: OpenAIBackend) -> Scorer:
    """A scorer whose pass runs on the server at `settings.url` (which also
    explains). ForwardError when the server gives no per-token states."""
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
    limits = Limits(settings.max_units, settings.max_seconds)
    return ScoringTier(scorer, limits, on_unit=on_unit, on_flag=on_flag)

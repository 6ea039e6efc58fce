"""Which scoring head fits a model (reviewer.scorer.assemble builds the
tier with the one chosen here).

The package ships heads in heads/, each with a card naming the model
(sha256) and feature version it was trained for. A configured `model.head`
path wins; `model.head = "none"` turns the scorer off."""

from __future__ import annotations

import json
from pathlib import Path

from reviewer.model.resolve import DEFAULT_SHA256, ModelLocation
from reviewer.scorer.cache import FEATURE_VERSION
from reviewer.scorer.head import Head, HeadError, card_path

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

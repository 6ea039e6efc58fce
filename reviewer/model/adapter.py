"""Which LoRA adapter the llama backend applies on top of the base model.

The package ships one adapter (trained by `reviewer train`; recipe, data
card and evaluation beside it in adapters/). It fits the default model
only, and is applied by default only when its card says it measured better
than the base model on the dev split (`"default": true`); a configured
`model.adapter` path wins, and `model.adapter = "none"` or `--no-adapter`
turns adapters off."""

from __future__ import annotations

import json
from pathlib import Path

from reviewer.model.resolve import DEFAULT_SHA256, ModelLocation

ADAPTER_DIR = Path(__file__).resolve().parent / "adapters"
SHIPPED = ADAPTER_DIR / "reviewer-lora.gguf"
CARD = ADAPTER_DIR / "reviewer-lora.json"
NO_ADAPTER = "none"


def shipped_adapter() -> Path | None:
    return SHIPPED if SHIPPED.is_file() else None


def shipped_is_default() -> bool:
    """The card's verdict: did the adapter beat the base model on dev?"""
    try:
        card = json.loads(CARD.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(card, dict) and card.get("default") is True


def choose_adapter(
    configured: str | None, location: ModelLocation, root: Path | None, enabled: bool = True
) -> Path | None:
    """The adapter for `location`: the configured one (relative to the
    repository, like model.path), else the shipped one on the default model."""
    if not enabled or configured == NO_ADAPTER:
        return None
    if configured:
        path = Path(configured).expanduser()
        return root / path if root is not None and not path.is_absolute() else path
    if location.sha256 == DEFAULT_SHA256 and shipped_is_default():
        return shipped_adapter()
    return None

"""Which adapter the llama backend gets: configured, shipped or none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.model import adapter
from reviewer.model.adapter import NO_ADAPTER, choose_adapter
from reviewer.model.resolve import DEFAULT_SHA256, DEFAULT_SIZE, ModelLocation

DEFAULT = ModelLocation(Path("default.gguf"), "packages", DEFAULT_SIZE, DEFAULT_SHA256)
OTHER = ModelLocation(Path("other.gguf"), "--model-path", 10, "0" * 64)


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A shipped adapter whose card says it measured better."""
    gguf, card = tmp_path / "reviewer-lora.gguf", tmp_path / "reviewer-lora.json"
    gguf.write_bytes(b"GGUF")
    card.write_text(json.dumps({"default": True}))
    monkeypatch.setattr(adapter, "SHIPPED", gguf)
    monkeypatch.setattr(adapter, "CARD", card)
    return gguf


def test_the_shipped_adapter_goes_on_the_default_model_only(shipped: Path) -> None:
    assert choose_adapter(None, DEFAULT, None) == shipped
    assert choose_adapter(None, OTHER, None) is None  # trained on other weights


def test_no_adapter_turns_it_off_from_flag_or_config(shipped: Path) -> None:
    assert choose_adapter(None, DEFAULT, None, enabled=False) is None
    assert choose_adapter(NO_ADAPTER, DEFAULT, None) is None


def test_a_configured_adapter_is_found_from_the_repository(shipped: Path, tmp_path: Path) -> None:
    assert choose_adapter("team.gguf", OTHER, tmp_path) == tmp_path / "team.gguf"
    assert choose_adapter("/abs/team.gguf", DEFAULT, tmp_path) == Path("/abs/team.gguf")


def test_a_card_that_did_not_beat_the_base_keeps_the_adapter_off(shipped: Path) -> None:
    adapter.CARD.write_text(json.dumps({"default": False}))
    assert choose_adapter(None, DEFAULT, None) is None
    adapter.CARD.write_text("{not json")
    assert choose_adapter(None, DEFAULT, None) is None

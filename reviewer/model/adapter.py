"""The LoRA adapter shipped with the package (trained by `reviewer train`,
recipe and data card beside it), when there is one."""

from __future__ import annotations

from pathlib import Path

ADAPTER_DIR = Path(__file__).resolve().parent / "adapters"
SHIPPED = ADAPTER_DIR / "reviewer-lora.gguf"


def shipped_adapter() -> Path | None:
    return SHIPPED if SHIPPED.is_file() else None

"""Where the workplace's shared data lives (the mined dataset). It is read
in place, never copied into the project; the SARIF schema comes from a test
dependency instead (tests/sarif_schema.py)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def shared_file(*parts: str) -> Path | None:
    """`shared/<parts>` from $REVIEWER_SHARED, ../shared beside the checkout,
    or the workplace's /work/shared, whichever exists first."""
    for base in (os.environ.get("REVIEWER_SHARED"), ROOT.parent / "shared", "/work/shared"):
        if base and Path(base, *parts).is_file():
            return Path(base, *parts)
    return None

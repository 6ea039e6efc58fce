"""Which learned card a run reads: the shipped one, or one the user named
(`[risk] card = "PATH"`, or `"own"`: the card `reviewer train --risk` wrote
for this repository in the user's data directory).

A card is data (JSON), so a repository's config may name one inside the
repository; config.py leaves out one it names outside (guarded.py), as it
does a baseline. A card that is missing, damaged or another scorer's gives
way to the shipped card, with one notice: never a crash."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from reviewer.risk import jit_logistic
from reviewer.risk.jit_logistic import JitLogistic
from reviewer.risk.lines_added import RiskCardError

OWN = "own"  # the card `reviewer train --risk` wrote for this repository
CARD_ENV = "REVIEWER_RISK_CARD"  # the user's own choice, over the config files


def own_card_path(root: Path) -> Path:
    """Where `reviewer train --risk` writes a repository's card by default:
    the user's data directory, keyed by the repository's folder."""
    import platformdirs

    where = root.resolve()
    key = f"{where.name}-{hashlib.sha256(str(where).encode()).hexdigest()[:12]}"
    return Path(platformdirs.user_data_dir("reviewer")) / "risk" / f"{key}.json"


def card_path(configured: str | None, root: Path | None) -> Path | None:
    """The card a run is asked to read (None: the shipped one). The
    environment's REVIEWER_RISK_CARD wins over the config's `risk.card`."""
    value = os.environ.get(CARD_ENV, "").strip() or configured
    if not value:
        return None
    if value == OWN:
        return own_card_path(root or Path.cwd())
    path = Path(value).expanduser()
    return root / path if root is not None and not path.is_absolute() else path


def learned_card(configured: str | None, root: Path | None) -> tuple[JitLogistic, list[str]]:
    """The learned scorer the run uses, and at most one notice. Raises
    RiskCardError only when the shipped card itself is bad."""
    path = card_path(configured, root)
    if path is None:
        return jit_logistic.load(), []
    try:
        return jit_logistic.load(path), []
    except RiskCardError as error:
        reason = str(error)
        if not path.exists():
            reason = f"no card at {path} (train one: reviewer train --risk)"
        return jit_logistic.load(), [f"risk: {reason}; the shipped card scores instead"]

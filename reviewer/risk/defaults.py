"""What is shown by default, decided from the numbers in the cards (and
printed from them by `reviewer model info`):

- the change's risk and "look first at" are shown by default only once the
  change scorer's card records a change-level AUROC on dev at least
  RISK_MARGIN above lines-added-only in the same table; until then only a
  run that asked for the model (--model, `enabled = "on"`) shows them;
- a flagged line is a warning only when the line head's card records that
  its gate's precision on dev is at least GATE_PRECISION; else information."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reviewer.findings import Severity

RISK_MARGIN = 0.05
GATE_PRECISION = 0.5


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def risk_default(card: Mapping[str, Any]) -> tuple[bool, str]:
    """(shown by default, the numbers behind it)."""
    dev = card.get("dev")
    if not isinstance(dev, dict):
        dev = {}
    auroc, baseline = _number(dev.get("auroc")), _number(dev.get("lines_added_auroc"))
    if auroc is None or baseline is None:
        return False, f"change AUROC on dev not measured (needs lines-added + {RISK_MARGIN:g})"
    shown = auroc - baseline >= RISK_MARGIN
    return shown, (
        f"change AUROC on dev {auroc:.3f} vs lines-added {baseline:.3f} "
        f"({'>=' if shown else '<'} +{RISK_MARGIN:g})"
    )


def gate_precision(head_card: Mapping[str, Any]) -> float | None:
    calibration = head_card.get("calibration")
    return _number(calibration.get("gate_precision")) if isinstance(calibration, dict) else None


def line_severity(head_card: Mapping[str, Any]) -> Severity:
    precision = gate_precision(head_card)
    earned = precision is not None and precision >= GATE_PRECISION
    return Severity.WARNING if earned else Severity.INFO


def severity_words(head_card: Mapping[str, Any]) -> str:
    precision = gate_precision(head_card)
    label = line_severity(head_card).label
    measured = "not measured" if precision is None else f"{precision:.0%}"
    return f"{label} (gate precision on dev {measured}; warning needs >= {GATE_PRECISION:.0%})"

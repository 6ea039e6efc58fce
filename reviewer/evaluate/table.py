"""The markdown table `reviewer eval` writes."""

from __future__ import annotations

from collections.abc import Sequence

from reviewer.evaluate.metrics import Summary


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _pp(value: float) -> str:
    return f"{100 * value:+.1f} pp"


HEADER = (
    "| configuration | buggy / clean units | hit@0 | chance@0 | lift@0 | hit@3 | chance@3 "
    "| lift@3 | line precision @0 / @3 | clean units commented | comments / 1k clean lines "
    "| s/unit (mean, p95) |"
)


def markdown(rows: Sequence[tuple[str, Summary]]) -> str:
    lines = [HEADER, "|" + "---|" * HEADER.count(" | ") + "---|"]
    for name, s in rows:
        lines.append(
            f"| {name} | {s.buggy_units} / {s.clean_units} | {_pct(s.hit[0])} "
            f"| {_pct(s.chance[0])} | {_pp(s.lift(0))} | {_pct(s.hit[3])} | {_pct(s.chance[3])} "
            f"| {_pp(s.lift(3))} | {_pct(s.precision[0])} / {_pct(s.precision[3])} "
            f"| {_pct(s.clean_commented)} | {s.clean_per_kloc:.1f} "
            f"| {s.seconds_mean:.2f}, {s.seconds_p95:.2f} |"
        )
    return "\n".join(lines) + "\n"

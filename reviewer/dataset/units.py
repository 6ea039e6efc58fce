"""Cutting mined lines into dataset units: the innermost function (at least
3 lines), else the innermost class, else a window of lines around them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from reviewer.syntax import ParsedFile, Scope, find_scopes

MIN_FUNCTION_LINES = 3
MAX_UNIT_LINES = 120
WINDOW_RADIUS = 15


@dataclass(frozen=True)
class MinedUnit:
    kind: str  # func | class | window (the dataset's unit_kind)
    symbol: str | None
    start: int
    end: int
    lines: tuple[int, ...]  # the mined lines inside it (absolute)


def units_for_lines(parsed: ParsedFile, lines: Iterable[int]) -> list[MinedUnit]:
    """Group `lines` by the unit each belongs to; units over MAX_UNIT_LINES
    are left out."""
    scopes = find_scopes(parsed)
    functions = [s for s in scopes if s.kind == "function" and _size(s) >= MIN_FUNCTION_LINES]
    classes = [s for s in scopes if s.kind == "class" and _size(s) <= MAX_UNIT_LINES]
    grouped: dict[tuple[str, Scope], list[int]] = defaultdict(list)
    loose: list[int] = []
    for line in sorted(set(lines)):
        scope = _innermost(functions, line)
        kind = "func"
        if scope is None:
            scope, kind = _innermost(classes, line), "class"
        if scope is None:
            loose.append(line)
        else:
            grouped[(kind, scope)].append(line)
    units = [
        MinedUnit(kind, scope.name, scope.start_line, scope.end_line, tuple(found))
        for (kind, scope), found in grouped.items()
        if _size(scope) <= MAX_UNIT_LINES
    ]
    total = len(parsed.lines)
    for cluster in _clusters(loose):
        start = max(1, cluster[0] - WINDOW_RADIUS)
        end = min(total, cluster[-1] + WINDOW_RADIUS)
        units.append(MinedUnit("window", None, start, end, tuple(cluster)))
    return sorted(units, key=lambda unit: unit.start)


def unit_text(parsed: ParsedFile, start: int, end: int) -> str:
    return "\n".join(parsed.lines[start - 1 : end])


def find_same_scope(parsed: ParsedFile, symbol: str, kind: str, near: int) -> Scope | None:
    """The scope named `symbol` of the same kind nearest line `near` (the
    unit's counterpart on the other side of a diff)."""
    wanted = "class" if kind == "class" else "function"
    same = [s for s in find_scopes(parsed) if s.name == symbol and s.kind == wanted]
    return min(same, key=lambda s: abs(s.start_line - near), default=None)


def _innermost(scopes: list[Scope], line: int) -> Scope | None:
    holding = [s for s in scopes if s.start_line <= line <= s.end_line]
    return min(holding, key=_size, default=None)


def _size(scope: Scope) -> int:
    return scope.end_line - scope.start_line + 1


def _clusters(lines: list[int]) -> list[list[int]]:
    clusters: list[list[int]] = []
    for line in lines:
        if clusters and line - clusters[-1][-1] <= WINDOW_RADIUS:
            clusters[-1].append(line)
        else:
            clusters.append([line])
    return clusters

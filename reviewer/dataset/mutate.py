"""`reviewer dataset mutate`: synthetic bugs injected into clean code, and as
many clean units left alone, so a model learns both to find and to say nothing.

Inputs are source files, directories, or dataset JSONL files (their clean
units are used). Each unit either gets one mutation (an operator picked at
random among those that apply, then a site) or stays clean; a clean unit's
marked line is a site where a mutation could have gone but did not, so the
marked lines look alike on both sides."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from reviewer.dataset.heuristics import language_of
from reviewer.dataset.operators import Site, sites
from reviewer.dataset.record import Record, read_records
from reviewer.dataset.units import MAX_UNIT_LINES, MIN_FUNCTION_LINES
from reviewer.diff import split_lines
from reviewer.syntax import find_scopes, parse_file


@dataclass(frozen=True)
class CleanUnit:
    """A unit to mutate, with where it came from."""

    repo: str
    license: str
    path: str
    start: int
    text: str
    symbol: str | None
    commit: str = ""
    date: str = ""


def units_from_paths(
    paths: Iterable[Path], repo: str | None = None, license: str = "unknown"
) -> Iterator[CleanUnit]:
    for path in paths:
        if path.suffix == ".jsonl":
            for record in read_records(path):
                if record.kind == "clean":
                    yield CleanUnit(
                        record.repo, record.license, record.path, record.unit_start,
                        record.unit_before, record.symbol, record.commit, record.date,
                    )  # fmt: skip
            continue
        root = path if path.is_dir() else path.parent
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            relative = file.relative_to(root).as_posix() if path.is_dir() else file.name
            if file.is_file() and language_of(relative):
                yield from _file_units(file, relative, repo or root.resolve().name, license)


def _file_units(file: Path, relative: str, repo: str, license: str) -> Iterator[CleanUnit]:
    try:
        source = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return
    parsed = parse_file(relative, source)
    for scope in find_scopes(parsed):
        size = scope.end_line - scope.start_line + 1
        if scope.kind == "function" and MIN_FUNCTION_LINES <= size <= MAX_UNIT_LINES:
            text = "\n".join(parsed.lines[scope.start_line - 1 : scope.end_line])
            yield CleanUnit(repo, license, relative, scope.start_line, text, scope.name)


def mutate_units(units: Iterable[CleanUnit], seed: int = 0) -> Iterator[Record]:
    """One record per unit that has a mutation site: buggy or clean, half each."""
    rng = random.Random(seed)
    seen: set[str] = set()
    for unit in units:
        if unit.text in seen:
            continue
        seen.add(unit.text)
        parsed = parse_file(unit.path, unit.text)
        if parsed.tree is None or parsed.tree.root_node.has_error:
            continue
        found = sites(parsed.tree.root_node, parsed.source)
        if not found:
            continue
        operator = rng.choice(sorted(found))
        site = rng.choice(found[operator])
        if rng.random() < 0.5:
            record = _mutant(unit, site)
            if record is not None:
                yield record
                continue
        yield _clean(unit, site, parsed.source)


def _mutant(unit: CleanUnit, site: Site) -> Record | None:
    source = unit.text.encode("utf-8")
    mutated = source[: site.start] + site.replacement + source[site.end :]
    text = mutated.decode("utf-8", errors="replace")
    reparsed = parse_file(unit.path, text)
    if reparsed.tree is None or reparsed.tree.root_node.has_error:
        return None
    line = mutated.count(b"\n", 0, site.start) + 1
    lines = split_lines(text)
    if line > len(lines) or not lines[line - 1].strip():
        return None
    original = split_lines(unit.text)
    suggestion = None if site.deletes_lines else original[line - 1]
    return _record(unit, site.operator, "fix", text, line, site.message).model_copy(
        update={
            "unit_after": unit.text,
            "fixed_lines": [unit.start + line - 1],
            "fixed_lines_in_unit": [line],
            "category": site.category,
            "suggestion": suggestion,
        }
    )


def _clean(unit: CleanUnit, site: Site, source: bytes) -> Record:
    line = source.count(b"\n", 0, site.start) + 1
    return _record(unit, "clean", "clean", unit.text, line, "")


def _record(unit: CleanUnit, tag: str, kind: str, text: str, line: int, message: str) -> Record:
    count = len(split_lines(text))
    return Record(
        id=f"{unit.repo}:mutation:{unit.path}:{unit.start}:{tag}",
        repo=unit.repo,
        license=unit.license,
        language=language_of(unit.path) or "text",
        path=unit.path,
        commit=unit.commit,
        parent=unit.commit,
        date=unit.date,
        message=message,
        kind="fix" if kind == "fix" else "clean",
        unit_start=unit.start,
        unit_end=unit.start + max(count, 1) - 1,
        unit_before=text,
        unit_after=text,
        fixed_lines=[],
        fixed_lines_in_unit=[],
        changed_lines_in_unit=[line],
        symbol=unit.symbol,
        unit_kind="func",
        origin="mutation",
    )

"""`reviewer dataset mine`: bug-fix units and clean units from a repository's
first-parent history, by the rules of shared/data/README.md.

A fix record is the unit as it was just before a small fix commit, with the
lines the fix changed; a clean record is a unit a small non-fix commit
changed, whose changed lines no later commit touched again."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reviewer.dataset.heuristics import (
    is_clean_message,
    is_comment_or_blank,
    is_fix_message,
    language_of,
)
from reviewer.dataset.lines import (
    new_changed_lines,
    old_changed_lines,
    replacement_for,
    shift_line,
    unified_diff,
)
from reviewer.dataset.record import Record
from reviewer.dataset.units import MinedUnit, find_same_scope, unit_text, units_for_lines
from reviewer.diff import Hunk, hunks_between
from reviewer.git import CommitInfo, FileStat, History
from reviewer.languages import language_for_path
from reviewer.syntax import ParsedFile, parse_file

MESSAGE_CAP = 2000


@dataclass(frozen=True)
class MineOptions:
    max_commits: int | None = None  # newest first
    max_files: int = 3  # source files a commit may touch
    max_fix_lines: int = 20  # numstat added + deleted, source files
    max_clean_lines: int = 40
    max_fixes: int = 600  # per repository, sampled
    clean_per_fix: float = 1.0
    survival_commits: int = 200
    min_later_commits: int = 3  # ... or an age of min_age_days is enough history
    min_age_days: float = 365.0
    seed: int = 0


@dataclass(frozen=True)
class Source:
    """The repository being mined and how records name it."""

    history: History
    repo: str
    license: str


Progress = Callable[[str], None]


def repo_name(path: Path) -> str:
    """`owner+name` mirrors become `owner/name`; otherwise the folder's name."""
    name = path.resolve().name.removesuffix(".git")
    return name.replace("+", "/", 1) if "+" in name else name


def mine(source: Source, options: MineOptions, progress: Progress | None = None) -> list[Record]:
    commits = [c for c in source.history.commits(options.max_commits) if len(c.parents) == 1]
    if not commits:
        return []
    head_date = datetime.fromisoformat(commits[0].date)
    rng = random.Random(options.seed)
    fixes: list[Record] = []
    clean_candidates: list[tuple[CommitInfo, list[FileStat]]] = []
    for commit in commits:
        files = _source_files(commit)
        if not files or len(files) > options.max_files:
            continue
        total = sum((f.added or 0) + (f.deleted or 0) for f in files)
        if is_fix_message(commit.message) and 1 <= total <= options.max_fix_lines:
            fixes.extend(_fix_records(source, commit, files))
        elif is_clean_message(commit.message) and 1 <= total <= options.max_clean_lines:
            clean_candidates.append((commit, files))
    fixes = _dedupe(fixes)
    if len(fixes) > options.max_fixes:
        fixes = sorted(rng.sample(fixes, options.max_fixes), key=lambda r: r.date, reverse=True)
    if progress:
        progress(f"{source.repo}: {len(fixes)} fix units; looking for clean units")
    wanted = round(len(fixes) * options.clean_per_fix)
    rng.shuffle(clean_candidates)
    clean: list[Record] = []
    seen = {r.unit_before for r in fixes}
    for commit, files in clean_candidates:
        if len(clean) >= wanted:
            break
        for record in _clean_records(source, commit, files, options, head_date):
            if record.unit_before not in seen and len(clean) < wanted:
                seen.add(record.unit_before)
                clean.append(record)
    return fixes + clean


def _source_files(commit: CommitInfo) -> list[FileStat]:
    """The commit's mined source files; none when one of them is binary."""
    files = [f for f in commit.files if language_of(f.path)]
    return [] if any(f.added is None for f in files) else files


def _fix_records(source: Source, commit: CommitInfo, files: list[FileStat]) -> list[Record]:
    records = []
    parent = commit.parents[0]
    for stat in files:
        old = source.history.text(parent, stat.path)
        new = source.history.text(commit.sha, stat.path)
        if old is None or new is None:
            continue
        hunks = hunks_between(old, new)
        parsed_old, parsed_new = parse_file(stat.path, old), parse_file(stat.path, new)
        fixed = old_changed_lines(hunks, parsed_old.lines)
        comments = _comments(stat.path)
        for unit in units_for_lines(parsed_old, fixed):
            if all(is_comment_or_blank(parsed_old.lines[n - 1], comments) for n in unit.lines):
                continue
            before = unit_text(parsed_old, unit.start, unit.end)
            after = _after_text(parsed_new, unit, hunks)
            if after == before:
                continue
            in_unit = [n - unit.start + 1 for n in unit.lines]
            records.append(
                _record(
                    source, commit, stat.path, unit, "fix", before, after, unit_diff=(old, new)
                ).model_copy(
                    update={
                        "fixed_lines": list(unit.lines),
                        "fixed_lines_in_unit": in_unit,
                        "changed_lines_in_unit": in_unit,
                        "category": "bug",
                        "suggestion": replacement_for(before, after, in_unit[0]),
                    }
                )
            )
    return records


def _clean_records(
    source: Source,
    commit: CommitInfo,
    files: list[FileStat],
    options: MineOptions,
    head_date: datetime,
) -> list[Record]:
    records = []
    age_days = (head_date - datetime.fromisoformat(commit.date)).total_seconds() / 86400
    for stat in files:
        new = source.history.text(commit.sha, stat.path)
        if new is None:
            continue
        old = source.history.text(commit.parents[0], stat.path)
        parsed = parse_file(stat.path, new)
        changed = new_changed_lines(hunks_between(old, new), parsed.lines)
        units = units_for_lines(parsed, changed)
        if not units:
            continue
        later = source.history.later_hunks(commit.sha, stat.path, options.survival_commits)
        if len(later) < options.min_later_commits and age_days < options.min_age_days:
            continue  # too little later history to call anything clean
        for unit in units:
            if not _survives(unit.lines, [hunks for _, hunks in later]):
                continue
            text = unit_text(parsed, unit.start, unit.end)
            in_unit = [n - unit.start + 1 for n in unit.lines]
            records.append(
                _record(source, commit, stat.path, unit, "clean", text, text, (old, new))
                .model_copy(update={"changed_lines_in_unit": in_unit})
            )  # fmt: skip
    return records


def _survives(lines: tuple[int, ...], later: list[tuple[Hunk, ...]]) -> bool:
    """No later diff removed or modified any of `lines` (traced forward)."""
    tracked: list[int] = list(lines)
    for hunks in later:
        if not hunks:
            return True  # the file was deleted: nothing rewrote the lines before
        moved = [shift_line(hunks, n) for n in tracked]
        if any(n is None for n in moved):
            return False
        tracked = [n for n in moved if n is not None]
    return True


def _after_text(parsed_new: ParsedFile, unit: MinedUnit, hunks: tuple[Hunk, ...]) -> str | None:
    """The unit's counterpart in the fixed version (None when not found)."""
    if unit.symbol is not None:
        start = shift_line(hunks, unit.start) or unit.start
        scope = find_same_scope(parsed_new, unit.symbol, unit.kind, start)
        if scope is None:
            return None
        return unit_text(parsed_new, scope.start_line, scope.end_line)
    start = _nearest_shift(hunks, unit.start, 1)
    end = _nearest_shift(hunks, unit.end, -1)
    return unit_text(parsed_new, start, max(start, end))


def _nearest_shift(hunks: tuple[Hunk, ...], line: int, step: int) -> int:
    """A window edge mapped through the diff, moving inward past changed lines."""
    for candidate in range(line, line + 50 * step, step):
        moved = shift_line(hunks, candidate)
        if moved is not None:
            return moved
    return line


def _record(
    source: Source,
    commit: CommitInfo,
    path: str,
    unit: MinedUnit,
    kind: str,
    before: str,
    after: str | None,
    unit_diff: tuple[str | None, str],
) -> Record:
    return Record(
        id=f"{source.repo}:{commit.sha[:12]}:{path}:{unit.start}",
        repo=source.repo,
        license=source.license,
        language=language_of(path) or "text",
        path=path,
        commit=commit.sha,
        parent=commit.parents[0],
        date=commit.date,
        message=commit.message[:MESSAGE_CAP],
        kind="fix" if kind == "fix" else "clean",
        unit_start=unit.start,
        unit_end=unit.end,
        unit_before=before,
        unit_after=after,
        fixed_lines=[],
        fixed_lines_in_unit=[],
        changed_lines_in_unit=[],
        symbol=unit.symbol,
        diff=unified_diff(path, *unit_diff),
        unit_kind=unit.kind,
    )


def _comments(path: str) -> tuple[str, ...]:
    spec = language_for_path(path)
    return spec.comments if spec else ("#", "//")


def _dedupe(records: list[Record]) -> list[Record]:
    seen: set[str] = set()
    kept = []
    for record in records:
        if record.unit_before not in seen:
            seen.add(record.unit_before)
            kept.append(record)
    return kept

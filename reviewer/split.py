"""A structural review of a change in several languages, split across two
processes by language.

Compiling a language's checks costs 30-250 ms (py-tree-sitter holds the GIL
while it does, so threads cannot share it out), and each process compiles
only its own languages' queries. The second process is forked once the
change set is read; the two reports merge into exactly the report one
process would write (tested): files are disjoint, so only the cap is global,
and the global top N of the union is the top N of the two capped halves.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from reviewer.config import Config
from reviewer.diff import ChangeSet, FileChange
from reviewer.engine import review
from reviewer.filter import cap
from reviewer.languages import language_for_path
from reviewer.report import Report

# Below this much new text, a second process costs more than it saves.
SPLIT_MIN_BYTES = 64_000
# What a language's query compilation weighs against its files' bytes.
LANGUAGE_WEIGHT = 150_000


def review_structural(
    change_set: ChangeSet,
    config: Config,
    *,
    baseline: frozenset[str] = frozenset(),
    notes: Sequence[str] = (),
) -> Report:
    """`engine.review` with the structural tier, in two processes when the
    change is large and spans languages."""
    halves = _halves(change_set)
    if halves is None:
        return review(change_set, config, baseline=baseline, notes=notes)
    mine, theirs = halves
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        pending = pool.apply_async(review, (theirs, config), {"baseline": baseline})
        first = review(mine, config, baseline=baseline, notes=notes)
        second = pending.get()
    return merge(first, second, change_set, config)


def merge(first: Report, second: Report, whole: ChangeSet, config: Config) -> Report:
    """One report from the reviews of two halves of `whole` (the second
    reviewed without the change set's notes and skipped files)."""
    hidden: Counter[str] = Counter(first.hidden)
    hidden.update(second.hidden)
    both = sorted((*first.findings, *second.findings), key=lambda f: f.sort_key)
    findings = cap(both, config.max_findings, hidden)
    order = [change.path for change in whole.files]
    sources = {**first.sources, **second.sources}
    added = {**first.added_lines, **second.added_lines}
    return replace(
        first,
        findings=tuple(findings),
        files_reviewed=first.files_reviewed + second.files_reviewed,
        units_reviewed=first.units_reviewed + second.units_reviewed,
        skipped=tuple(sorted((*first.skipped, *second.skipped), key=lambda s: s.path)),
        hidden=dict(sorted(hidden.items())),
        notes=(*first.notes, *second.notes),
        sources={path: sources[path] for path in order if path in sources},
        added_lines={path: added[path] for path in order if path in added},
    )


def _halves(change_set: ChangeSet) -> tuple[ChangeSet, ChangeSet] | None:
    """Two change sets with no language in both, balanced by weight; None
    when the change is small, in one language, or has per-file notes (their
    order in the report follows the files')."""
    files = change_set.files
    if sum(len(change.new_text) for change in files) < SPLIT_MIN_BYTES:
        return None
    if any(change.notes for change in files):
        return None
    by_language: dict[str, list[FileChange]] = {}
    for change in files:
        spec = language_for_path(change.path)
        by_language.setdefault(spec.name if spec else "", []).append(change)
    if len([name for name in by_language if name]) < 2:
        return None
    weights = {
        name: sum(len(c.new_text) for c in changes) + (LANGUAGE_WEIGHT if name else 0)
        for name, changes in by_language.items()
    }
    groups: tuple[set[str], set[str]] = (set(), set())
    loads = [0, 0]
    for name in sorted(weights, key=lambda n: (-weights[n], n)):
        lighter = 0 if loads[0] <= loads[1] else 1
        groups[lighter].add(name)
        loads[lighter] += weights[name]

    def part(names: set[str]) -> tuple[FileChange, ...]:
        return tuple(c for name in names for c in by_language[name])

    order = {change.path: index for index, change in enumerate(files)}
    mine = tuple(sorted(part(groups[0]), key=lambda c: order[c.path]))
    theirs = tuple(sorted(part(groups[1]), key=lambda c: order[c.path]))
    second = ChangeSet(change_set.root, change_set.description, theirs)
    return replace(change_set, files=mine), second

"""The one entry point every surface calls: a ChangeSet and a Config in, a
Report out. Pure: no git, no terminal, no network (those live at the ends)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from reviewer.checks import run_checks
from reviewer.config import Config
from reviewer.diff import ChangeSet, FileChange, SkippedFile
from reviewer.filter import cap, dedupe, filter_file_findings, is_excluded_path
from reviewer.findings import Finding, with_fingerprints
from reviewer.languages import comment_tokens
from reviewer.report import Report
from reviewer.risk import ChangeFacts, ChangeRisk, FileFacts
from reviewer.syntax import (
    ParsedFile,
    ReviewUnit,
    ScopeFinder,
    line_spans,
    parse_file,
    review_units,
)


class Producer(Protocol):
    """A source of findings over one parsed file and its review units. The
    structural tier is one; the model tier plugs in as another."""

    def review_file(self, parsed: ParsedFile, units: Sequence[ReviewUnit]) -> list[Finding]: ...

    def notes(self) -> list[str]:
        """What the producer wants the summary to say (units skipped, ...)."""
        ...


@runtime_checkable
class ChangeStep(Protocol):
    """The change-level step a producer may add beside the per-file one:
    called once, after every file, with the whole change as data. Its risk
    (the first producer's that gives one) goes on the report."""

    def review_change(self, change: ChangeFacts) -> ChangeRisk | None: ...


class StructuralChecks:
    """The tree-sitter query tier: the whole file's tree, filtered later.

    `units_only` runs the queries over the review units' lines alone. Every
    finding the filter can keep lies there; what is lost is the count of
    findings hidden outside the diff. The language server, re-checking a
    long file on each keystroke, takes that trade; the CLI does not."""

    def __init__(self, units_only: bool = False) -> None:
        self.units_only = units_only

    def review_file(self, parsed: ParsedFile, units: Sequence[ReviewUnit]) -> list[Finding]:
        if not self.units_only:
            return run_checks(parsed)
        covered = (n for unit in units for n in range(unit.start_line, unit.end_line + 1))
        return run_checks(parsed, line_spans(covered))

    def notes(self) -> list[str]:
        return []


def review(
    change_set: ChangeSet,
    config: Config,
    *,
    baseline: frozenset[str] = frozenset(),
    producers: Sequence[Producer] = (StructuralChecks(),),
    parsed_files: Mapping[str, ParsedFile] | None = None,
    notes: Sequence[str] = (),
    scope_finder: ScopeFinder | None = None,
    recent: Sequence[ChangeFacts] = (),
    history: Mapping[str, float] | None = None,
) -> Report:
    """Review every file of `change_set`.

    `parsed_files` lets a caller that already holds a parse (the language
    server, with its incremental trees) skip parsing again. `notes` head the
    report's notes. `scope_finder` stands in for `syntax.find_scopes`.
    `recent` are the repository's recent changes (read by the caller from
    the history behind the change), for the change-level step's rank;
    `history` the change's own just-in-time metrics, read there too.
    """
    hidden: Counter[str] = Counter()
    skipped = list(change_set.skipped)
    notes = [*notes, *change_set.notes]  # the caller's notices (model absent, ...) first
    kept: list[Finding] = []
    sources: dict[str, tuple[str, ...]] = {}
    added: dict[str, frozenset[int]] = {}
    facts: list[FileFacts] = []
    files_reviewed = units_reviewed = 0
    for change in change_set.files:
        if is_excluded_path(change.path, config.exclude):
            skipped.append(SkippedFile(change.path, "excluded by config"))
            continue
        notes.extend(f"{change.path}: {note}" for note in change.notes)
        parsed = (parsed_files or {}).get(change.path) or parse_file(change.path, change.new_text)
        units = review_units(parsed, _lines_to_review(change, parsed, config), scope_finder)
        files_reviewed += 1
        units_reviewed += len(units)
        language = parsed.spec.name if parsed.spec is not None else None
        facts.append(FileFacts(change.path, language, len(change.added_lines)))
        produced = [f for producer in producers for f in producer.review_file(parsed, units)]
        file_findings = filter_file_findings(
            with_fingerprints(produced),
            change,
            parsed.lines,
            comment_tokens(change.path),
            config,
            baseline,
            hidden,
        )
        if file_findings:
            kept.extend(file_findings)
            sources[change.path] = tuple(parsed.lines)
            added[change.path] = change.added_lines
    findings = cap(dedupe(kept, hidden), config.max_findings, hidden)
    risk = _change_risk(producers, ChangeFacts(tuple(facts), tuple(recent), history))
    notes.extend(note for producer in producers for note in producer.notes())
    return Report(
        description=change_set.description,
        root=change_set.root,
        findings=tuple(findings),
        fail_level=config.fail_level,
        files_reviewed=files_reviewed,
        units_reviewed=units_reviewed,
        skipped=tuple(sorted(skipped, key=lambda s: s.path)),
        hidden=dict(sorted(hidden.items())),
        notes=tuple(notes),
        sources=sources,
        added_lines=added,
        risk=risk,
        fail_risk=config.fail_risk,
    )


def _change_risk(producers: Sequence[Producer], change: ChangeFacts) -> ChangeRisk | None:
    risks = [p.review_change(change) for p in producers if isinstance(p, ChangeStep)]
    return next((risk for risk in risks if risk is not None), None)


def count_units(change_set: ChangeSet, config: Config) -> int:
    """The review units with changed lines in a known language: what the
    model tier would score (a progress bar's total; parses every file)."""
    total = 0
    for change in change_set.files:
        if is_excluded_path(change.path, config.exclude):
            continue
        parsed = parse_file(change.path, change.new_text)
        if parsed.spec is not None:
            units = review_units(parsed, _lines_to_review(change, parsed, config))
            total += sum(1 for unit in units if unit.changed_lines)
    return total


def _lines_to_review(change: FileChange, parsed: ParsedFile, config: Config) -> frozenset[int]:
    if config.filter_mode == "added":
        return change.added_lines
    if config.filter_mode == "diff_context":
        return change.context_lines
    return frozenset(range(1, len(parsed.lines) + 1))

"""Loading the checks of a language from its checks.scm.

Each pattern in checks.scm is one check (or one alternative form of a check:
several patterns may share an id). Its metadata sits in `#set!` directives:

    ((comparison_operator ...) @finding
      (#set! id "py-none-equality")
      (#set! severity "warning")
      (#set! message "Comparison to None with `==`; use `is None`")
      (#set! fix "{left} is None"))

Keys: id, severity (error|warning|info), message, and optionally fix (a
template replacing the @fix capture, or @finding when there is none),
exclude-paths (comma-separated globs of files the check does not apply to).
`{name}` in message or fix is replaced by the text of capture @name.

A language that inherits another's checks (grammars/languages.toml) gets them
with its own id prefix, minus the ids it removes, plus its own checks.scm:
see reviewer/queries.py.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import tree_sitter

from reviewer.checks import predicates
from reviewer.findings import RuleInfo, Severity
from reviewer.languages import LanguageSpec
from reviewer.queries import QueryText, compile_query

REQUIRED_KEYS = frozenset({"id", "severity", "message"})
KNOWN_KEYS = REQUIRED_KEYS | {"fix", "exclude-paths"}
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w.\-]*)\}")


@dataclass(frozen=True)
class Check:
    id: str
    language: str
    severity: Severity
    message: str
    fix: str | None
    exclude_paths: tuple[str, ...]


@dataclass(frozen=True)
class CheckSet:
    """A language's compiled query and the check each pattern belongs to."""

    query: tree_sitter.Query
    by_pattern: tuple[Check, ...]
    # Per pattern: its custom predicates (see predicates.custom_predicates).
    predicates: tuple[tuple[tuple[str, predicates.PredicateArgs], ...], ...]

    removed: frozenset[str] = frozenset()  # inherited ids the language dropped

    @property
    def checks(self) -> list[Check]:
        """One entry per id (the last pattern's, when several share an id)."""
        unique = {check.id: check for check in self.by_pattern if check.id not in self.removed}
        return [unique[key] for key in sorted(unique)]

    @functools.cached_property
    def rules(self) -> dict[str, RuleInfo]:
        """Per id, the catalog entry its findings carry (as `reviewer checks`
        lists it, captures shown as <name>)."""
        return {
            check.id: RuleInfo(
                _PLACEHOLDER.sub(r"<\1>", check.message), check.severity, check.language
            )
            for check in self.checks
        }


# Compiled queries live as long as the process: py-tree-sitter 0.26.1 can
# crash when a query with text predicates and #set! directives is freed.
@functools.cache
def checks_for(spec: LanguageSpec) -> CheckSet | None:
    compiled = compile_query(spec, "checks.scm")
    if compiled is None:
        return None
    query, text = compiled
    checks = tuple(_check_from_settings(spec, query, text, i) for i in range(query.pattern_count))
    unknown = set(spec.removed) - {check.id for check in checks}
    if unknown:
        raise ValueError(f"{spec.name}: `remove` names no inherited check: {sorted(unknown)}")
    for index, check in enumerate(checks):
        if check.id in spec.removed:
            query.disable_pattern(index)
    source = text.text.encode("utf-8")
    custom = tuple(
        predicates.custom_predicates(
            source[query.start_byte_for_pattern(i) : query.end_byte_for_pattern(i)]
        )
        for i in range(query.pattern_count)
    )
    return CheckSet(
        query=query, by_pattern=checks, predicates=custom, removed=frozenset(spec.removed)
    )


def _check_from_settings(
    spec: LanguageSpec, query: tree_sitter.Query, text: QueryText, index: int
) -> Check:
    settings = {key: value or "" for key, value in query.pattern_settings(index).items()}
    row = text.text.encode("utf-8").count(b"\n", 0, query.start_byte_for_pattern(index))
    where = f"{text.where(row)} ({spec.name})"
    missing = REQUIRED_KEYS - settings.keys()
    unknown = settings.keys() - KNOWN_KEYS
    if missing or unknown:
        raise ValueError(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    excludes = tuple(p.strip() for p in settings.get("exclude-paths", "").split(",") if p.strip())
    return Check(
        id=settings["id"],
        language=spec.name,
        severity=Severity.parse(settings["severity"]),
        message=settings["message"],
        fix=settings.get("fix"),
        exclude_paths=excludes,
    )

"""The catalog test: every language's checks against its tables.

Each tests/checks/test_<language>.py holds PATH (or PATHS), POSITIVE rows
(rule, source, line of the finding[, suggested line]) and NEGATIVE rows
(rule, source: close to the bug, but fine), plus tests only that language
needs. Here every language's query must compile with exactly the checks its
tables name, each check must fire on its positive rows (on that line, with
that suggestion, a message with every capture filled in) and stay quiet on
its negative rows. Inherited checks are tested in both languages here and in
test_inheritance.py."""

from __future__ import annotations

from types import ModuleType

import pytest

from reviewer.checks import checks_for
from reviewer.languages import registry
from tests.checks import (
    test_c,
    test_cpp,
    test_go,
    test_java,
    test_javascript,
    test_python,
    test_ruby,
    test_rust,
    test_typescript,
)
from tests.checks.helpers import only

# language -> (its tables, how many checks it has: a pin, so that dropping a
# check and its rows together is a deliberate edit here too)
TABLES: dict[str, tuple[ModuleType, int]] = {
    "python": (test_python, 20),
    "javascript": (test_javascript, 17),
    "typescript": (test_typescript, 17),
    "tsx": (test_typescript, 17),
    "go": (test_go, 11),
    "rust": (test_rust, 8),
    "java": (test_java, 10),
    "c": (test_c, 13),
    "cpp": (test_cpp, 16),
    "ruby": (test_ruby, 8),
}


def _paths(language: str) -> tuple[str, ...]:
    module = TABLES[language][0]
    paths: tuple[str, ...] = getattr(module, "PATHS", None) or (module.PATH,)
    extensions = registry()[language].extensions
    return tuple(path for path in paths if any(path.endswith(ext) for ext in extensions))


def _positive(language: str) -> list[tuple[str, str, int, str | None]]:
    rows = TABLES[language][0].POSITIVE
    return [(rule, source, line, rest[0] if rest else None) for rule, source, line, *rest in rows]


def _expected_ids(language: str) -> set[str]:
    return {rule for rule, *_ in TABLES[language][0].POSITIVE}


POSITIVE = [
    (language, path, *row)
    for language in TABLES
    for path in _paths(language)
    for row in _positive(language)
]
NEGATIVE = [
    (language, path, rule, source)
    for language, (module, _) in TABLES.items()
    for path in _paths(language)
    for rule, source in module.NEGATIVE
]


def test_every_language_with_checks_has_tables() -> None:
    with_checks = {name for name, spec in registry().items() if checks_for(spec) is not None}
    assert with_checks == set(TABLES)
    assert all(_paths(language) for language in TABLES)


@pytest.mark.parametrize("language", sorted(TABLES))
def test_query_compiles_with_every_check(language: str) -> None:
    check_set = checks_for(registry()[language])
    assert check_set is not None
    assert {check.id for check in check_set.checks} == _expected_ids(language)
    assert len(check_set.checks) == TABLES[language][1]


@pytest.mark.parametrize("language", sorted(TABLES))
def test_every_check_has_a_negative_case(language: str) -> None:
    module = TABLES[language][0]
    assert {rule for rule, _ in module.NEGATIVE} == _expected_ids(language)


@pytest.mark.parametrize(("language", "path", "rule", "source", "line", "suggestion"), POSITIVE)
def test_fires(
    language: str, path: str, rule: str, source: str, line: int, suggestion: str | None
) -> None:
    found = only(path, source, rule)
    assert [f.line for f in found] == [line]
    assert found[0].suggestion == suggestion
    assert found[0].message and "{" not in found[0].message
    assert found[0].language == language


@pytest.mark.parametrize(("language", "path", "rule", "source"), NEGATIVE)
def test_stays_quiet(language: str, path: str, rule: str, source: str) -> None:
    assert only(path, source, rule) == []

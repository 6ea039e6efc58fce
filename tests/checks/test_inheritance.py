"""Check inheritance (grammars/languages.toml): TypeScript and TSX take the
JavaScript checks, C++ the C checks. Every inherited check keeps its message,
severity and fix under the child's id prefix, and fires on the parent's
positive example in both languages. The mechanism itself (additions,
removals, `; only`/`; not` lines, a pattern the child grammar rejects) is
tested on small grammar trees in tmp_path."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest

from reviewer.checks import checks_for
from reviewer.checks.catalog import Check
from reviewer.languages import LanguageSpec, load_registry, registry
from reviewer.queries import QueryCompileError, query_text
from reviewer.syntax import parse_file
from tests.checks import test_c, test_javascript
from tests.checks.helpers import only

# parent -> (its test module, child, a path the child parses)
FAMILIES: dict[str, tuple[ModuleType, list[tuple[str, str]]]] = {
    "javascript": (test_javascript, [("typescript", "src/app.ts"), ("tsx", "src/app.tsx")]),
    "c": (test_c, [("cpp", "src/net.cpp")]),
}


def _renamed(rule: str, parent: LanguageSpec, child: LanguageSpec) -> str:
    return child.id_prefix + rule.removeprefix(parent.id_prefix)


def _inherited(parent: LanguageSpec, child: LanguageSpec) -> list[tuple[Check, Check]]:
    """(parent's pattern, child's pattern): the inherited patterns come first."""
    parent_set, child_set = checks_for(parent), checks_for(child)
    assert parent_set is not None and child_set is not None
    return list(zip(parent_set.by_pattern, child_set.by_pattern, strict=False))


def test_the_registry_declares_the_families() -> None:
    specs = registry()
    declared = {name: spec.parent.name for name, spec in specs.items() if spec.parent}
    assert declared == {"typescript": "javascript", "tsx": "typescript", "cpp": "c"}


@pytest.mark.parametrize(
    ("parent", "child"),
    [(parent, child) for parent, (_, kids) in FAMILIES.items() for child, _ in kids],
)
def test_inherited_checks_keep_message_severity_and_fix(parent: str, child: str) -> None:
    pairs = _inherited(registry()[parent], registry()[child])
    assert pairs
    for original, inherited in pairs:
        assert inherited.id == _renamed(original.id, registry()[parent], registry()[child])
        assert (inherited.severity, inherited.message, inherited.fix) == (
            original.severity,
            original.message,
            original.fix,
        )
        assert inherited.language == child


POSITIVE_CASES = [
    (parent, child, child_path, rule, source, line)
    for parent, (module, kids) in FAMILIES.items()
    for child, child_path in kids
    for rule, source, line, _ in module.POSITIVE
]


@pytest.mark.parametrize(
    ("parent", "child", "child_path", "rule", "source", "line"), POSITIVE_CASES
)
def test_each_inherited_check_fires_in_both_languages(
    parent: str, child: str, child_path: str, rule: str, source: str, line: int
) -> None:
    module = FAMILIES[parent][0]
    renamed = _renamed(rule, registry()[parent], registry()[child])
    assert [f.line for f in only(module.PATH, source, rule)] == [line]
    assert [f.line for f in only(child_path, source, renamed)] == [line]


@pytest.mark.parametrize("parent", list(FAMILIES))
def test_every_inherited_check_has_a_positive_example(parent: str) -> None:
    module = FAMILIES[parent][0]
    check_set = checks_for(registry()[parent])
    assert check_set is not None
    assert {check.id for check in check_set.checks} == {rule for rule, *_ in module.POSITIVE}


def test_typescript_has_no_checks_file_of_its_own() -> None:
    # The point of inheriting: no copy to keep in step.
    spec = registry()["typescript"]
    assert not (spec.query_dir / "checks.scm").exists()
    assert not (spec.query_dir / "scopes.scm").exists()
    assert "class_declaration name: (type_identifier)" in query_text(spec, "scopes.scm").text


# --- the mechanism, on small grammar trees ------------------------------------

PARENT_CHECKS = """\
((debugger_statement) @finding
  (#set! id "js-debugger")
  (#set! severity "error")
  (#set! message "debugger left in"))

((identifier) @finding
  (#eq? @finding "oops")
  (#set! id "js-oops")
  (#set! severity "info")
  (#set! message "oops"))

((field_definition) @finding ; not typescript
((public_field_definition) @finding ; only typescript
  (#set! id "js-field")
  (#set! severity "warning")
  (#set! message "a field"))
"""


def _tree(tmp_path: Path, child_entry: str, parent_checks: str = PARENT_CHECKS) -> Path:
    (tmp_path / "javascript").mkdir()
    (tmp_path / "javascript" / "checks.scm").write_text(parent_checks)
    (tmp_path / "languages.toml").write_text(
        "[javascript]\n"
        'extensions = [".js"]\nmodule = "tree_sitter_javascript"\nfunction = "language"\n'
        'comments = ["//"]\nid_prefix = "js-"\n\n'
        "[typescript]\n"
        'extensions = [".ts"]\nmodule = "tree_sitter_typescript"\n'
        'function = "language_typescript"\ncomments = ["//"]\n'
        'inherits = "javascript"\nid_prefix = "ts-"\n' + child_entry
    )
    return tmp_path


def _ids(spec: LanguageSpec) -> list[str]:
    check_set = checks_for(spec)
    assert check_set is not None
    return [check.id for check in check_set.checks]


def _fired(spec: LanguageSpec, path: str, source: str) -> list[str]:
    from reviewer.checks import run_checks

    parsed = replace(parse_file(path, source), spec=spec)
    return sorted(f.rule_id for f in run_checks(parsed))


def test_a_child_renames_and_keeps_the_lines_meant_for_it(tmp_path: Path) -> None:
    specs = load_registry(_tree(tmp_path, ""))
    assert _ids(specs["javascript"]) == ["js-debugger", "js-field", "js-oops"]
    assert _ids(specs["typescript"]) == ["ts-debugger", "ts-field", "ts-oops"]
    text = query_text(specs["typescript"], "checks.scm").text
    assert "public_field_definition" in text
    assert "(field_definition)" not in text
    source = "class A { x = 1 }\ndebugger;\noops;\n"
    assert _fired(specs["typescript"], "a.ts", source) == ["ts-debugger", "ts-field", "ts-oops"]
    assert _fired(specs["javascript"], "a.js", source) == ["js-debugger", "js-field", "js-oops"]


def test_a_child_removes_and_adds_checks(tmp_path: Path) -> None:
    root = _tree(tmp_path, 'remove = ["ts-oops"]\n')
    (root / "typescript").mkdir()
    (root / "typescript" / "checks.scm").write_text(
        '((non_null_expression) @finding\n  (#set! id "ts-non-null")\n'
        '  (#set! severity "info")\n  (#set! message "a `!`"))\n'
    )
    specs = load_registry(root)
    assert _ids(specs["typescript"]) == ["ts-debugger", "ts-field", "ts-non-null"]
    assert _fired(specs["typescript"], "a.ts", "oops;\nx!;\n") == ["ts-non-null"]
    assert _fired(specs["javascript"], "a.js", "oops;\n") == ["js-oops"]


def test_removing_an_unknown_check_is_an_error(tmp_path: Path) -> None:
    specs = load_registry(_tree(tmp_path, 'remove = ["ts-nothing"]\n'))
    with pytest.raises(ValueError, match="ts-nothing"):
        checks_for(specs["typescript"])


def test_an_inherited_pattern_the_child_grammar_rejects_names_file_and_line(
    tmp_path: Path,
) -> None:
    # `field_definition` exists in JavaScript's grammar, not in TypeScript's.
    unmarked = PARENT_CHECKS.replace(" ; not typescript", "").replace(
        "((public_field_definition) @finding ; only typescript\n", ""
    )
    specs = load_registry(_tree(tmp_path, "", parent_checks=unmarked))
    assert _ids(specs["javascript"]) == ["js-debugger", "js-field", "js-oops"]
    with pytest.raises(QueryCompileError) as raised:
        checks_for(specs["typescript"])
    message = str(raised.value)
    assert "\n" not in message
    assert f"{tmp_path / 'javascript' / 'checks.scm'} line 12 column 3" in message
    assert "inherited by typescript" in message
    assert "field_definition" in message


def test_an_unknown_parent_is_an_error(tmp_path: Path) -> None:
    root = _tree(tmp_path, "")
    toml = (
        (root / "languages.toml")
        .read_text()
        .replace('inherits = "javascript"', 'inherits = "coffee"')
    )
    (root / "languages.toml").write_text(toml)
    with pytest.raises(RuntimeError, match="unknown language 'coffee'"):
        load_registry(root)

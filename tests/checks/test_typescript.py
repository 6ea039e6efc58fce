"""TypeScript structural checks. TypeScript and TSX inherit the JavaScript
checks with ts- ids (grammars/languages.toml), so every JavaScript case runs
again through both grammars, plus cases with TypeScript-only syntax
(annotations, modifiers, decorators, `as`, `!`)."""

from __future__ import annotations

import pytest

from reviewer.checks import checks_for
from reviewer.languages import registry
from tests.checks import test_javascript as js
from tests.checks.helpers import only

PATHS = ("src/app.ts", "src/app.tsx")


def _ts(rule: str) -> str:
    return "ts-" + rule.removeprefix("js-")


# (rule, source, line of the finding, suggested line or None)
TS_POSITIVE: list[tuple[str, str, int, str | None]] = [
    ("ts-loose-equality", "if ((count as number) == 0) {}\n", 1, "if ((count as number) === 0) {}"),
    (
        "ts-floating-promise",
        "class A {\n  @logged()\n  private async save(): Promise<void> {\n"
        "    fetch(this.url!);\n  }\n}\n",
        4,
        "    await fetch(this.url!);",
    ),
    (
        "ts-floating-promise",
        "export const load = async <T,>(url: string): Promise<T> => {\n"
        "  Promise.all([fetch(url)]);\n  return cache.get(url) as T;\n};\n",
        2,
        "  await Promise.all([fetch(url)]);",
    ),
    (
        "ts-hardcoded-credential",
        "class Db {\n  private password: string = 'hunter22';\n}\n",
        2,
        None,
    ),
    ("ts-hardcoded-credential", "const apiKey: string = 'AIzaSyA1b2c3d4e5';\n", 1, None),
    ("ts-inner-html", "el!.innerHTML = html as string;\n", 1, None),
    (
        "ts-error-not-thrown",
        "if (!ok) {\n  new HttpError(404);\n}\n",
        2,
        "  throw new HttpError(404);",
    ),
    ("ts-typeof-typo", "const isFn = (x: unknown): boolean => typeof x === 'func';\n", 1, None),
]

TS_NEGATIVE: list[tuple[str, str]] = [
    ("ts-floating-promise", "class A {\n  save(): void {\n    fetch(this.url!);\n  }\n}\n"),
    ("ts-loose-equality", "type T = { a: 0 };\nconst same = (a: number, b: number) => a === b;\n"),
    ("ts-hardcoded-credential", "interface Config {\n  password: string;\n}\n"),
]

POSITIVE = [(_ts(rule), source, line, fix) for rule, source, line, fix in js.POSITIVE]
POSITIVE += TS_POSITIVE
NEGATIVE = [(_ts(rule), source) for rule, source in js.NEGATIVE] + TS_NEGATIVE
EXPECTED_IDS = {_ts(rule) for rule in js.EXPECTED_IDS}


@pytest.mark.parametrize("language", ["typescript", "tsx"])
def test_query_compiles_for_both_grammars(language: str) -> None:
    check_set = checks_for(registry()[language])
    assert check_set is not None
    assert {check.id for check in check_set.checks} == EXPECTED_IDS
    assert len(check_set.checks) == 17


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("rule", "source", "line", "suggestion"), POSITIVE)
def test_fires(path: str, rule: str, source: str, line: int, suggestion: str | None) -> None:
    found = only(path, source, rule)
    assert [f.line for f in found] == [line]
    assert found[0].suggestion == suggestion
    assert found[0].message and "{" not in found[0].message


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("rule", "source"), NEGATIVE)
def test_stays_quiet(path: str, rule: str, source: str) -> None:
    assert only(path, source, rule) == []


def test_tsx_markup_does_not_confuse_the_checks() -> None:
    source = (
        "export function App({ user }: Props) {\n"
        "  if (user.age == 0) return null;\n"
        '  return <div className="a">{user.name}</div>;\n'
        "}\n"
    )
    (found,) = only("src/App.tsx", source, "ts-loose-equality")
    assert found.line == 2
    assert found.suggestion == "  if (user.age === 0) return null;"


def test_console_log_is_fine_in_tests() -> None:
    assert only("src/app.spec.ts", "console.log('x');\n", "ts-console-log") == []
    assert only("src/app.ts", "console.log('x');\n", "ts-console-log") != []

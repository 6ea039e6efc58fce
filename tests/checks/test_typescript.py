"""TypeScript structural checks. TypeScript and TSX inherit the JavaScript
checks with ts- ids (grammars/languages.toml), so every JavaScript case runs
again through both grammars, plus cases with TypeScript-only syntax
(annotations, modifiers, decorators, `as`, `!`)."""

from __future__ import annotations

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

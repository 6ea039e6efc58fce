"""JavaScript structural checks: each fires on its bug and stays quiet on the
close-but-fine code next to it. test_typescript.py runs these cases again
through the TypeScript and TSX grammars."""

from __future__ import annotations

import pytest

from tests.checks.helpers import only

PATH = "src/app.js"
# Built at run time so this file does not itself hold a key block.
KEY_HEADER = "-----BEGIN " + "PRIVATE KEY-----"

# (rule, source, line of the finding, suggested line or None)
POSITIVE: list[tuple[str, str, int, str | None]] = [
    ("js-loose-equality", "if (count == 0) {}\n", 1, "if (count === 0) {}"),
    ("js-loose-equality", "if ('' != name) {}\n", 1, "if ('' !== name) {}"),
    ("js-loose-equality", "const off = flag == false;\n", 1, "const off = flag === false;"),
    ("js-nan-comparison", "if (value === NaN) {}\n", 1, None),
    ("js-nan-comparison", "if (x !== Number.NaN) {}\n", 1, None),
    ("js-typeof-typo", "if (typeof cb === 'fucntion') {}\n", 1, None),
    ("js-typeof-typo", "if ('undefinded' == typeof x) {}\n", 1, None),
    ("js-unsafe-negation", "if (!key in cache) {}\n", 1, None),
    ("js-unsafe-negation", "if (!err instanceof Error) {}\n", 1, None),
    ("js-assign-in-condition", "if (user = find(id)) {}\n", 1, None),
    ("js-debugger", "function f() {\n  debugger;\n}\n", 2, None),
    ("js-console-log", "function f(user) {\n  console.log(user);\n}\n", 2, None),
    (
        "js-floating-promise",
        "async function load(url) {\n  fetch(url);\n}\n",
        2,
        "  await fetch(url);",
    ),
    (
        "js-floating-promise",
        "const run = async () => {\n  Promise.all(jobs);\n};\n",
        2,
        "  await Promise.all(jobs);",
    ),
    (
        "js-floating-promise",
        "class A {\n  async save() {\n    fetch(this.url);\n  }\n}\n",
        3,
        "    await fetch(this.url);",
    ),
    ("js-async-foreach", "items.forEach(async (item) => {\n  await save(item);\n});\n", 1, None),
    (
        "js-async-promise-executor",
        "function f() {\n  return new Promise(async (resolve) => resolve(await g()));\n}\n",
        2,
        None,
    ),
    (
        "js-unsafe-finally",
        "function f() {\n  try {\n    return g();\n  } finally {\n    return null;\n  }\n}\n",
        5,
        None,
    ),
    (
        "js-unsafe-finally",
        "for (const x of xs) {\n  try {\n    g(x);\n  } finally {\n    continue;\n  }\n}\n",
        5,
        None,
    ),
    ("js-error-not-thrown", "if (!ok) {\n  new Error('bad');\n}\n", 2, "  throw new Error('bad');"),
    (
        "js-error-not-thrown",
        "if (!ok) new errors.ValidationError('bad');\n",
        1,
        "if (!ok) throw new errors.ValidationError('bad');",
    ),
    ("js-eval", "const result = eval(code);\n", 1, None),
    ("js-eval", "const f = new Function('a', body);\n", 1, None),
    ("js-inner-html", "el.innerHTML = html;\n", 1, None),
    ("js-inner-html", "list.innerHTML += `<li>${name}</li>`;\n", 1, None),
    ("js-sql-injection", "db.query(`SELECT * FROM users WHERE id = ${id}`);\n", 1, None),
    ("js-sql-injection", "conn.execute('DELETE FROM t WHERE id = ' + id);\n", 1, None),
    (
        "js-sql-injection",
        'db.query("SELECT * FROM t WHERE a = \'" + a + "\' AND b = " + b);\n',
        1,
        None,
    ),
    ("js-hardcoded-credential", "const password = 'hunter22';\n", 1, None),
    ("js-hardcoded-credential", "config.apiKey = 'AIzaSyA1b2c3d4e5';\n", 1, None),
    ("js-hardcoded-credential", "const opts = {\n  authToken: 'tok_123456789',\n};\n", 2, None),
    ("js-private-key", f"const KEY = '{KEY_HEADER}\\nMIIEvQIBADANBgkqhkiG9w0BAQEF';\n", 1, None),
]

# (rule, source): close to the bug, but fine.
NEGATIVE: list[tuple[str, str]] = [
    ("js-loose-equality", "if (x == null || y != null || z == undefined) {}\n"),
    ("js-loose-equality", "if (a === 0 || b == c || d == 'HEAD') {}\n"),
    ("js-loose-equality", "if (items.length == 0 || i % 2 == 0) {}\n"),
    ("js-nan-comparison", "if (Number.isNaN(value)) {}\nconst n = NaN;\n"),
    ("js-typeof-typo", "if (typeof cb === 'function' || typeof x !== 'undefined') {}\n"),
    ("js-typeof-typo", "if (typeof n == 'bigint' || 'symbol' === typeof s) {}\n"),
    ("js-unsafe-negation", "if (!(key in cache) || !(err instanceof Error) || !ok) {}\n"),
    (
        "js-assign-in-condition",
        "if ((m = re.exec(s))) {}\nif (a === b) {}\nwhile (x = next()) {}\n",
    ),
    ("js-debugger", "const debuggerEnabled = true;\n"),
    ("js-console-log", "console.error(err);\nconsole.warn('x');\nlogger.log('x');\n"),
    ("js-floating-promise", "function load(url) {\n  fetch(url);\n}\n"),
    (
        "js-floating-promise",
        "async function g(url) {\n  await fetch(url);\n"
        "  const p = fetch(url);\n  return fetch(url);\n}\n",
    ),
    (
        "js-floating-promise",
        "async function g() {\n  items.forEach(function (x) {\n    fetch(x);\n  });\n}\n",
    ),
    ("js-floating-promise", "async function g() {\n  db.all(sql);\n  fetcher(url);\n}\n"),
    (
        "js-async-foreach",
        "items.forEach((item) => save(item));\nawait Promise.all(items.map(save));\n",
    ),
    ("js-async-promise-executor", "const p = new Promise((resolve) => setTimeout(resolve, 10));\n"),
    (
        "js-async-promise-executor",
        "const p = new Promise(async (resolve, reject) => {\n"
        "  try {\n    resolve(await load());\n  } catch (e) {\n    reject(e);\n  }\n});\n",
    ),
    (
        "js-unsafe-finally",
        "function f() {\n  try {\n    g();\n  } finally {\n"
        "    cleanup(() => {\n      return 1;\n    });\n  }\n}\n",
    ),
    (
        "js-unsafe-finally",
        "try {\n  g();\n} finally {\n  for (const x of xs) {\n    if (x) break;\n  }\n}\n",
    ),
    ("js-unsafe-finally", "try {\n  g();\n} finally {\n  if (saved) throw saved.error;\n}\n"),
    (
        "js-error-not-thrown",
        "throw new Error('bad');\nconst e = new Error('bad');\nreject(new TypeError('x'));\n",
    ),
    ("js-error-not-thrown", "new ErrorReporter(options);\nnew Map();\n"),
    ("js-eval", "eval('1 + 1');\nconst g = new Function('return this');\nevaluate(code);\n"),
    ("js-inner-html", "el.innerHTML = '';\nel.textContent = html;\nel.innerHTML = `<br>`;\n"),
    (
        "js-sql-injection",
        "db.query('SELECT * FROM users WHERE id = $1', [id]);\ncache.query(`key-${id}`);\n",
    ),
    ("js-sql-injection", "log.info(`select ${x} from`);\nconst q = `SELECT ${cols} FROM t`;\n"),
    # Identifiers are how query builders work; escaped values and literals are safe.
    ("js-sql-injection", "db.query(`SELECT ${cols} FROM ${table} WHERE id = $1`, [id]);\n"),
    ("js-sql-injection", "db.query(`DELETE FROM t WHERE id = ${driver.escape(id)}`);\n"),
    ("js-sql-injection", "db.query(`SELECT a FROM t ` + `WHERE id = 1`);\n"),
    (
        "js-hardcoded-credential",
        "const password = process.env.DB_PASSWORD;\n"
        "const token = '';\nconst csrfToken = 'csrftoken';\n",
    ),
    (
        "js-hardcoded-credential",
        "const apiKey = 'YOUR_API_KEY_123';\nconst passwordField = 'pw123456';\n",
    ),
    ("js-hardcoded-credential", "const tokenType = 'bearer22';\nconst opts = { password: pw };\n"),
    ("js-private-key", f"const HEADER = '{KEY_HEADER}';\n"),
]


@pytest.mark.parametrize(
    "path",
    ["scripts/build.js", "test/app.test.js", "src/app.spec.js", "bin/run.js", "src/cli.js"],
)
def test_console_log_is_fine_in_scripts_and_tests(path: str) -> None:
    assert only(path, "console.log('done');\n", "js-console-log") == []


def test_console_log_exclusions_do_not_catch_lookalike_names() -> None:
    assert only("lib/client.js", "console.log(x);\n", "js-console-log") != []
    assert only("lib/latest.js", "console.log(x);\n", "js-console-log") != []


def test_credentials_are_not_checked_in_tests() -> None:
    source = "const password = 'hunter22';\n"
    assert only("test/db.test.js", source, "js-hardcoded-credential") == []


def test_typeof_message_names_the_bad_string() -> None:
    (found,) = only(PATH, "if (typeof cb === 'fucntion') {}\n", "js-typeof-typo")
    assert '"fucntion"' in found.message

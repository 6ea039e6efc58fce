"""C structural checks: each fires on its bug and stays quiet on the
close-but-fine code next to it. test_cpp.py runs the same cases as C++."""

from __future__ import annotations

from tests.checks.helpers import only

PATH = "src/net.c"
# Built at run time so this file does not itself hold a key block.
KEY_HEADER = "-----BEGIN EC " + "PRIVATE KEY-----"


def body(statements: str) -> str:
    """`statements` inside a function; the first statement is on line 2."""
    lines = "".join(f"    {line}\n" for line in statements.splitlines())
    return f"char *handle(const char *name, char *out, size_t n) {{\n{lines}}}\n"


# (rule, source, line of the finding, suggested line or None)
POSITIVE: list[tuple[str, str, int, str | None]] = [
    ("c-gets", body("char line[80];\ngets(line);"), 3, None),
    ("c-unbounded-copy", body("char buf[32];\nstrcpy(buf, name);"), 3, None),
    ("c-unbounded-copy", body('strcat(out, "/");\nstrcat(out, name);'), 3, None),
    ("c-unbounded-sprintf", body('char buf[64];\nsprintf(buf, "user %s", name);'), 3, None),
    ("c-unbounded-sprintf", body("vsprintf(out, fmt, args);"), 2, None),
    ("c-scanf-unbounded", body('char word[16];\nscanf("%s", word);'), 3, None),
    ("c-scanf-unbounded", body('sscanf(name, "%d %[^\\n]", &n, out);'), 2, None),
    ("c-format-string", body("printf(name);"), 2, None),
    ("c-format-string", body("fprintf(stderr, msg->text);"), 2, None),
    ("c-format-string", body("snprintf(out, n, name);"), 2, None),
    ("c-command-injection", body("char cmd[256];\nsystem(cmd);"), 3, None),
    ("c-assignment-in-condition", body("if (n = 0)\n    return out;"), 2, None),
    (
        "c-malloc-strlen",
        body("char *copy = malloc(strlen(name));\nstrcpy(copy, name);"),
        2,
        "    char *copy = malloc(strlen(name) + 1);",
    ),
    ("c-strncpy-source-length", body("strncpy(out, name, strlen(name));"), 2, None),
    ("c-return-local-array", body("char buf[64];\nformat(buf, name);\nreturn buf;"), 4, None),
    (
        "c-sql-injection",
        body("snprintf(out, n, \"SELECT id FROM users WHERE name = '%s'\", name);"),
        2,
        None,
    ),
    (
        "c-sql-injection",
        body('char *q = sqlite3_mprintf("DELETE FROM t WHERE id = %s", name);'),
        2,
        None,
    ),
    (
        "c-private-key",
        f'static const char *key =\n    "{KEY_HEADER}\\n"\n'
        '    "MHcCAQEEIBkXlPq0abcdEFGHijkl\\n";\n',
        2,
        None,
    ),
    ("c-hardcoded-credential", 'static const char *password = "hunter22";\n', 1, None),
    ("c-hardcoded-credential", '#define API_KEY "Zq8xT3vR9mL2wP7k"\n', 1, None),
    (
        "c-hardcoded-credential",
        'struct config cfg = {\n    .host = "db",\n    .secret_key = "9f8e7d6c5b4a",\n};\n',
        3,
        None,
    ),
]

# (rule, source): close to the bug, but fine.
NEGATIVE: list[tuple[str, str]] = [
    ("c-gets", body("char line[80];\nfgets(line, sizeof line, stdin);\nfgets_safe(line);")),
    (
        "c-unbounded-copy",
        body(
            'char buf[32];\nstrcpy(buf, "none");\nstrcat(buf, DEFAULT_SUFFIX);\n'
            "strlcpy(buf, name, sizeof buf);"
        ),
    ),
    (
        "c-unbounded-sprintf",
        body(
            'char buf[16];\nsprintf(buf, "%d", n);\nsprintf(buf, "%.8s", name);\n'
            'snprintf(buf, sizeof buf, "%s", name);\nvsnprintf(out, n, fmt, args);'
        ),
    ),
    (
        "c-scanf-unbounded",
        body('char word[16];\nscanf("%15s", word);\nscanf("%d", &n);\nsscanf(name, "%*s %d", &n);'),
    ),
    (
        "c-format-string",
        body(
            'printf("%s", name);\nprintf(USAGE);\nfprintf(stderr, "%s\\n", name);\n'
            'printf(_("hello"));\nvfprintf(stderr, fmt, args);'
        ),
    ),
    ("c-command-injection", body('system("make clean");\nsystem(RESTART_COMMAND);')),
    (
        "c-assignment-in-condition",
        body(
            "if ((n = read_all()))\n    return out;\nif (n == 0)\n    return out;\n"
            "while (n = next())\n    use(n);"
        ),
    ),
    ("c-malloc-strlen", body("char *copy = malloc(strlen(name) + 1);\nchar *p = malloc(n);")),
    (
        "c-strncpy-source-length",
        body(
            "strncpy(out, name, n - 1);\nmemcpy(out, name, strlen(name));\n"
            "strncpy(out, name, strlen(out));"
        ),
    ),
    (
        "c-return-local-array",
        body("static char buf[64];\nformat(buf, name);\nreturn buf;")
        + "int count(void) {\n    int seen[4];\n    return seen[0];\n}\n",
    ),
    (
        "c-sql-injection",
        body(
            'snprintf(out, n, "SELECT id FROM %s WHERE name = ?", table);\n'
            "char *q = sqlite3_mprintf(\"DELETE FROM t WHERE name = '%q'\", name);\n"
            'snprintf(out, n, "user %s not found", name);'
        ),
    ),
    ("c-private-key", f'static const char *pem_tag = "{KEY_HEADER}";\n'),
    (
        "c-hardcoded-credential",
        'static const char *password_env = "DB_PASSWORD";\n'
        'static const char *password = "";\n'
        '#define API_KEY_HEADER "X-Api-Key"\n'
        'char *secret = getenv("APP_SECRET");\n'
        'static const char *api_key = "changeme123";\n',
    ),
]


def test_headers_use_the_c_checks() -> None:
    assert [f.line for f in only("include/net.h", body("printf(name);"), "c-format-string")] == [2]


def test_credentials_are_not_checked_in_tests() -> None:
    source = 'static const char *password = "hunter22";\n'
    assert only("tests/test_login.c", source, "c-hardcoded-credential") == []

"""Java structural checks: each fires on its bug and stays quiet on the
close-but-fine code next to it."""

from __future__ import annotations

import pytest

from tests.checks.helpers import only

PATH = "src/main/java/com/acme/Service.java"
# Built at run time so this file does not itself hold a key block.
KEY_HEADER = "-----BEGIN RSA " + "PRIVATE KEY-----"


def method(body: str) -> str:
    """`body` (one statement per line) inside a method of a class: the body's
    first line is line 3."""
    lines = "".join(f"    {line}\n" for line in body.splitlines())
    return f"class Service {{\n  void run() throws Exception {{\n{lines}  }}\n}}\n"


# (rule, source, line of the finding, suggested line or None)
POSITIVE: list[tuple[str, str, int, str | None]] = [
    (
        "java-string-reference-equality",
        method('if (status == "active") {\n  start();\n}'),
        3,
        '    if ("active".equals(status)) {',
    ),
    (
        "java-string-reference-equality",
        method('boolean admin = "admin" == user.getRole();'),
        3,
        '    boolean admin = "admin".equals(user.getRole());',
    ),
    (
        "java-string-reference-equality",
        method('while (line != "") {\n  line = next();\n}'),
        3,
        '    while (!"".equals(line)) {',
    ),
    (
        "java-equals-null",
        method("if (result.equals(null)) {\n  return;\n}"),
        3,
        "    if (result == null) {",
    ),
    (
        "java-equals-overload",
        "class Point {\n  int x;\n  public boolean equals(Point other) {\n"
        "    return x == other.x;\n  }\n}\n",
        3,
        None,
    ),
    (
        "java-empty-catch",
        method("try {\n  save();\n} catch (Exception e) {\n}"),
        5,
        None,
    ),
    (
        "java-empty-catch",
        method("try {\n  Thread.sleep(10);\n} catch (InterruptedException | IOException e) {}"),
        5,
        None,
    ),
    (
        "java-return-in-finally",
        method("try {\n  save();\n} finally {\n  if (closed) {\n    return;\n  }\n}"),
        7,
        None,
    ),
    (
        "java-bigdecimal-double",
        method("BigDecimal price = new BigDecimal(0.1);"),
        3,
        "    BigDecimal price = BigDecimal.valueOf(0.1);",
    ),
    (
        "java-print-stack-trace",
        method("try {\n  save();\n} catch (IOException e) {\n  e.printStackTrace();\n}"),
        6,
        None,
    ),
    (
        "java-sql-injection",
        method('stmt.executeQuery("SELECT * FROM users WHERE id = " + id);'),
        3,
        None,
    ),
    (
        "java-sql-injection",
        method('String q = "SELECT * FROM users WHERE name = \'" + name + "\'";'),
        3,
        None,
    ),
    (
        "java-sql-injection",
        method('conn.prepareStatement(String.format("DELETE FROM t WHERE id = %s", id));'),
        3,
        None,
    ),
    (
        "java-sql-injection",
        method("String q = String.format(\"SELECT * FROM t WHERE name LIKE '%%%s%%'\", n);"),
        3,
        None,
    ),
    (
        "java-private-key",
        method(f'String key = "{KEY_HEADER}\\n" +\n    "MIIEpAIBAAKCAQEA75f3Yq0abcdEFGH\\n";'),
        3,
        None,
    ),
    (
        "java-hardcoded-credential",
        'class Db {\n  private static final String PASSWORD = "hunter22";\n}\n',
        2,
        None,
    ),
    (
        "java-hardcoded-credential",
        method('this.apiKey = "Zq8xT3vR9mL2wP7k";'),
        3,
        None,
    ),
]

# (rule, source): close to the bug, but fine.
NEGATIVE: list[tuple[str, str]] = [
    (
        "java-string-reference-equality",
        method('if (status.equals("active") || name == null || "a" == "a") {\n  start();\n}'),
    ),
    ("java-equals-null", method("if (result == null || result.equals(other)) {\n  return;\n}")),
    (
        "java-equals-overload",
        "class Point {\n  public boolean equals(Point other) { return true; }\n"
        "  @Override public boolean equals(final Object o) { return true; }\n"
        "  public boolean same(Point other) { return true; }\n}\n",
    ),
    (
        "java-empty-catch",
        method(
            "try {\n  save();\n} catch (Exception e) {\n  // the cache is best effort\n}\n"
            "try {\n  save();\n} catch (Exception ignored) {\n}\n"
            "try {\n  Integer.parseInt(s);\n} catch (NumberFormatException e) {\n}\n"
            "try {\n  save();\n} catch (Exception e) {\n  log.warn(e);\n}"
        ),
    ),
    (
        "java-return-in-finally",
        method(
            "try {\n  return save();\n} finally {\n  close();\n}\n"
            "try {\n  save();\n} finally {\n  run(() -> { return; });\n}"
        ),
    ),
    ("java-bigdecimal-double", method('BigDecimal a = new BigDecimal("0.1");\nnew BigDecimal(1);')),
    ("java-print-stack-trace", method('log.error("failed", e);\ne.printStackTrace(writer);')),
    (
        "java-sql-injection",
        method(
            'ps = conn.prepareStatement("SELECT * FROM users WHERE id = ?");\n'
            'stmt.executeQuery("SELECT * FROM " + TABLE + " WHERE id = ?");\n'
            'stmt.executeQuery("SELECT * FROM t " + "WHERE id = 1");\n'
            'log.info("user \'" + name + "\' not found");'
        ),
    ),
    ("java-private-key", method(f'boolean pem = text.startsWith("{KEY_HEADER}");')),
    (
        "java-hardcoded-credential",
        'class Db {\n  static final String PASSWORD_KEY = "db.password";\n'
        '  static final String PASSWORD = "";\n'
        '  static final String API_KEY = "API_KEY";\n'
        '  String secret = System.getenv("SECRET");\n'
        '  String password = "changeme123";\n}\n',
    ),
]


@pytest.mark.parametrize(
    "rule", ["java-hardcoded-credential", "java-print-stack-trace", "java-equals-null"]
)
def test_test_files_are_skipped(rule: str) -> None:
    source = next(source for r, source, *_ in POSITIVE if r == rule)
    assert only("src/test/java/com/acme/ServiceTest.java", source, rule) == []

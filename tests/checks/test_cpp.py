"""C++ structural checks: the C cases run again as C++ (the cpp- checks share
their shapes), plus the C++-only checks."""

from __future__ import annotations

import pytest

from tests.checks import test_c
from tests.checks.helpers import only

PATH = "src/net.cpp"


def as_cpp(rule: str) -> str:
    return "cpp-" + rule.removeprefix("c-")


# (rule, source, line of the finding, suggested line or None)
POSITIVE: list[tuple[str, str, int, str | None]] = [
    *[(as_cpp(rule), source, line, fix) for rule, source, line, fix in test_c.POSITIVE],
    ("cpp-unbounded-copy", test_c.body("std::strcpy(out, name);"), 2, None),
    ("cpp-assignment-in-condition", "void f(int x, int y) {\n    if (x = y) {}\n}\n", 2, None),
    (
        "cpp-catch-by-value",
        "void f() {\n    try {\n        run();\n    } catch (const std::runtime_error e) {\n"
        "        log(e.what());\n    }\n}\n",
        4,
        "    } catch (const std::runtime_error &e) {",
    ),
    ("cpp-throw-new", 'void f() {\n    throw new std::runtime_error("bad");\n}\n', 2, None),
    (
        "cpp-dangling-c-str",
        "void f(int n) {\n    const char *s = std::to_string(n).c_str();\n    puts(s);\n}\n",
        2,
        None,
    ),
    (
        "cpp-dangling-c-str",
        "void f(std::ostringstream &ss) {\n    const char *s;\n    s = ss.str().c_str();\n}\n",
        3,
        None,
    ),
    (
        "cpp-dangling-c-str",
        'void f(const std::string &a) {\n    const char *p = (a + ".bak").c_str();\n}\n',
        2,
        None,
    ),
    (
        "cpp-sql-injection",
        "std::string q(const std::string &n) {\n"
        '    return "SELECT id FROM users WHERE name = \'" + n + "\'";\n}\n',
        2,
        None,
    ),
]

# (rule, source): close to the bug, but fine.
NEGATIVE: list[tuple[str, str]] = [
    *[(as_cpp(rule), source) for rule, source in test_c.NEGATIVE],
    (
        "cpp-return-local-array",
        "std::string shape(int n) {\n    char buf[32];\n    format(buf, n);\n    return buf;\n}\n"
        "char *g() {\n    auto f = []() { char b[2]; return std::string(b); };\n    return 0;\n}\n",
    ),
    (
        "cpp-catch-by-value",
        "void f() {\n    try { run(); }\n    catch (const std::exception &e) {}\n"
        "    catch (int code) {}\n    catch (...) {}\n}\n",
    ),
    (
        "cpp-throw-new",
        'void f() {\n    throw std::runtime_error("bad");\n    auto p = new Foo();\n}\n',
    ),
    (
        "cpp-dangling-c-str",
        "void f(int n, const std::string &name) {\n    puts(std::to_string(n).c_str());\n"
        "    std::string s = std::to_string(n);\n    const char *p = s.c_str();\n"
        "    const char *q = name.c_str();\n}\n",
    ),
    (
        "cpp-sql-injection",
        "void f(Db &db, const std::string &t) {\n"
        '    db.run("SELECT id FROM " + t + " WHERE a = ?");\n'
        '    log("user \'" + t + "\' missing");\n}\n',
    ),
]


@pytest.mark.parametrize("path", ["include/net.hpp", "src/net.cc", "src/net.cxx"])
def test_every_cpp_extension_uses_the_cpp_checks(path: str) -> None:
    assert [f.line for f in only(path, test_c.body("gets(out);"), "cpp-gets")] == [2]

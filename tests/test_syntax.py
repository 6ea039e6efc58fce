"""Parsing and the cut of changed lines into ReviewUnits: scopes and their
qualified names per language, smallest enclosing scope, decorators, module
chunks and line units for files no grammar covers."""

from __future__ import annotations

import textwrap

import pytest

from reviewer.syntax import (
    CHUNK_GAP,
    MAX_UNIT_LINES,
    find_scopes,
    parse_file,
    review_units,
)

PYTHON = textwrap.dedent(
    """\
    import os


    class Parser:
        limit = 3

        @staticmethod
        @cache
        def parse(text):
            def helper(x):
                return x + 1

            return helper(text)

        async def load(self):
            return await os.read()


    def main():
        return Parser()
    """
)


def _scopes(path: str, source: str) -> list[tuple[str, str, int, int]]:
    parsed = parse_file(path, textwrap.dedent(source))
    return [(s.kind, s.name, s.start_line, s.end_line) for s in find_scopes(parsed)]


def _units(path: str, source: str, lines: list[int]) -> list[tuple[str, str | None, int, int]]:
    parsed = parse_file(path, textwrap.dedent(source))
    return [(u.kind, u.symbol, u.start_line, u.end_line) for u in review_units(parsed, lines)]


# Python


def test_python_scopes_have_qualified_names_and_include_decorators() -> None:
    assert sorted(_scopes("p.py", PYTHON)) == [
        ("class", "Parser", 4, 16),
        ("function", "Parser.load", 15, 16),
        ("function", "Parser.parse", 7, 13),  # from the first decorator
        ("function", "Parser.parse.helper", 10, 11),
        ("function", "main", 19, 20),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (11, ("function", "Parser.parse.helper", 10, 11)),  # the innermost scope wins
        (13, ("function", "Parser.parse", 7, 13)),
        (8, ("function", "Parser.parse", 7, 13)),  # a decorator line belongs to its function
        (5, ("class", "Parser", 4, 16)),  # class body outside any method
        (16, ("function", "Parser.load", 15, 16)),
        (20, ("function", "main", 19, 20)),
    ],
)
def test_python_changed_line_goes_to_its_smallest_scope(
    line: int, expected: tuple[str, str, int, int]
) -> None:
    assert _units("p.py", PYTHON, [line]) == [expected]


def test_lines_in_one_scope_make_one_unit() -> None:
    parsed = parse_file("p.py", PYTHON)
    (unit,) = review_units(parsed, [9, 13])
    assert (unit.symbol, unit.changed_lines) == ("Parser.parse", frozenset({9, 13}))
    assert unit.text.splitlines()[0].strip() == "@staticmethod"
    assert unit.language == "python"


def test_module_level_lines_form_chunks() -> None:
    source = "".join(f"x{i} = {i}\n" for i in range(1, 41))
    far = 2 + CHUNK_GAP + 1  # just over the gap after line 2
    units = _units("m.py", source, [1, 2, far, 30])
    assert units == [("module", None, 1, 2), ("module", None, far, far), ("module", None, 30, 30)]
    # Lines up to the gap apart stay in one chunk.
    assert _units("m.py", source, [2, 2 + CHUNK_GAP]) == [("module", None, 2, 2 + CHUNK_GAP)]


def test_module_lines_and_scopes_side_by_side() -> None:
    assert _units("p.py", PYTHON, [1, 20]) == [
        ("module", None, 1, 1),
        ("function", "main", 19, 20),
    ]


def test_blank_lines_make_no_units() -> None:
    assert _units("p.py", PYTHON, [2, 3, 17]) == []


def test_oversized_scope_is_chunked_as_module_lines() -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_UNIT_LINES + 5))
    source = "def huge():\n" + body + "\n\ndef small():\n    return 1\n"
    total = source.count("\n")
    assert _units("m.py", source, [3, total]) == [
        ("module", None, 3, 3),
        ("function", "small", total - 1, total),
    ]


def test_unsupported_language_gets_line_units() -> None:
    source = "".join(f"line {i}\n" for i in range(1, 31))
    parsed = parse_file("notes.txt", source)
    assert parsed.tree is None and parsed.language is None
    assert find_scopes(parsed) == []
    units = review_units(parsed, [3, 4, 25])
    assert [(u.kind, u.symbol, u.language, u.start_line, u.end_line) for u in units] == [
        ("lines", None, None, 3, 4),
        ("lines", None, None, 25, 25),
    ]
    assert units[0].text == "line 3\nline 4"


# JavaScript / TypeScript / TSX

JS = """\
class Store {
  items = [];
  handle = () => {
    this.items = [];
  };
  async load(id) {
    return fetch(id);
  }
  static *ids() {}
}
function outer() {
  const inner = async (x) => {
    return x;
  };
  items.forEach(function (x) {
    use(x);
  });
}
function* gen() {}
module.exports.helper = function () {
  return 2;
};
const api = {
  get: function () {},
  "post": () => 1,
};
const Anon = class {
  run() {}
};
"""

JS_SCOPES = [
    ("class", "Anon", 27, 29),
    ("class", "Store", 1, 10),
    ("function", "Anon.run", 28, 28),
    ("function", "Store.handle", 3, 5),
    ("function", "Store.ids", 9, 9),
    ("function", "Store.load", 6, 8),
    ("function", "gen", 19, 19),
    ("function", "get", 24, 24),
    ("function", "helper", 20, 22),
    ("function", "outer", 11, 18),
    ("function", "outer.inner", 12, 14),
    ("function", "post", 25, 25),
]


@pytest.mark.parametrize("path", ["src/store.js", "src/store.ts", "src/store.tsx"])
def test_javascript_family_scopes(path: str) -> None:
    assert sorted(_scopes(path, JS)) == JS_SCOPES


@pytest.mark.parametrize("path", ["src/store.js", "src/store.ts", "src/store.tsx"])
def test_anonymous_callbacks_belong_to_their_function(path: str) -> None:
    assert _units(path, JS, [16]) == [("function", "outer", 11, 18)]
    assert _units(path, JS, [13]) == [("function", "outer.inner", 12, 14)]
    assert _units(path, JS, [4]) == [("function", "Store.handle", 3, 5)]


TS = """\
interface Shape {
  area(): number;
}
export abstract class Base<T> implements Shape {
  private cache = new Map<string, T>();
  abstract area(): number;
  protected get size(): number {
    return this.cache.size;
  }
  private onClick = (e: Event): void => {
    e.preventDefault();
  };
}
export const render = <T,>(props: Props<T>): string => {
  return String(props);
};
type Alias = { a: number };
"""


def test_typescript_scopes_skip_types_and_see_modifiers() -> None:
    assert sorted(_scopes("src/base.ts", TS)) == [
        ("class", "Base", 4, 13),
        ("function", "Base.onClick", 10, 12),
        ("function", "Base.size", 7, 9),
        ("function", "render", 14, 16),
    ]
    # Interface and type lines are module-level chunks, not scopes.
    assert _units("src/base.ts", TS, [2]) == [("module", None, 2, 2)]


def test_tsx_scopes_around_markup() -> None:
    source = """\
    export function App({ user }: Props) {
      const onClick = () => setOpen(true);
      return <div onClick={onClick}>{user.name}</div>;
    }
    """
    assert sorted(_scopes("src/App.tsx", source)) == [
        ("function", "App", 1, 4),
        ("function", "App.onClick", 2, 2),
    ]
    assert _units("src/App.tsx", source, [3]) == [("function", "App", 1, 4)]


# Ruby

RUBY = """\
module Billing
  class Invoice < Base
    def self.build(attrs)
      new(attrs)
    end

    def total
      lines.sum(&:amount)
    end
  end
end

def helper
  1
end
"""


def test_ruby_scopes_have_qualified_names() -> None:
    assert sorted(_scopes("lib/billing.rb", RUBY)) == [
        ("class", "Billing", 1, 11),
        ("class", "Billing.Invoice", 2, 10),
        ("function", "Billing.Invoice.build", 3, 5),
        ("function", "Billing.Invoice.total", 7, 9),
        ("function", "helper", 13, 15),
    ]


def test_ruby_changed_lines_go_to_their_method() -> None:
    assert _units("lib/billing.rb", RUBY, [8, 14]) == [
        ("function", "Billing.Invoice.total", 7, 9),
        ("function", "helper", 13, 15),
    ]
    assert _units("lib/billing.rb", RUBY, [6]) == []  # blank

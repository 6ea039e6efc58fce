"""Review units of Go, Rust, Java, C and C++: the smallest enclosing scope of
a changed line, and its qualified name."""

from __future__ import annotations

import textwrap

import pytest

from reviewer.syntax import find_scopes, parse_file, review_units

GO = """\
package server

import "net/http"

type Server struct {
	addr string
}

type Handler interface {
	Serve() error
}

func (s *Server) Handle(w http.ResponseWriter) {
	go func() {
		w.WriteHeader(200)
	}()
}

func New(addr string) *Server {
	return &Server{addr: addr}
}
"""

RUST = """\
use std::fmt;

pub struct Wrapper<T> {
    inner: T,
}

impl<T> Wrapper<T> {
    pub fn new(inner: T) -> Self {
        Self { inner }
    }
}

impl<T: fmt::Debug> fmt::Display for Wrapper<T> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let show = |x: &T| format!("{:?}", x);
        write!(f, "{}", show(&self.inner))
    }
}

trait Named {
    fn name(&self) -> String {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn builds() {
        assert!(true);
    }
}
"""

JAVA = """\
package com.acme;

public class Service {
  private final Repo repo;

  public Service(Repo repo) {
    this.repo = repo;
  }

  public void run() {
    items.forEach(item -> {
      repo.save(item);
    });
  }

  static class Cache {
    int size() {
      return 0;
    }
  }

  enum Mode {
    FAST;
    boolean quick() { return true; }
  }
}
"""

C = """\
#include <stdlib.h>

struct point {
    int x;
    int y;
};

static int count;

char **split(const char *text, char sep) {
    char **parts = malloc(8 * sizeof *parts);
    return parts;
}

static int add(int a, int b) {
    return a + b;
}
"""

CPP = """\
#include <string>

namespace gfx {

class Widget {
 public:
  ~Widget() {
    release();
  }
  void draw() const {
    paint();
  }
  Widget &operator=(const Widget &other) {
    return *this;
  }
};

}  // namespace gfx

void gfx::Widget::resize(int w) {
  width = w;
}

template <typename T>
T *make() {
  return new T();
}

struct Point {
  int x;
};
"""

# (path, source, changed line, kind, symbol, start line, end line)
CASES: list[tuple[str, str, int, str, str | None, int, int]] = [
    ("srv/server.go", GO, 6, "class", "Server", 5, 7),
    ("srv/server.go", GO, 10, "class", "Handler", 9, 11),
    ("srv/server.go", GO, 15, "function", "Server.Handle", 13, 17),  # in a func literal
    ("srv/server.go", GO, 20, "function", "New", 19, 21),
    ("srv/server.go", GO, 3, "module", None, 3, 3),
    ("src/lib.rs", RUST, 4, "class", "Wrapper", 3, 5),
    ("src/lib.rs", RUST, 9, "function", "Wrapper.new", 8, 10),
    ("src/lib.rs", RUST, 16, "function", "Wrapper.fmt", 14, 17),  # trait impl, closure
    ("src/lib.rs", RUST, 22, "function", "Named.name", 21, 23),
    ("src/lib.rs", RUST, 30, "function", "tests.builds", 29, 31),
    ("src/lib.rs", RUST, 1, "module", None, 1, 1),
    ("src/main/java/Service.java", JAVA, 7, "function", "Service.Service", 6, 8),
    ("src/main/java/Service.java", JAVA, 12, "function", "Service.run", 10, 14),  # lambda
    ("src/main/java/Service.java", JAVA, 18, "function", "Service.Cache.size", 17, 19),
    ("src/main/java/Service.java", JAVA, 24, "function", "Service.Mode.quick", 24, 24),
    ("src/main/java/Service.java", JAVA, 4, "class", "Service", 3, 26),
    ("src/geo.c", C, 5, "class", "point", 3, 6),
    ("src/geo.c", C, 11, "function", "split", 10, 13),
    ("src/geo.c", C, 16, "function", "add", 15, 17),
    ("src/geo.c", C, 8, "module", None, 8, 8),
    ("src/widget.cpp", CPP, 8, "function", "Widget.~Widget", 7, 9),
    ("src/widget.cpp", CPP, 11, "function", "Widget.draw", 10, 12),
    ("src/widget.cpp", CPP, 14, "function", "Widget.operator=", 13, 15),
    ("src/widget.cpp", CPP, 21, "function", "gfx::Widget::resize", 20, 22),
    ("src/widget.cpp", CPP, 26, "function", "make", 25, 27),
    ("src/widget.cpp", CPP, 30, "class", "Point", 29, 31),
]


@pytest.mark.parametrize(("path", "source", "line", "kind", "symbol", "start", "end"), CASES)
def test_smallest_enclosing_scope(
    path: str, source: str, line: int, kind: str, symbol: str | None, start: int, end: int
) -> None:
    (unit,) = review_units(parse_file(path, source), [line])
    assert (unit.kind, unit.symbol, unit.start_line, unit.end_line) == (kind, symbol, start, end)
    assert unit.changed_lines == frozenset({line})


def test_lines_in_two_methods_make_two_units() -> None:
    units = review_units(parse_file("Service.java", JAVA), [7, 12])
    assert [u.symbol for u in units] == ["Service.Service", "Service.run"]


@pytest.mark.parametrize(
    ("path", "source", "functions"),
    [
        ("a.go", GO, ["Server.Handle", "New"]),
        ("a.rs", RUST, ["Wrapper.new", "Wrapper.fmt", "Named.name", "tests.builds"]),
        (
            "A.java",
            JAVA,
            ["Service.Service", "Service.run", "Service.Cache.size", "Service.Mode.quick"],
        ),
        ("a.c", C, ["split", "add"]),
        (
            "a.cc",
            CPP,
            ["Widget.~Widget", "Widget.draw", "Widget.operator=", "gfx::Widget::resize", "make"],
        ),
    ],
)
def test_every_function_is_a_scope(path: str, source: str, functions: list[str]) -> None:
    scopes = find_scopes(parse_file(path, source))
    assert [s.name for s in scopes if s.kind == "function"] == functions


def test_c_function_pointer_declarations_are_not_scopes() -> None:
    source = textwrap.dedent("""\
        int (*handler)(int);
        char **names(void);
        """)
    assert find_scopes(parse_file("a.c", source)) == []

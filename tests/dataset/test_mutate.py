"""Synthetic bugs: each operator on a unit where it applies, and the records
mutate_units makes (buggy and clean alike, deterministic by seed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.dataset.mutate import CleanUnit, mutate_units, units_from_paths
from reviewer.dataset.operators import sites
from reviewer.dataset.record import read_records
from reviewer.syntax import parse_file


def mutate_with(path: str, source: str, operator: str) -> list[str]:
    """Every mutated version of `source` that `operator` proposes."""
    parsed = parse_file(path, source)
    assert parsed.tree is not None
    data = parsed.source
    found = sites(parsed.tree.root_node, data).get(operator, [])
    return [(data[: s.start] + s.replacement + data[s.end :]).decode() for s in found]


CASES = [
    ("a.py", "def f(a, b):\n    return a < b\n", "swapped-comparison", "return a <= b"),
    ("a.py", "def f(xs):\n    return xs[1]\n", "off-by-one", "return xs[0]"),
    ("a.py", "def f(n):\n    for i in range(1, n):\n        g(i)\n", "off-by-one", "range(0, n)"),
    ("a.py", "def f(a):\n    c = a + 1\n    g(c)\n", "wrong-variable", "g(a)"),
    ("a.py", "def f(a):\n    if not a:\n        return 1\n", "dropped-negation", "if a:"),
    ("a.py", "def f(a, b):\n    return g(a, b)\n", "swapped-arguments", "g(b, a)"),
    ("a.py", "async def f(a):\n    return await g(a)\n", "missing-await", "return g(a)"),
    ("a.py", "def f(a, b):\n    return a and b\n", "wrong-boolean-operator", "return a or b"),
    ("a.py", "def f(a):\n    c = a\n    return c\n", "returned-wrong-variable", "return a"),
    (
        "a.py",
        "def f(a):\n    try:\n        g(a)\n    except ValueError:\n        log(a)\n        raise\n",  # noqa: E501
        "swallowed-exception",
        "    except ValueError:\n        pass\n",
    ),
    (
        "a.py",
        "def f(a):\n    if a is None:\n        return 0\n    return a.size\n",
        "removed-null-check",
        "def f(a):\n    return a.size\n",
    ),
    ("a.js", "function f(a, b) {\n  return a === b;\n}\n", "swapped-comparison", "a !== b"),
    ("a.js", "function f(a, b) {\n  return a && b;\n}\n", "wrong-boolean-operator", "a || b"),
    ("a.js", "async function f(a) {\n  return await g(a);\n}\n", "missing-await", "return g(a)"),
    ("a.js", "function f(a) {\n  if (!a) {\n    return 1;\n  }\n}\n", "dropped-negation", "(a)"),
    (
        "a.go",
        "package p\n\nfunc f() (int, error) {\n\tn, err := g()\n\treturn n, err\n}\n",
        "swallowed-exception",
        "return n, nil",
    ),
    (
        "a.go",
        "package p\n\nfunc f() int {\n\tif x == nil {\n\t\treturn 0\n\t}\n\treturn x.n\n}\n",
        "removed-null-check",
        "func f() int {\n\treturn x.n\n}",
    ),
]


@pytest.mark.parametrize(("path", "source", "operator", "expected"), CASES)
def test_operator_injects_the_bug(path: str, source: str, operator: str, expected: str) -> None:
    mutants = mutate_with(path, source, operator)
    assert any(expected in mutant for mutant in mutants), mutants
    assert all(mutant != source for mutant in mutants)


def test_operators_leave_code_alone_where_they_do_not_apply() -> None:
    source = "def f(a):\n    return a\n"
    assert mutate_with("a.py", source, "swapped-comparison") == []
    assert mutate_with("a.py", source, "missing-await") == []


UNITS = [
    CleanUnit("acme/x", "MIT", f"m{i}.py", 10, body, f"f{i}")
    for i, body in enumerate(
        [
            f"def f{i}(items, limit):\n    total = 0\n    for item in items:\n"
            f"        if item < limit and item > {i}:\n            total = total + item\n"
            "    return total"
            for i in range(40)
        ]
    )
]


def test_mutate_units_makes_buggy_and_clean_records_with_their_lines() -> None:
    records = list(mutate_units(UNITS, seed=3))
    buggy = [r for r in records if r.kind == "fix"]
    clean = [r for r in records if r.kind == "clean"]
    assert len(records) == 40
    assert 10 <= len(buggy) <= 30 and len(clean) == 40 - len(buggy)
    for record in buggy:
        (line,) = record.fixed_lines_in_unit
        assert record.changed_lines_in_unit == [line]
        assert record.unit_before != record.unit_after
        assert record.fixed_lines == [record.unit_start + line - 1]
        assert record.message and record.category and record.origin == "mutation"
        parsed = parse_file(record.path, record.unit_before)
        assert parsed.tree is not None and not parsed.tree.root_node.has_error
    for record in clean:
        assert record.unit_before == record.unit_after and record.fixed_lines_in_unit == []
        (line,) = record.changed_lines_in_unit
        assert 1 <= line <= 6


def test_mutate_units_is_deterministic_by_seed() -> None:
    first = [r.model_dump() for r in mutate_units(UNITS, seed=7)]
    assert first == [r.model_dump() for r in mutate_units(UNITS, seed=7)]
    assert first != [r.model_dump() for r in mutate_units(UNITS, seed=8)]


def test_cli_mutates_a_source_folder(tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "tests").mkdir(parents=True)
    for i in range(6):
        (source / f"mod{i}.py").write_text(UNITS[i].text + "\n")
    (source / "tests" / "test_mod.py").write_text(UNITS[7].text + "\n")
    out = tmp_path / "mutants.jsonl"
    assert main(["dataset", "mutate", str(source), "--repo", "acme/x", "-o", str(out)]) == 0
    records = list(read_records(out))
    assert len(records) == 6
    assert {r.path for r in records} == {f"mod{i}.py" for i in range(6)}
    assert all(r.repo == "acme/x" and r.unit_start == 1 for r in records)


def test_clean_units_of_a_dataset_file_are_mutation_input(tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    mutants = list(mutate_units(UNITS[:4], seed=1))
    from reviewer.dataset.record import write_records

    write_records(mutants, data)
    units = list(units_from_paths([data]))
    assert [u.text for u in units] == [r.unit_before for r in mutants if r.kind == "clean"]

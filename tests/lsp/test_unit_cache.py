"""Findings remembered per unit equal the findings of checking every unit
again, edit after edit, and an edit re-checks only the units it touched."""

from __future__ import annotations

from lsprotocol import types
from reviewer_lsp.documents import Document
from reviewer_lsp.unit_cache import CachedScopes, CachedUnitChecks

from reviewer.config import Config
from reviewer.engine import StructuralChecks, review
from tests.conftest import GitRepo


def function(index: int) -> str:
    if index % 10 == 4:  # methods: names qualified by their class
        return f"class C{index}:\n    @staticmethod\n    def m(items):\n        return items\n\n"
    return f"def f{index}(items):\n    total = 0\n    return total\n\n\n"


def edit(document: Document, version: int, row: int, end_row: int, text: str) -> None:
    document.apply(
        types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(row, 0), types.Position(end_row, 0)), text=text
        ),
        version,
    )


SCOPES = CachedScopes()


def findings(document: Document, producer: object) -> list[tuple[int, int, str, str]]:
    """The findings, with remembered scopes when the checks are remembered
    too; the units the review made as its last row."""
    cached = isinstance(producer, CachedUnitChecks)
    report = review(
        document.change_set(),
        Config(),
        producers=(producer,),  # type: ignore[arg-type]
        parsed_files={document.path: document.parse()},
        scope_finder=SCOPES if cached else None,
    )
    found = sorted((f.line, f.column, f.rule_id, f.fingerprint) for f in report.findings)
    return [*found, (report.units_reviewed, 0, "units", "")]


def test_cached_findings_equal_fresh_ones_and_only_touched_units_are_checked(
    repo: GitRepo,
) -> None:
    head = "".join(function(i) for i in range(40))
    repo.write("m.py", head)
    repo.commit("start")
    lines = head.split("\n")
    for i in range(0, 40, 2):  # 20 changed functions, each with a defect
        lines[i * 5 + 1] = "    total = 0 if items == None else 1"
    file = repo.path / "m.py"
    document = Document.open(file.as_uri(), file, "\n".join(lines), 1)
    cache = CachedUnitChecks()
    assert findings(document, cache) == findings(document, StructuralChecks(units_only=True))
    assert cache.misses == 20 and cache.hits == 0
    steps = [
        (12, 12, "    flag = items is 3\n"),  # into f2: shifts every unit below
        (12, 13, ""),
        (0, 0, "import os\n"),  # above everything
        (101, 102, "    return total is 'x'\n"),  # f20, not changed before
        (3, 3, "    # a comment\n"),
    ]
    for version, (row, end_row, text) in enumerate(steps, start=2):
        before = cache.misses
        edit(document, version, row, end_row, text)
        assert findings(document, cache) == findings(document, StructuralChecks(units_only=True))
        assert cache.misses - before <= 1  # only the unit the edit touched
    assert cache.hits > 80
    assert len(findings(document, cache)) >= 22  # the checks did find something
    assert len(SCOPES.entries) >= 20


def test_an_attribute_above_a_function_is_part_of_what_is_remembered(repo: GitRepo) -> None:
    """Found by the language-server fuzz (seed 290375): `#[test]` spares a
    function from rust-unwrap-in-result-fn; an edit that broke the attribute
    left the function's text, and so its remembered (empty) findings, alone."""
    head = (
        "#[test]\n"
        "fn reads() -> Result<()> {\n"
        '    let text = fs::read_to_string("fixture").unwrap();\n'
        "    Ok(())\n"
        "}\n"
    )
    repo.write("lib.rs", "")
    repo.commit("start")
    file = repo.path / "lib.rs"
    document = Document.open(file.as_uri(), file, head, 1)
    cache = CachedUnitChecks()
    fresh = StructuralChecks(units_only=True)
    assert findings(document, cache) == findings(document, fresh)
    rules = [rule for _, _, rule, _ in findings(document, fresh)]
    assert "rust-unwrap-in-result-fn" not in rules
    edit(document, 2, 0, 1, "st]\n")  # the attribute broken, the function untouched
    after = findings(document, cache)
    assert after == findings(document, fresh)
    assert any(rule == "rust-unwrap-in-result-fn" for _, _, rule, _ in after)

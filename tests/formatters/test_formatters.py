"""Formatters: golden files for every format, SARIF against the official
schema, GitHub escaping, colour on and off.

Regenerate the golden files with `REVIEWER_UPDATE_GOLDEN=1 pytest tests/formatters`
and review the diff before committing it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path

import pytest

from reviewer.diff import SkippedFile
from reviewer.engine import Report
from reviewer.findings import Finding, RuleInfo, Severity
from reviewer.formatters import FORMATTERS, OutputOptions
from reviewer.formatters.github import annotation, escape_data, escape_property, format_github
from reviewer.formatters.json import dumps
from reviewer.formatters.rdjson import rdjson_payload
from reviewer.formatters.sarif import sarif_log
from reviewer.formatters.text import format_text
from reviewer.risk import ChangeRisk, Rank, RiskLine
from tests.conftest import GitRepo
from tests.sarif_schema import sarif_errors, sarif_schema

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("REVIEWER_UPDATE_GOLDEN") == "1"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

APP = [
    "import os",
    "",
    "def add(item, items=[]):",
    "    if item == None:",
    "        return items",
    "    items.append(item)",
    "    return items",
    "",
    "def load(path):",
    "    data = open(path).read()",
    "    return data",
]
UTIL = [
    "export function same(a, b) {",
    "  if (a == b) {",
    "    return true;",
    "  }",
    '  return "h\u00e9llo w\u00f6rld" === b; // TODO: tidy',
    "}",
]


def col(line: str, needle: str) -> int:
    return line.index(needle) + 1


# The catalog entries the findings carry: fixed here, so the golden files do
# not change with checks.scm.
RULES = {
    "py-mutable-default-arg": RuleInfo("Mutable default argument", Severity.WARNING, "python"),
    "py-none-equality": RuleInfo("Comparison to None with `==`", Severity.WARNING, "python"),
    "js-loose-equality": RuleInfo("Loose equality", Severity.ERROR, "javascript"),
}


def golden_report() -> Report:
    todo = UTIL[4]
    findings = (
        # Deliberately out of order: every formatter sorts.
        Finding(
            path="web/util.js",
            line=5,
            end_line=5,
            column=col(todo, "//"),
            end_column=len(todo) + 1,
            severity=Severity.INFO,
            rule_id="js-todo-comment",
            message="TODO left in changed code",
            fingerprint="5e5e5e5e5e5e5e5e:0",
            language="javascript",  # no catalog entry: SARIF says which tier reported it
        ),
        Finding(
            path="src/app.py",
            line=4,
            end_line=4,
            column=col(APP[3], "item =="),
            end_column=col(APP[3], ":"),
            severity=Severity.WARNING,
            rule_id="py-none-equality",
            message="Comparison to None with `==`; use `is None`",
            suggestion="    if item is None:",
            fingerprint="2b2b2b2b2b2b2b2b:0",
            language="python",
            rule=RULES["py-none-equality"],
        ),
        Finding(
            path="src/app.py",
            line=3,
            end_line=3,
            column=col(APP[2], "items=[]"),
            end_column=col(APP[2], ")"),
            severity=Severity.WARNING,
            rule_id="py-mutable-default-arg",
            message="Mutable default argument `items=[]` is shared between calls",
            fingerprint="1a1a1a1a1a1a1a1a:0",
            language="python",
            rule=RULES["py-mutable-default-arg"],
        ),
        Finding(
            path="src/app.py",
            line=10,
            end_line=11,
            column=col(APP[9], "open"),
            end_column=len(APP[10]) + 1,
            severity=Severity.ERROR,
            rule_id="model/resource-leak",
            message="The file opened here is never closed, 100% of calls leak a handle:\n"
            "use `with open(path) as f`",
            source="model",
            confidence=0.72,
            fingerprint="3c3c3c3c3c3c3c3c:0",
        ),
        Finding(
            path="web/util.js",
            line=2,
            end_line=2,
            column=col(UTIL[1], "a =="),
            end_column=col(UTIL[1], ") {"),
            severity=Severity.ERROR,
            rule_id="js-loose-equality",
            message="`==` converts its operands before comparing; use `===`",
            suggestion="  if (a === b) {",
            fingerprint="4d4d4d4d4d4d4d4d:0",
            language="javascript",
            rule=RULES["js-loose-equality"],
        ),
    )
    return Report(
        description="work tree vs HEAD",
        root=Path("/repo"),
        findings=findings,
        fail_level=Severity.ERROR,
        files_reviewed=4,
        units_reviewed=7,
        skipped=(
            SkippedFile("assets/logo.png", "binary"),
            SkippedFile("data/big.json", "too large (2,000,000 bytes > 1,000,000)"),
            SkippedFile("old.py", "deleted"),
        ),
        hidden={"outside the diff": 3, "suppressed": 1},
        notes=("src/legacy.py: invalid UTF-8, decoded with replacement characters",),
        sources={"src/app.py": tuple(APP), "web/util.js": tuple(UTIL)},
        added_lines={"src/app.py": frozenset({3, 4, 10}), "web/util.js": frozenset({2, 5})},
    )


def empty_report() -> Report:
    return Report(
        description="staged vs HEAD",
        root=Path("/repo"),
        findings=(),
        fail_level=Severity.ERROR,
        files_reviewed=2,
        units_reviewed=3,
    )


REPORTS = {"report": golden_report, "empty": empty_report}
RENDERERS = {
    "txt": lambda report: format_text(report, OutputOptions()),
    "json": lambda report: FORMATTERS["json"](report, OutputOptions()),
    "sarif": lambda report: dumps(sarif_log(report)),
    "github.txt": lambda report: format_github(report, OutputOptions()),
    "rdjson": lambda report: FORMATTERS["rdjson"](report, OutputOptions()),
}


@pytest.mark.parametrize("kind", sorted(RENDERERS))
@pytest.mark.parametrize("name", sorted(REPORTS))
def test_golden(name: str, kind: str) -> None:
    rendered = RENDERERS[kind](REPORTS[name]())
    path = GOLDEN / f"{name}.{kind}"
    if UPDATE:
        path.write_text(rendered, encoding="utf-8", newline="\n")
    assert path.is_file(), f"{path} missing: run with REVIEWER_UPDATE_GOLDEN=1"
    assert rendered == path.read_text(encoding="utf-8")


# The golden file each registered format must write (its extension).
REGISTERED = {"github": "github.txt", "json": "json", "rdjson": "rdjson", "sarif": "sarif",
              "text": "txt"}  # fmt: skip


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_registry_has_every_format(name: str) -> None:
    """Each name the CLI accepts renders what its golden file holds, and the
    same report built twice renders the same bytes (deterministic output)."""
    assert sorted(FORMATTERS) == sorted(REGISTERED)
    for format_name, extension in REGISTERED.items():
        render = FORMATTERS[format_name]
        first = render(REPORTS[name](), OutputOptions())
        assert first == (GOLDEN / f"{name}.{extension}").read_text(encoding="utf-8"), format_name
        assert render(REPORTS[name](), OutputOptions()) == first, format_name


# --- SARIF -------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_sarif_validates_against_the_official_schema(name: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = sarif_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    assert validator_class is jsonschema.Draft4Validator  # the schema says draft-04
    validator_class.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    for log in (
        sarif_log(REPORTS[name]()),
        json.loads(FORMATTERS["sarif"](REPORTS[name](), OutputOptions())),
    ):
        assert sarif_errors(log) == []
    # a broken log is caught (the validator really looks)
    assert sarif_errors({"version": "2.1.0", "runs": [{"results": []}]}) != []


def test_sarif_rules_results_and_fixes() -> None:
    log = sarif_log(golden_report())
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r["id"] for r in rules)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    model = next(r for r in rules if r["id"] == "model/resource-leak")
    assert model["properties"] == {"source": "model"}
    assert model["defaultConfiguration"]["level"] == "error"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///repo/"
    fixed = [r for r in run["results"] if "fixes" in r]
    assert [r["ruleId"] for r in fixed] == ["py-none-equality", "js-loose-equality"]
    replacement = fixed[0]["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement["deletedRegion"] == {
        "startLine": 4,
        "startColumn": 1,
        "endLine": 4,
        "endColumn": len(APP[3]) + 1,
    }
    assert replacement["insertedContent"]["text"] == "    if item is None:"


def test_a_sarif_fix_ends_its_region_at_the_end_of_the_line_when_the_text_is_known() -> None:
    def deleted(line: int, sources: dict[str, tuple[str, ...]]) -> dict[str, int]:
        finding = Finding(
            "a.py", line, line, 1, 2, Severity.WARNING, "r", "m", suggestion="y = 2",
            fingerprint="f:0",
        )  # fmt: skip
        report = Report("d", Path("/repo"), (finding,), Severity.ERROR, sources=sources)
        (result,) = sarif_log(report)["runs"][0]["results"]
        change = result["fixes"][0]["artifactChanges"][0]
        region: dict[str, int] = change["replacements"][0]["deletedRegion"]
        return region

    lines = ("x = 1", "if x == None:")
    last = {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 14}
    assert deleted(2, {"a.py": lines}) == last  # the file's last line
    assert deleted(2, {}) == {"startLine": 2, "startColumn": 1, "endLine": 2}
    assert deleted(3, {"a.py": lines}) == {"startLine": 3, "startColumn": 1, "endLine": 3}


def test_structural_findings_carry_their_catalog_entry_to_sarif() -> None:
    from reviewer.checks import run_checks
    from reviewer.syntax import parse_file

    (finding,) = run_checks(parse_file("src/app.py", "if item == None:\n    pass\n"))
    assert finding.rule_id == "py-none-equality"
    assert finding.language == "python"
    assert finding.rule is not None and finding.rule.language == "python"
    assert "{" not in finding.rule.description
    report = Report("work tree vs HEAD", Path("/repo"), (finding,), Severity.ERROR)
    log = json.loads(FORMATTERS["sarif"](report, OutputOptions()))
    (rule,) = log["runs"][0]["tool"]["driver"]["rules"]
    assert rule["properties"] == {"source": "structural", "language": "python"}
    assert rule["shortDescription"]["text"] == finding.rule.description


def test_a_rule_with_several_patterns_has_one_catalog_entry() -> None:
    # c-unbounded-sprintf has patterns with different messages; SARIF's rule
    # table describes the id once, as `reviewer checks` lists it.
    from reviewer.checks import checks_for, run_checks
    from reviewer.languages import registry
    from reviewer.syntax import parse_file
    from tests.checks import test_c

    rows = [row for row in test_c.POSITIVE if row[0] == "c-unbounded-sprintf"]
    found = [
        f
        for _, source, *_ in rows
        for f in run_checks(parse_file("src/net.c", source))
        if f.rule_id == "c-unbounded-sprintf"
    ]
    assert len({f.message for f in found}) > 1
    check_set = checks_for(registry()["c"])
    assert check_set is not None
    (listed,) = [c for c in check_set.checks if c.id == "c-unbounded-sprintf"]
    assert {f.rule for f in found} == {check_set.rules["c-unbounded-sprintf"]}
    assert check_set.rules["c-unbounded-sprintf"].severity == listed.severity


def test_sarif_uris_are_relative_and_escaped() -> None:
    report = Report(
        description="d",
        root=Path("/my repo"),
        findings=(
            Finding("docs/a b#1.py", 1, 1, 1, 2, Severity.INFO, "r", "m", fingerprint="f:0"),
        ),
        fail_level=Severity.ERROR,
    )
    run = sarif_log(report)["runs"][0]
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "docs/a%20b%231.py", "uriBaseId": "%SRCROOT%"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///my%20repo/"


def with_risk(report: Report) -> Report:
    line = RiskLine("src/app.py", 10, 0.31, ("opens a file",))
    risk = ChangeRisk(0.42, (line,), ("large change",), True, "jit", Rank(3, 10))
    return dataclasses.replace(report, risk=risk)


def test_sarif_carries_the_change_risk_in_the_run_properties() -> None:
    run = sarif_log(with_risk(empty_report()))["runs"][0]
    assert run["properties"]["risk"] == {
        "probability": 0.42,
        "calibrated": True,
        "scorer": "jit",
        "reasons": ["large change"],
        "lines": [{"path": "src/app.py", "line": 10, "score": 0.31, "reasons": ["opens a file"]}],
        "rank": {"above": 3, "of": 10},
    }
    assert "risk" not in sarif_log(empty_report())["runs"][0]["properties"]


def test_a_relative_root_becomes_an_absolute_sarif_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    report = Report("d", Path("."), (), Severity.ERROR)
    base = sarif_log(report)["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == tmp_path.as_uri() + "/"


# --- GitHub ------------------------------------------------------------------


def test_github_escaping() -> None:
    assert escape_data("100% sure:\r\nyes, no") == "100%25 sure:%0D%0Ayes, no"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    finding = Finding(
        path="dir,1/a:b.py",
        line=3,
        end_line=3,
        column=5,
        end_column=9,
        severity=Severity.WARNING,
        rule_id="rule:x,y",
        message="50% off: first line,\nsecond line",
    )
    assert annotation(finding) == (
        "::warning file=dir%2C1/a%3Ab.py,line=3,endLine=3,col=5,endColumn=9,"
        "title=rule%3Ax%2Cy::50%25 off: first line,%0Asecond line"
    )


def test_github_one_line_annotation_far_down_a_file_has_columns() -> None:
    line, end_line = (int(n) for n in ["300", "300"])  # two objects, as a parser's are
    finding = Finding("a.py", line, end_line, 5, 9, Severity.WARNING, "r", "m")
    assert annotation(finding).startswith("::warning file=a.py,line=300,endLine=300,col=5,")


def test_github_multiline_annotation_has_no_columns() -> None:
    lines = format_github(golden_report(), OutputOptions()).splitlines()
    model = next(line for line in lines if "model/resource-leak" in line)
    assert model.startswith("::error file=src/app.py,line=10,endLine=11,title=")
    assert "col=" not in model
    plain = [line for line in lines if not line.startswith("::")]
    assert plain[-1].startswith("5 findings (2 errors, 2 warnings, 1 info)")


def test_github_says_the_change_risk_in_a_notice_after_the_annotations() -> None:
    lines = format_github(with_risk(golden_report()), OutputOptions()).splitlines()
    risk = lines.index(
        "::notice title=reviewer%3A change risk::Change risk 0.42; higher than 3 of the last "
        "10 changes here: large change. Look first at src/app.py:10 (score 0.31): opens a file"
    )
    assert lines[risk - 1].startswith("::notice file=web/util.js")  # the last annotation
    assert lines[risk + 1].startswith("::notice title=reviewer::src/legacy.py")  # the note
    plain = format_github(golden_report(), OutputOptions())
    assert "change risk" not in plain


# --- rdjson ------------------------------------------------------------------


def test_rdjson_columns_are_utf8_bytes() -> None:
    diagnostics = rdjson_payload(golden_report())["diagnostics"]
    todo = next(d for d in diagnostics if d["code"]["value"] == "js-todo-comment")
    line = UTIL[4]
    start = len(line[: line.index("//")].encode("utf-8")) + 1
    assert todo["location"]["range"]["start"] == {"line": 5, "column": start}
    assert start == col(line, "//") + 2  # two two-byte characters before it
    fixed = next(d for d in diagnostics if d["code"]["value"] == "py-none-equality")
    assert fixed["suggestions"] == [
        {
            "range": {"start": {"line": 4, "column": 1}, "end": {"line": 5, "column": 1}},
            "text": "    if item is None:\n",
        }
    ]


# --- text --------------------------------------------------------------------


def test_text_is_plain_without_colour_and_coloured_with_it() -> None:
    report = golden_report()
    plain = format_text(report, OutputOptions(color=False))
    coloured = format_text(report, OutputOptions(color=True))
    assert "\x1b" not in plain
    assert "\x1b[" in coloured
    assert ANSI.sub("", coloured) == plain


def test_text_is_independent_of_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = format_text(golden_report(), OutputOptions())
    for name, value in (("FORCE_COLOR", "1"), ("COLUMNS", "40"), ("TERM", "dumb")):
        monkeypatch.setenv(name, value)
    assert format_text(golden_report(), OutputOptions()) == expected


def test_text_carets_follow_tabs_and_wide_characters() -> None:
    line = "\tx = '\u6f22\u5b57' == None"
    start = line.index("'")
    finding = Finding("a.py", 1, 1, start + 1, len(line) + 1, Severity.WARNING, "r", "m")
    report = Report(
        description="d",
        root=Path("/repo"),
        findings=(finding,),
        fail_level=Severity.ERROR,
        sources={"a.py": (line,)},
        added_lines={"a.py": frozenset({1})},
    )
    rows = format_text(report, OutputOptions()).splitlines()
    code, carets = rows[2], rows[3]
    assert code == "  + 1 |     x = '\u6f22\u5b57' == None"
    # Each CJK character takes two cells.
    assert carets == "      |         " + "^" * 14


def test_text_neutralises_control_characters() -> None:
    finding = Finding("a.py", 1, 1, 1, 2, Severity.ERROR, "r", "bad \x1b[31m message")
    report = Report(
        description="d",
        root=Path("/repo"),
        findings=(finding,),
        fail_level=Severity.ERROR,
        sources={"a.py": ("x = '\x1b[2J'",)},
    )
    assert "\x1b" not in format_text(report, OutputOptions())


def test_text_cuts_long_lines_to_the_width() -> None:
    line = "x = " + "1 + " * 60 + "1"
    finding = Finding("a.py", 1, 1, 1, 2, Severity.ERROR, "r", "m")
    report = Report(
        description="d",
        root=Path("/repo"),
        findings=(finding,),
        fail_level=Severity.ERROR,
        sources={"a.py": (line,)},
    )
    rows = format_text(report, OutputOptions(width=60)).splitlines()
    assert all(len(row) <= 60 for row in rows)
    assert rows[2].endswith("...")


def test_text_summary_lines() -> None:
    text = format_text(golden_report(), OutputOptions())
    assert "skipped 3 files: 1 binary, 1 deleted, 1 too large" in text
    assert "hidden: 3 outside the diff, 1 suppressed" in text
    assert text.rstrip().endswith(
        "5 findings (2 errors, 2 warnings, 1 info) in 4 files, 7 units reviewed (work tree vs HEAD)"
    )
    assert format_text(empty_report(), OutputOptions()) == (
        "No findings in 2 files, 3 units reviewed (staged vs HEAD)\n"
    )


@pytest.mark.parametrize(
    "report",
    [
        empty_report(),
        Report("work tree vs HEAD", Path("/repo"), (), Severity.ERROR),
        Report("x" * 120, Path("/repo"), (), Severity.ERROR),  # wider than the terminal
        Report("tab\there", Path("/repo"), (), Severity.ERROR),
    ],
)
def test_plain_text_without_rich_equals_rich(report: Report) -> None:
    """The text format writes a summary-only report itself (no rich import
    on an empty diff): byte for byte what rich writes."""
    options = OutputOptions(color=False, width=100)
    assert FORMATTERS["text"](report, options) == format_text(report, options)


def test_an_empty_diff_does_not_import_rich(repo: GitRepo) -> None:
    import subprocess
    import sys

    probe = (
        "import sys; from reviewer.cli import main; code = main(['diff', '--no-color']); "
        "print(code, 'rich' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.splitlines()[-1] == "0 False"
    assert done.stdout.startswith("Nothing to review")

"""The engine over hand-built change sets (pure: no git needed)."""

from __future__ import annotations

from pathlib import Path

from reviewer.config import Config, load_config
from reviewer.diff import ChangeSet, ChangeStatus, FileChange, SkippedFile, hunks_between
from reviewer.engine import StructuralChecks, count_units, review
from reviewer.findings import Finding, Severity
from reviewer.risk import ChangeFacts, ChangeRisk, FileFacts
from reviewer.syntax import parse_file

OLD = "def f(a):\n    if a == None:\n        return 1\n    return 2\n"
NEW = OLD + "\n\ndef g(b):\n    if b == None:\n        return 3\n    return 4\n"


def _change_set(old: str | None, new: str, path: str = "m.py") -> ChangeSet:
    change = FileChange(path, ChangeStatus.MODIFIED, new, hunks_between(old, new), old_text=old)
    return ChangeSet(Path("/repo"), "test", (change,))


def _lines(findings: tuple[Finding, ...]) -> list[int]:
    return [f.line for f in findings]


def test_added_mode_shows_only_changed_lines() -> None:
    report = review(_change_set(OLD, NEW), Config())
    assert _lines(report.findings) == [8]
    assert report.hidden == {"outside the diff": 1}
    assert report.units_reviewed == 1


def test_diff_context_mode_includes_three_lines_around() -> None:
    old = "x = 1\n" * 10 + "if a == None:\n    pass\n" + "y = 2\n" * 5
    new = "x = 1\n" * 10 + "if a == None:\n    pass\n" + "y = 2\n" * 3 + "z = 3\n" + "y = 2\n"
    assert _lines(review(_change_set(old, new), Config()).findings) == []
    report = review(_change_set(old, new), Config(filter_mode="diff_context"))
    assert _lines(report.findings) == []  # line 11 is four lines before the change at 15
    new_near = "x = 1\n" * 10 + "if a == None:\n    pass\n" + "z = 3\n" + "y = 2\n" * 4
    report = review(_change_set(old, new_near), Config(filter_mode="diff_context"))
    assert _lines(report.findings) == [11]


def test_file_mode_shows_everything() -> None:
    report = review(_change_set(OLD, NEW), Config(filter_mode="file"))
    assert _lines(report.findings) == [2, 8]


def test_fingerprints_survive_lines_moving() -> None:
    first = review(_change_set(None, NEW), Config()).findings
    moved = review(_change_set(None, "# header\n\n" + NEW), Config()).findings
    assert [f.fingerprint for f in first] == [f.fingerprint for f in moved]
    assert [f.line + 2 for f in first] == [f.line for f in moved]
    assert len({f.fingerprint for f in first}) == 2


def test_baseline_hides_known_findings_only() -> None:
    everything = review(_change_set(None, NEW), Config()).findings
    known = frozenset({everything[0].fingerprint})
    report = review(_change_set(None, NEW), Config(), baseline=known)
    assert _lines(report.findings) == [8]
    assert report.hidden == {"in baseline": 1}


def test_disable_severity_and_cap() -> None:
    assert review(_change_set(None, NEW), Config(disable=("py-none-equality",))).findings == ()
    assert review(_change_set(None, NEW), Config(min_severity="error")).findings == ()
    capped = review(_change_set(None, NEW), Config(max_findings=1))
    assert len(capped.findings) == 1
    assert capped.hidden == {"over the cap": 1}


def test_excluded_paths_are_skipped_and_counted() -> None:
    report = review(_change_set(None, NEW, "vendor/lib/m.py"), Config(exclude=("vendor",)))
    assert report.findings == ()
    assert [(s.path, s.reason) for s in report.skipped] == [
        ("vendor/lib/m.py", "excluded by config")
    ]


def test_inline_suppression() -> None:
    new = "if a == None:  # reviewer: ignore[py-none-equality]\n    pass\n"
    report = review(_change_set(None, new), Config())
    assert report.findings == ()
    assert report.hidden == {"suppressed": 1}


def test_dedupe_keeps_one_per_line_and_rule() -> None:
    class Twice:
        def review_file(self, parsed: object, units: object) -> list[Finding]:
            return [
                Finding("m.py", 1, 1, 1, 2, Severity.ERROR, "model-bug", "x", confidence=c)
                for c in (0.4, 0.9)
            ]

        def notes(self) -> list[str]:
            return ["twice: said everything twice"]

    report = review(_change_set(None, "a = 1\n"), Config(), producers=(Twice(),))
    assert report.notes == ("twice: said everything twice",)
    assert [f.confidence for f in report.findings] == [0.9]
    assert report.hidden == {"duplicate": 1}


def test_fail_level() -> None:
    report = review(_change_set(None, NEW), Config())
    assert not report.failed  # warnings only, default fail level is error
    assert review(_change_set(None, NEW), Config(fail_level="warning")).failed


def test_unsupported_language_gets_line_units() -> None:
    report = review(_change_set(None, "a\nb\n", "notes.txt"), Config())
    assert report.files_reviewed == 1
    assert report.units_reviewed == 1
    assert report.findings == ()


class Risky:
    """A producer with a change-level step: remembers what it was given."""

    def __init__(self, risk: ChangeRisk | None) -> None:
        self.risk = risk
        self.seen: list[ChangeFacts] = []

    def review_file(self, parsed: object, units: object) -> list[Finding]:
        return []

    def notes(self) -> list[str]:
        return []

    def review_change(self, change: ChangeFacts) -> ChangeRisk | None:
        self.seen.append(change)
        return self.risk


def test_the_first_change_level_risk_goes_on_the_report_with_what_the_change_is() -> None:
    risk = ChangeRisk(0.7, (), ("large change",), calibrated=True, scorer="jit")
    silent, risky = Risky(None), Risky(risk)
    change_set = ChangeSet(
        Path("/repo"),
        "test",
        (
            FileChange("m.py", ChangeStatus.ADDED, NEW, hunks_between(None, NEW)),
            FileChange("notes.txt", ChangeStatus.ADDED, "a\n", hunks_between(None, "a\n")),
        ),
    )
    recent = (ChangeFacts((FileFacts("old.py", "python", 3),)),)
    report = review(
        change_set,
        Config(fail_risk=0.5),
        producers=(StructuralChecks(), silent, risky, Risky(None)),
        recent=recent,
        history={"la": 9.0},
    )
    assert report.risk == risk and report.fail_risk == 0.5 and report.failed
    facts = ChangeFacts(
        (FileFacts("m.py", "python", 10), FileFacts("notes.txt", None, 1)), recent, {"la": 9.0}
    )
    assert silent.seen == risky.seen == [facts]
    assert review(change_set, Config(), producers=(silent,)).risk is None


def test_notes_come_in_order_caller_change_set_files_then_producers() -> None:
    class Noting(StructuralChecks):
        def notes(self) -> list[str]:
            return ["model: 2 units skipped"]

    change = FileChange(
        "m.py", ChangeStatus.ADDED, NEW, hunks_between(None, NEW), notes=("invalid UTF-8",)
    )
    change_set = ChangeSet(Path("/repo"), "test", (change,), notes=("shallow clone",))
    report = review(change_set, Config(), producers=(Noting(),), notes=("model absent",))
    assert report.notes == (
        "model absent",
        "shallow clone",
        "m.py: invalid UTF-8",
        "model: 2 units skipped",
    )


def test_skipped_files_are_sorted_and_only_files_with_findings_carry_their_text() -> None:
    clean = FileChange("a.py", ChangeStatus.ADDED, "x = 1\n", hunks_between(None, "x = 1\n"))
    flagged = FileChange("m.py", ChangeStatus.MODIFIED, NEW, hunks_between(OLD, NEW), old_text=OLD)
    excluded = FileChange("vendor/v.py", ChangeStatus.ADDED, NEW, hunks_between(None, NEW))
    change_set = ChangeSet(
        Path("/repo"), "test", (excluded, clean, flagged), skipped=(SkippedFile("z.png", "binary"),)
    )
    report = review(change_set, Config(exclude=("vendor",)))
    assert [(s.path, s.reason) for s in report.skipped] == [
        ("vendor/v.py", "excluded by config"),
        ("z.png", "binary"),
    ]
    assert (report.files_reviewed, report.units_reviewed) == (2, 2)
    assert report.sources == {"m.py": tuple(NEW.splitlines())}
    assert report.added_lines == {"m.py": frozenset(range(5, 11))}


def test_a_parse_the_caller_holds_is_used_instead_of_parsing_again() -> None:
    held = parse_file("m.py", "if b == None:\n    pass\n")  # the editor's newer text
    report = review(_change_set(None, "x = 1\ny = 2\n"), Config(), parsed_files={"m.py": held})
    assert [(f.line, f.rule_id) for f in report.findings] == [(1, "py-none-equality")]


def test_units_only_checks_the_review_units_and_finds_the_same_there() -> None:
    change_set = _change_set(OLD, NEW)
    everywhere = review(change_set, Config())
    units_only = review(change_set, Config(), producers=(StructuralChecks(units_only=True),))
    assert units_only.findings == everywhere.findings
    assert everywhere.hidden == {"outside the diff": 1}
    assert units_only.hidden == {}  # the finding outside the units is never looked for
    last_line = _change_set(None, "def g(b):\n    return b == None\n")  # the unit's last line
    found = review(last_line, Config(), producers=(StructuralChecks(units_only=True),))
    assert [f.line for f in found.findings] == [2]
    odd = _change_set(None, "def g(b):\n    c = b\n    return c == None\n")  # ends on line 3
    found = review(odd, Config(), producers=(StructuralChecks(units_only=True),))
    assert [f.line for f in found.findings] == [3]
    old = "def f(a):\n    return a\nx = a == None\n"
    after = _change_set(old, old.replace("return a", "return a + 1"))  # f is lines 1-2
    checked = review(after, Config(), producers=(StructuralChecks(units_only=True),))
    assert checked.findings == () and checked.hidden == {}  # line 3 is never looked at


def test_count_units_counts_changed_units_of_known_languages_not_excluded() -> None:
    files = (
        FileChange("vendor/v.py", ChangeStatus.ADDED, NEW, hunks_between(None, NEW)),
        FileChange("m.py", ChangeStatus.MODIFIED, NEW, hunks_between(OLD, NEW), old_text=OLD),
        FileChange("notes.txt", ChangeStatus.ADDED, "a\n", hunks_between(None, "a\n")),
    )
    change_set = ChangeSet(Path("/repo"), "test", files)
    assert count_units(change_set, Config(exclude=("vendor",))) == 1
    assert count_units(change_set, Config()) == 3  # v.py: f and g, both added
    assert count_units(change_set, Config(exclude=("vendor",), filter_mode="file")) == 2


def test_each_filter_mode_reviews_the_units_of_its_own_lines(tmp_path: Path) -> None:
    def function(name: str) -> str:
        return f"def {name}(a):\n    b = a + 1\n    c = b + 1\n    return c\n\n\n"

    old = function("f") + function("g") + function("h")
    new = old.replace("def h(a):", "def h(a, z=0):")  # g's last line is in the context
    reviewed = {
        mode: review(_change_set(old, new), Config(filter_mode=mode)).units_reviewed
        for mode in ("added", "diff_context", "file", "nofilter")
    }
    assert reviewed == {"added": 1, "diff_context": 2, "file": 3, "nofilter": 3}
    tail = _change_set(None, "def f():\n    pass\nx = 1\n")  # the last line is a unit
    assert review(tail, Config(filter_mode="file")).units_reviewed == 2
    head = _change_set(None, "x = 1\n\n\ndef f():\n    pass\n")  # so is the first
    assert review(head, Config(filter_mode="file")).units_reviewed == 2
    (tmp_path / ".reviewer.toml").write_text('filter_mode = "diff_context"\n')
    from_file = load_config(tmp_path)  # the mode is a string read from the file
    assert review(_change_set(old, new), from_file).units_reviewed == 2

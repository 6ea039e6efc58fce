"""The engine over hand-built change sets (pure: no git needed)."""

from __future__ import annotations

from pathlib import Path

from reviewer.config import Config
from reviewer.diff import ChangeSet, ChangeStatus, FileChange, hunks_between
from reviewer.engine import review
from reviewer.findings import Finding, Severity

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

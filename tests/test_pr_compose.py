"""The review's summary body stays under GitHub's size limit."""

from __future__ import annotations

from reviewer.findings import Finding, Severity
from reviewer.pull_request.compose import MAX_BODY_CHARS, Summary, summary_body
from reviewer.pull_request.markers import head_marker


def _finding(n: int) -> Finding:
    return Finding(
        f"src/module_{n}.py", n, n, 1, 2, Severity.WARNING, "bare-except", "x" * 120,
        fingerprint=f"{n:016x}",
    )  # fmt: skip


def test_a_summary_over_the_limit_keeps_the_head_marker_and_says_what_it_left_out() -> None:
    summary = Summary("abc123", "the pull request")
    summary.not_inline = [(_finding(n), "over the cap") for n in range(2000)]
    body = summary_body(summary)
    assert len(body) <= MAX_BODY_CHARS
    assert body.endswith(head_marker("abc123"))  # the next run still finds its place
    listed = body.count("| 🟠 |")
    assert 0 < listed < 2000
    assert f"{2000 - listed} more findings did not fit here: see the job's log." in body


def test_a_summary_under_the_limit_lists_everything() -> None:
    summary = Summary("abc123", "the pull request")
    summary.not_inline = [(_finding(n), "over the cap") for n in range(5)]
    body = summary_body(summary)
    assert body.count("| 🟠 |") == 5 and "did not fit" not in body

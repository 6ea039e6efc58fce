"""What is posted on a pull request: the inline comments' text and the
review's summary body, which stays under GitHub's size limit."""

from __future__ import annotations

from reviewer.findings import Finding, Severity
from reviewer.pull_request.compose import (
    MAX_BODY_CHARS,
    Summary,
    _summary_body,
    inline_comment,
    summary_body,
)
from reviewer.pull_request.markers import head_marker
from reviewer.risk import ChangeRisk, RiskLine


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


def test_a_summary_keeps_the_most_rows_that_fit_whatever_the_limit() -> None:
    summary = Summary("abc123", "the pull request")
    summary.not_inline = [(_finding(n), "over the cap") for n in range(9)]
    for shown in range(9):
        limit = len(_summary_body(summary, shown))  # room for this many, not one more
        body = summary_body(summary, limit)
        assert len(body) <= limit
        assert body.count("| 🟠 |") == shown, limit


def test_a_summary_over_the_limit_with_no_row_to_drop_is_returned_whole() -> None:
    summary = Summary("abc123", "the pull request", notes=["x" * 500])
    body = summary_body(summary, limit=100)
    assert len(body) > 100 and body.endswith(head_marker("abc123"))
    summary.not_inline = [(_finding(n), "over the cap") for n in range(3)]
    body = summary_body(summary, limit=100)  # not even without rows: none of them listed
    assert "| 🟠 |" not in body and "3 more findings did not fit here" in body


def test_a_summary_under_the_limit_lists_everything() -> None:
    summary = Summary("abc123", "the pull request")
    summary.not_inline = [(_finding(n), "over the cap") for n in range(5)]
    body = summary_body(summary)
    assert body.count("| 🟠 |") == 5 and "did not fit" not in body
    assert summary_body(summary, limit=len(body)) == body  # the limit itself still fits
    many = Summary("abc123", "the pull request")
    many.not_inline = [(_finding(n), "over the cap") for n in range(300)]
    body = summary_body(many, limit=1_000_000)
    assert body.count("| 🟠 |") == 300 and "did not fit" not in body


def test_an_inline_comment_names_the_rule_and_carries_the_suggestion_and_marker() -> None:
    finding = Finding(
        "app.py", 3, 3, 5, 9, Severity.ERROR, "eq-none", "use `is None`",
        suggestion="    if item is None:", fingerprint="fp1",
    )  # fmt: skip
    comment = inline_comment(finding)
    assert comment == {
        "path": "app.py",
        "line": 3,
        "side": "RIGHT",
        "body": "🔴 **error** `eq-none`: use `is None`\n\n"
        "```suggestion\n    if item is None:\n```\n\n"
        "<!-- reviewer:fp=fp1 source=structural -->",
    }


def test_a_one_line_comment_far_down_a_file_has_no_start_line() -> None:
    line, end_line = (int(n) for n in ["300", "300"])  # two objects, as a parser's are
    finding = Finding("app.py", line, end_line, 1, 2, Severity.INFO, "r", "m", fingerprint="f")
    assert "start_line" not in inline_comment(finding)


def test_a_model_comment_spanning_lines_starts_at_its_first_line() -> None:
    finding = Finding(
        "app.py", 4, 6, 1, 2, Severity.INFO, "model/review", "this loop never ends",
        source="model", confidence=0.725, fingerprint="fp2",
    )  # fmt: skip
    comment = inline_comment(finding)
    assert (comment["start_line"], comment["start_side"], comment["line"]) == (4, "RIGHT", 6)
    assert comment["body"] == (
        "🔵 **info** `model/review` (model, confidence 0.72): this loop never ends\n\n"
        "<!-- reviewer:fp=fp2 source=model -->"
    )


def test_a_summary_lists_what_could_not_go_inline_what_was_resolved_and_the_notes() -> None:
    inline = _finding(1)
    moved = Finding(
        "lib.py", 9, 9, 1, 2, Severity.ERROR, "bare-except", "a | b\nc",
        suggestion="except ValueError:", fingerprint="fp9",
    )  # fmt: skip
    summary = Summary(
        "abc1234", "abc1234..def5678", inline=[inline, _finding(2)],
        not_inline=[(moved, "outside the diff")],
        resolved=["old1", "old2"], resolved_text={"old1": "`x` at `a.py`"},
        notes=["model | off"], already_posted=2,
    )  # fmt: skip
    assert summary_body(summary).splitlines() == [
        "<!-- reviewer:summary -->",
        "### reviewer",
        "",
        "Reviewed abc1234..def5678: 3 new findings, 2 inline; 2 already posted.",
        "",
        "| | finding | where | why not inline |",
        "|---|---|---|---|",
        "| 🔴 | `bare-except`: a \\| b c | `lib.py:9` | outside the diff "
        "<!-- reviewer:fp=fp9 source=structural --> |",
        "",
        "Suggested change for `lib.py:9`:",
        "```",
        "except ValueError:",
        "```",
        "",
        "Resolved since the last review (2):",
        "- ✅ `x` at `a.py` <!-- reviewer:resolved=old1 -->",
        "- ✅ a finding <!-- reviewer:resolved=old2 -->",
        "",
        "<details><summary>Notes</summary>",
        "",
        "- model \\| off",
        "",
        "</details>",
        "",
        head_marker("abc1234"),
    ]


def test_a_summary_of_one_finding_says_one_finding() -> None:
    summary = Summary("abc1234", "the pull request", inline=[_finding(1)])
    assert "Reviewed the pull request: 1 new finding, 1 inline.\n" in summary_body(summary)
    empty = summary_body(Summary("abc1234", "the pull request"))
    assert "Reviewed the pull request: 0 new findings.\n" in empty
    assert "|---|" not in empty and "Resolved" not in empty and "Notes" not in empty


def test_the_summary_says_where_to_look_first_with_links_to_the_ranked_lines() -> None:
    risk = ChangeRisk(
        0.42,
        (
            RiskLine("app.py", 7, 0.31, ("new branch", "a | b")),
            RiskLine("lib.py", 2, 0.125, ()),
        ),
        ("large change",),
        calibrated=True,
        scorer="jit",
    )
    summary = Summary(
        "abc1234", "the pull request", risk=risk, line_url=lambda p, n: f"https://x/{p}#L{n}"
    )
    body = summary_body(summary)
    assert (
        "\n\n#### Where to look first\n\n"
        "Change risk 0.42: large change.\n\n"
        "1. [`app.py:7`](https://x/app.py#L7) (score 0.31): new branch; a \\| b\n"
        "2. [`lib.py:2`](https://x/lib.py#L2) (score 0.12)\n"
    ) in body
    unranked = ChangeRisk(0.42, (), (), calibrated=True, scorer="jit")
    body = summary_body(Summary("abc1234", "the pull request", risk=unranked))
    assert (
        "Change risk 0.42.\n\nNo line ranking: the model scored no line of this change.\n" in body
    )
    plain = Summary("abc1234", "the pull request", risk=risk)
    assert "1. `app.py:7` (score 0.31): new branch; a \\| b\n" in summary_body(plain)

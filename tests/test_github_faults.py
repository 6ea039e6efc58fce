"""`reviewer github` against a flaky GitHub (tests/github_fake.py faults):
retries are bounded and respect Retry-After, nothing is ever posted twice,
and a review that cannot be posted is one line with exit 2 while the
findings still reach the log and the job summary."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer.pull_request import api
from reviewer.pull_request.markers import fingerprints
from reviewer.pull_request.retry import RetryPolicy
from tests.conftest import GitRepo
from tests.github_fake import Fault, rate_limited
from tests.test_github import PullRequestRun

ATTEMPTS = RetryPolicy().attempts


@pytest.fixture
def pr(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, waits: list[float]
) -> Iterator[PullRequestRun]:
    run = PullRequestRun(repo, tmp_path, monkeypatch)
    yield run
    run.server.shutdown()


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The client's sleeps, recorded instead of slept; a short timeout."""
    recorded: list[float] = []
    monkeypatch.setattr(api, "SLEEP", recorded.append)
    monkeypatch.setattr(api, "TIMEOUT_SECONDS", 0.5)
    return recorded


def _assert_posted_once(pr: PullRequestRun) -> None:
    """One review with the three findings; each fingerprint on one comment."""
    assert len(pr.fake.reviews) == 1
    assert len(pr.fake.comments) == 3
    marked = [fp for c in pr.fake.comments for fp in fingerprints(c["body"])]
    assert len(marked) == len(set(marked)) == 3


def _assert_failed_but_kept(pr: PullRequestRun, code: int, text: str, err: str) -> None:
    """Exit 2, one error line, the findings in the log and the job summary."""
    assert code == 2
    errors = [line for line in err.splitlines() if line.startswith("reviewer: error:")]
    assert len(errors) == 1 and "could not be posted" in errors[0]
    assert "Traceback" not in text
    for rule_line in ("shop.py:2", "shop.py:8", "shop.py:12"):
        assert rule_line in text  # the log
        assert f"`{rule_line}`" in pr.summary.read_text()  # the job summary
    assert "::error file=shop.py,line=2," in text  # annotations on the diff


SPOILED = [
    Fault("GET", "comments", "status", 500),
    Fault("GET", "reviews", "status", 502, message="Bad Gateway"),
    Fault("GET", "files", "status", 503, headers={"Retry-After": "2"}),
    Fault("GET", "files", "slow", delay=1.5),
    Fault("GET", "comments", "truncated"),
    Fault("GET", "reviews", "cut"),
    Fault("GET", "files", "lost"),
    rate_limited("GET", "comments", 429, retry_after="3"),
    rate_limited("GET", "reviews", 403, retry_after="5"),
    rate_limited("POST", "reviews", 429, retry_after="7"),
    rate_limited("POST", "reviews", 403, retry_after="1"),
    Fault("POST", "reviews", "status", 502),  # refused before it was carried out
    Fault("POST", "reviews", "status", 502, after=True),  # carried out, then 502
    Fault("POST", "reviews", "lost", after=True),  # carried out, answer lost
    Fault("POST", "reviews", "slow", after=True, delay=1.5),  # carried out, too late
    Fault("POST", "reviews", "truncated", after=True),
    Fault("POST", "reviews", "cut", after=True),
]


@pytest.mark.parametrize(
    "fault", SPOILED, ids=lambda f: f"{f.method}-{f.endpoint}-{f.kind}-{f.status}-{f.after}"
)
def test_one_spoiled_answer_is_retried_and_nothing_is_posted_twice(
    pr: PullRequestRun, capsys: pytest.CaptureFixture[str], waits: list[float], fault: Fault
) -> None:
    pr.fake.faults = [fault]
    code, text = pr.run(capsys)
    assert code == 1, text  # the findings' exit code: the run went through
    assert pr.fake.faults == []  # the fault was met
    _assert_posted_once(pr)
    assert "posted a review on #17: 3 inline comments" in text
    assert pr.outputs.read_text().splitlines()[-1].endswith("#pullrequestreview-1")
    asked = fault.headers.get("Retry-After")
    assert waits == [float(asked)] if asked else len(waits) <= 1
    # And a second run finds everything in place.
    assert pr.run(capsys)[0] == 1
    _assert_posted_once(pr)


def test_several_faults_in_a_row(
    pr: PullRequestRun, capsys: pytest.CaptureFixture[str], waits: list[float]
) -> None:
    pr.fake.faults = [
        Fault("GET", "comments", "status", 500),
        Fault("GET", "comments", "truncated"),
        Fault("POST", "reviews", "lost", after=True),
        Fault("GET", "reviews", "status", 503),  # the look for the lost review fails once
    ]
    code, text = pr.run(capsys)
    assert code == 1, text
    _assert_posted_once(pr)
    assert pr.fake.attempts("POST", "reviews") == 1  # found, never posted again
    assert waits == [1.0, 2.0, 1.0]  # backoff within each request


def test_a_server_that_keeps_failing_is_bounded_then_one_line(
    pr: PullRequestRun, capsys: pytest.CaptureFixture[str], waits: list[float]
) -> None:
    pr.fake.faults = [Fault("POST", "reviews", "status", 502) for _ in range(ATTEMPTS + 5)]
    code, text = pr.run(capsys)
    assert code == 2 and "502" in text
    assert pr.fake.reviews == []
    assert pr.fake.attempts("POST", "reviews") == ATTEMPTS
    assert waits == [1.0, 2.0, 4.0]


def test_failure_output(
    pr: PullRequestRun, capsys: pytest.CaptureFixture[str], waits: list[float]
) -> None:
    pr.fake.faults = [Fault("POST", "reviews", "status", 503) for _ in range(ATTEMPTS)]
    from reviewer.cli import main

    code = main(["github", "--no-model"])
    out, err = capsys.readouterr()
    _assert_failed_but_kept(pr, code, out + err, err)
    assert "503" in err
    assert pr.outputs.read_text().splitlines() == ["findings=3", "failed=true", "review-url="]
    # The next run, on a healthy GitHub, posts it once.
    code, _ = pr.run(capsys)
    assert code == 1
    _assert_posted_once(pr)


def test_a_lost_answer_that_keeps_failing_is_still_found(
    pr: PullRequestRun, capsys: pytest.CaptureFixture[str], waits: list[float]
) -> None:
    """Every POST is carried out and every answer lost: the first lookup
    finds the review, so it exists once."""
    pr.fake.faults = [Fault("POST", "reviews", "lost", after=True) for _ in range(ATTEMPTS)]
    code, text = pr.run(capsys)
    assert code == 1, text
    _assert_posted_once(pr)
    assert len(pr.fake.faults) == ATTEMPTS - 1


def test_a_wait_longer_than_the_cap_is_not_waited(
    pr: PullRequestRun, capsys: pytest.CaptureFixture[str], waits: list[float]
) -> None:
    pr.fake.faults = [rate_limited("POST", "reviews", 403, retry_after="3600")]
    from reviewer.cli import main

    code = main(["github", "--no-model"])
    out, err = capsys.readouterr()
    _assert_failed_but_kept(pr, code, out + err, err)
    assert "secondary rate limit" in err
    assert waits == [] and pr.fake.reviews == []


def test_a_pagination_loop_is_an_error_not_a_hang(
    pr: PullRequestRun, capsys: pytest.CaptureFixture[str], waits: list[float]
) -> None:
    pr.run(capsys)  # three comments: two pages
    pr.fake.loop_pages = {"comments"}
    pr.push("def price(total, rate):\n    return total is 3\n")
    from reviewer.cli import main

    code = main(["github", "--no-model"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "loops back" in err and err.count("reviewer: error:") == 1
    assert len(pr.fake.reviews) == 1  # without its history the run posts nothing
    assert "shop.py:2" in out and "`shop.py:2`" in pr.summary.read_text()
    pages = [r for r in pr.fake.requests if r.path.endswith("/comments")]
    assert len(pages) <= 2 + 3  # the first run's two pages, then at most one lap


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_client_errors_are_not_retried(status: int, waits: list[float]) -> None:
    from tests.github_fake import WRITE_TOKEN, FakeGitHub, serve

    fake = FakeGitHub("o/r", 1, "a" * 40, [])
    fake.faults = [Fault("GET", "files", "status", status, message="No") for _ in range(9)]
    server, _ = serve(fake)
    try:
        client = api.GitHubClient(fake.url, WRITE_TOKEN)
        with pytest.raises(api.GitHubError) as raised:
            list(client.paginate("/repos/o/r/pulls/1/files"))
        assert raised.value.status == status
        assert fake.attempts("GET", "files") == 1 and waits == []
    finally:
        server.shutdown()


POLICY = RetryPolicy(attempts=4, backoff=1.0, max_wait=60.0)


@pytest.mark.parametrize(
    ("status", "message", "headers", "attempt", "expected"),
    [
        (500, "", {}, 1, 1.0),
        (502, "", {}, 2, 2.0),
        (0, "timed out", {}, 3, 4.0),
        (503, "", {}, 4, None),  # out of attempts
        (503, "", {"Retry-After": "9"}, 1, 9.0),
        (429, "", {}, 1, 60.0),  # no wait named: GitHub's minute
        (429, "", {"retry-after": "61"}, 1, None),  # over the cap
        (403, "You have exceeded a secondary rate limit", {"Retry-After": "2"}, 1, 2.0),
        (403, "", {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1030"}, 1, 30.0),
        (403, "Resource not accessible by integration", {}, 1, None),  # a fork: final
        (404, "Not Found", {}, 1, None),
        (422, "Unprocessable Entity", {}, 1, None),
        (503, "", {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 1, 1.0),
    ],
)
def test_wait_before_retry(
    status: int, message: str, headers: dict[str, str], attempt: int, expected: float | None
) -> None:
    from reviewer.pull_request.retry import wait_before_retry

    assert wait_before_retry(status, message, headers, attempt, POLICY, now=1000.0) == expected

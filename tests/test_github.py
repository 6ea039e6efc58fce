"""`reviewer github` against the fake GitHub REST server (tests/github_fake.py)
with real pull_request event payloads and a real repository in tmp_path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer.cli import main
from tests.conftest import GitRepo
from tests.github_fake import READ_TOKEN, WRITE_TOKEN, FakeGitHub, serve

REPOSITORY = "octo/shop"
NUMBER = 17
BASE = "def price(total, rate):\n    return total * rate\n"
HEAD = (
    "def price(total, rate):\n"
    "    if rate is 1.0:\n"  # line 2: py-is-literal (error), with a suggestion
    "        return total\n"
    "    return total * rate\n"
    "\n\n"
    "def same(x):\n"
    "    return x == None\n"  # line 8: py-none-equality (warning)
    "\n\n"
    "def other(y):\n"
    "    return y is 2\n"  # line 12: py-is-literal (error)
)


def _event(
    base: str, head: str, *, fork: bool = False, action: str = "opened"
) -> dict[str, object]:
    """The shape of a real pull_request webhook payload (the fields used, and
    a few around them)."""
    head_repo = "forker/shop" if fork else REPOSITORY
    return {
        "action": action,
        "number": NUMBER,
        "pull_request": {
            "url": f"https://api.github.com/repos/{REPOSITORY}/pulls/{NUMBER}",
            "number": NUMBER,
            "state": "open",
            "title": "Pricing rules",
            "user": {"login": "octocat", "type": "User"},
            "head": {
                "label": "octocat:topic",
                "ref": "topic",
                "sha": head,
                "repo": {"full_name": head_repo},
            },
            "base": {
                "label": "octo:main",
                "ref": "main",
                "sha": base,
                "repo": {"full_name": REPOSITORY},
            },
            "draft": False,
        },
        "repository": {"full_name": REPOSITORY, "private": False},
        "sender": {"login": "octocat"},
    }


class PullRequestRun:
    """A repository with a pull request (main <- topic), the fake GitHub
    serving it, and the environment GitHub Actions would set."""

    def __init__(self, repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.repo, self.tmp_path, self.monkeypatch = repo, tmp_path, monkeypatch
        repo.write("shop.py", BASE)
        self.base = repo.commit("base")
        repo.git("checkout", "-q", "-b", "topic")
        repo.write("shop.py", HEAD)
        self.head = repo.commit("pricing rules")
        self.fake = FakeGitHub(REPOSITORY, NUMBER, self.head, self._files())
        self.server, _ = serve(self.fake)
        self.summary = tmp_path / "step-summary.md"
        monkeypatch.setenv("GITHUB_API_URL", self.fake.url)
        monkeypatch.setenv("GITHUB_REPOSITORY", REPOSITORY)
        monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
        monkeypatch.setenv("GITHUB_TOKEN", WRITE_TOKEN)
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(self.summary))
        self.outputs = tmp_path / "github-output"
        monkeypatch.setenv("GITHUB_OUTPUT", str(self.outputs))
        self.write_event()

    def _files(self) -> list[dict[str, object]]:
        names = self.repo.git("diff", "--name-only", f"{self.base}...{self.head}").split()
        files = []
        for name in names:
            patch = self.repo.git("diff", f"{self.base}...{self.head}", "--", name)
            entry: dict[str, object] = {"filename": name, "status": "modified"}
            if "@@" in patch:  # GitHub lists a binary file without a patch
                entry["patch"] = patch[patch.index("@@") :]
            files.append(entry)
        return files

    def write_event(self, **options: bool) -> None:
        event = self.tmp_path / "event.json"
        event.write_text(json.dumps(_event(self.base, self.head, **options)))
        self.monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))

    def push(self, text: str) -> None:
        """A new commit on the branch: the event's head moves, as on `synchronize`."""
        self.repo.write("shop.py", text)
        self.head = self.repo.commit("push")
        self.fake.head_sha = self.head
        self.fake.files = self._files()
        self.write_event(action="synchronize")  # type: ignore[arg-type]

    def run(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
        code = main(["github", "--no-model", *args])
        out, err = capsys.readouterr()
        text = out + err
        assert WRITE_TOKEN not in text and READ_TOKEN not in text  # never printed
        return code, text


@pytest.fixture
def pr(repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PullRequestRun]:
    run = PullRequestRun(repo, tmp_path, monkeypatch)
    yield run
    run.server.shutdown()


def test_one_review_with_inline_comments_and_a_summary(
    pr: PullRequestRun, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = pr.run(capsys)
    assert code == 1  # errors at the default fail level
    posts = pr.fake.posted_reviews()
    assert len(posts) == 1
    review = posts[0]
    assert review["commit_id"] == pr.head and review["event"] == "COMMENT"
    lines = sorted((c["path"], c["line"], c["side"]) for c in review["comments"])
    assert lines == [("shop.py", 2, "RIGHT"), ("shop.py", 8, "RIGHT"), ("shop.py", 12, "RIGHT")]
    first = next(c["body"] for c in review["comments"] if c["line"] == 2)
    assert "**error** `py-is-literal`" in first
    assert "```suggestion\n    if rate == 1.0:\n```" in first
    assert "<!-- reviewer:fp=" in first
    assert f"<!-- reviewer:head={pr.head} -->" in review["body"]
    assert "3 new findings, 3 inline" in review["body"]
    assert "posted a review on #17: 3 inline comments" in text
    assert pr.outputs.read_text().splitlines() == [
        "findings=3",
        "failed=true",
        "review-url=https://github.com/fake/repo/pull/1#pullrequestreview-1",
    ]
    # Requests went to the Enterprise-style API URL, with the token only in the header.
    assert all(r.path.startswith("/api/v3/repos/octo/shop/pulls/17") for r in pr.fake.requests)
    assert all(r.authorization == f"Bearer {WRITE_TOKEN}" for r in pr.fake.requests)


def test_a_rerun_posts_nothing_already_posted(
    pr: PullRequestRun, capsys: pytest.CaptureFixture[str]
) -> None:
    pr.run(capsys)
    code, text = pr.run(capsys)
    assert code == 1  # the errors are still in the pull request
    assert len(pr.fake.posted_reviews()) == 1
    assert "nothing new to post on #17" in text
    # Three comments, two per page: the second page was read to know that.
    pages = [r.query.get("page") for r in pr.fake.requests if r.path.endswith("/comments")]
    assert ["2"] in pages


def test_a_push_reviews_only_new_commits_and_reports_resolved_findings(
    pr: PullRequestRun, capsys: pytest.CaptureFixture[str]
) -> None:
    pr.run(capsys)
    first_head = pr.head
    fixed = HEAD.replace("rate is 1.0", "rate == 1.0") + "\n\ndef third(z):\n    return z is 'a'\n"
    pr.push(fixed)
    code, text = pr.run(capsys)
    assert code == 1 and "1 resolved" in text
    second = pr.fake.posted_reviews()[1]
    assert [(c["line"], "py-is-literal" in c["body"]) for c in second["comments"]] == [(16, True)]
    assert f"{first_head[:7]}..{pr.head[:7]} (the commits since the last review)" in second["body"]
    assert "Resolved since the last review (1)" in second["body"]
    assert "reviewer:resolved=" in second["body"]
    # And a third run reports that resolution only once.
    pr.push(fixed + "\n")
    pr.run(capsys)
    bodies = [review["body"] for review in pr.fake.posted_reviews()[2:]]
    assert all("Resolved since" not in body for body in bodies)


def test_a_full_review_is_forced_with_full(
    pr: PullRequestRun, capsys: pytest.CaptureFixture[str]
) -> None:
    pr.run(capsys)
    pr.push(HEAD + "\n\ndef more(w):\n    return w is 3\n")
    pr.run(capsys, "--full")
    second = pr.fake.posted_reviews()[1]
    assert "(full review)" in second["body"]
    assert [c["line"] for c in second["comments"]] == [16]  # still only what is new


def test_comments_github_refuses_move_into_the_summary(
    pr: PullRequestRun, capsys: pytest.CaptureFixture[str]
) -> None:
    pr.fake.refused_lines = {("shop.py", 8)}
    assert pr.run(capsys)[0] == 1
    posts = pr.fake.posted_reviews()
    assert len(posts) == 2  # refused with 422, then posted with no inline comments
    assert posts[0]["comments"] and posts[1]["comments"] == []
    body = posts[1]["body"]
    assert "GitHub refused the comment" in body and "Pull request review thread line" in body
    for rule_line in ("`shop.py:2`", "`shop.py:8`", "`shop.py:12`"):
        assert rule_line in body  # nothing lost
    assert "if rate == 1.0:" in body  # the suggestion too


def test_findings_over_the_cap_go_into_the_summary(
    pr: PullRequestRun, capsys: pytest.CaptureFixture[str]
) -> None:
    pr.run(capsys, "--max-comments", "1")
    review = pr.fake.posted_reviews()[0]
    assert len(review["comments"]) == 1
    assert review["body"].count("over the cap of 1 comments") == 2


def test_a_read_only_token_falls_back_to_annotations_and_the_job_summary(
    pr: PullRequestRun, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", READ_TOKEN)
    pr.write_event(fork=True)
    code, text = pr.run(capsys)
    assert code == 1
    assert pr.fake.reviews == []  # nothing could be posted
    assert "::error file=shop.py,line=2," in text and "::warning file=shop.py,line=8," in text
    assert (
        "cannot post the review (GitHub POST /api/v3/repos/octo/shop/pulls/17/reviews: 403" in text
    )
    summary = pr.summary.read_text()
    assert "### reviewer" in summary and "`shop.py:12`" in summary


def test_a_bad_token_is_one_line_with_githubs_message(
    pr: PullRequestRun, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "ghs_notAvalidTOKEN999"
    monkeypatch.setenv("GITHUB_TOKEN", secret)
    code = main(["github", "--no-model"])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.strip().count("\n") == 0 and "401 Bad credentials" in err
    assert secret not in out + err


def test_outside_a_pull_request_event_is_one_line(
    pr: PullRequestRun, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    push_event = pr.tmp_path / "push.json"
    push_event.write_text(json.dumps({"ref": "refs/heads/main", "commits": []}))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(push_event))
    monkeypatch.setenv("GITHUB_EVENT_NAME", "push")
    assert main(["github"]) == 2
    assert "push has no pull_request" in capsys.readouterr().err

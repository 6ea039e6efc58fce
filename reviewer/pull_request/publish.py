"""Reading what earlier runs posted, and posting ONE review: inline comments
where GitHub takes them, everything else in the summary body."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reviewer.findings import Finding
from reviewer.pull_request import markers
from reviewer.pull_request.api import GitHubClient, GitHubError
from reviewer.pull_request.compose import Summary, inline_comment, summary_body
from reviewer.pull_request.context import PullRequest


@dataclass
class History:
    """What this tool already said on the pull request."""

    posted: dict[str, str] = field(default_factory=dict)  # fingerprint -> source
    described: dict[str, str] = field(default_factory=dict)  # fingerprint -> one line
    resolved: set[str] = field(default_factory=set)
    last_head: str | None = None


def read_history(client: GitHubClient, pull: PullRequest) -> History:
    history = History()
    for comment in client.paginate(f"{pull.path}/comments"):
        body = str(comment.get("body") or "")
        found = markers.fingerprints(body)
        history.posted.update(found)
        first_line = body.split("\n", 1)[0]
        for fingerprint in found:
            history.described[fingerprint] = f"{first_line} (`{comment.get('path', '?')}`)"
    for review in client.paginate(f"{pull.path}/reviews"):
        body = str(review.get("body") or "")
        if markers.SUMMARY_TAG not in body:
            continue  # someone else's review
        history.posted.update(markers.fingerprints(body))
        history.resolved |= markers.resolved(body)
        history.last_head = markers.reviewed_head(body) or history.last_head
    return history


@dataclass(frozen=True)
class Posted:
    inline: int
    in_summary: int
    body: str
    url: str  # the review's page on GitHub


def place(
    findings: Sequence[Finding],
    commentable: Mapping[str, frozenset[int]],
    max_comments: int,
    summary: Summary,
) -> None:
    """Decide, per finding, inline comment or summary row (and why)."""
    for finding in findings:
        lines = commentable.get(finding.path, frozenset())
        if not all(n in lines for n in range(finding.line, finding.end_line + 1)):
            summary.not_inline.append((finding, "line not in the pull request's diff"))
        elif len(summary.inline) >= max_comments:
            summary.not_inline.append((finding, f"over the cap of {max_comments} comments"))
        else:
            summary.inline.append(finding)


def post_review(client: GitHubClient, pull: PullRequest, summary: Summary) -> Posted:
    """POST the review. If GitHub refuses its comments (422: a line it does
    not consider part of the diff), post again with every comment moved into
    the summary, so nothing is lost."""
    try:
        body, url = _post(client, pull, summary)
    except GitHubError as error:
        if error.status != 422 or not summary.inline:
            raise
        refused = f"GitHub refused the comment ({error.github_message})"
        summary.not_inline[:0] = [(finding, refused) for finding in summary.inline]
        summary.inline = []
        body, url = _post(client, pull, summary)
    return Posted(len(summary.inline), len(summary.not_inline), body, url)


def _post(client: GitHubClient, pull: PullRequest, summary: Summary) -> tuple[str, str]:
    body = summary_body(summary)
    answer = client.create(
        f"{pull.path}/reviews",
        {
            "commit_id": pull.head_sha,
            "event": "COMMENT",
            "body": body,
            "comments": [inline_comment(finding) for finding in summary.inline],
        },
        find=lambda: find_review(client, pull, body),
    )
    url = answer.get("html_url", "") if isinstance(answer, dict) else ""
    return body, str(url)


def find_review(client: GitHubClient, pull: PullRequest, body: str) -> dict[str, Any] | None:
    """The review already on the pull request with exactly this body (its
    markers name the head and every finding), e.g. one whose POST reached
    GitHub but whose answer was lost; None when there is none."""
    wanted = _same_text(body)
    for review in client.paginate(f"{pull.path}/reviews"):
        if isinstance(review, dict) and _same_text(str(review.get("body") or "")) == wanted:
            return review
    return None


def _same_text(text: str) -> str:
    return text.replace("\r\n", "\n").strip()

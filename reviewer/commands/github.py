"""`reviewer github`: review a pull request (merge-base..head, or only the
commits since the last reviewed head) and post one review on it.

Runs wherever the GitHub Actions variables are set: GITHUB_EVENT_PATH,
GITHUB_REPOSITORY, GITHUB_API_URL, and a token in GITHUB_TOKEN."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from reviewer.baseline import active_baseline
from reviewer.commands.common import open_workspace, review_with_tiers
from reviewer.engine import review
from reviewer.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from reviewer.findings import Finding
from reviewer.formatters import FORMATTERS, OutputOptions
from reviewer.formatters.github import annotation
from reviewer.pull_request.api import GitHubClient, GitHubError
from reviewer.pull_request.compose import Summary, summary_body
from reviewer.pull_request.context import PullRequest, read_pull_request, read_token
from reviewer.pull_request.diff_lines import commentable_by_path
from reviewer.pull_request.publish import History, place, post_review, read_history
from reviewer.pull_request.retry import is_rate_limit
from reviewer.report import Report
from reviewer.workspace import Workspace

# GitHub's answers when the token may read but not write (a fork's pull request).
NO_WRITE = (403, 404)


def run_github(args: argparse.Namespace) -> int:
    pull = read_pull_request()
    client = GitHubClient(pull.api_url, read_token())
    # The checkout is the pull request's head, someone's change: its config
    # never chooses where code and the runner's secrets go (SECURITY.md).
    workspace = open_workspace(args, repository_trust="never")
    failure: GitHubError | None = None  # GitHub failed past its retries
    try:
        history = read_history(client, pull)
        write_access = True
    except GitHubError as error:
        if _no_write(error):
            print(f"reviewer: cannot read the pull request's comments ({error})", file=sys.stderr)
        else:
            failure = error  # without the history a post could repeat a comment
        history, write_access = History(), False
    reviewed, current, range_text = _review(workspace, pull, history, args)
    new = [f for f in reviewed.findings if f.fingerprint not in history.posted]
    summary = Summary(
        head_sha=pull.head_sha,
        range_text=range_text,
        notes=reviewed.notes,
        already_posted=len(reviewed.findings) - len(new),
        risk=reviewed.risk,
        line_url=pull.line_url,
    )
    summary.resolved = _resolved(history, current, full=range_text.endswith("(full review)"))
    summary.resolved_text = {fp: history.described.get(fp, f"`{fp}`") for fp in summary.resolved}
    _print_log(reviewed)
    review_url = ""
    if write_access:
        try:
            review_url = _publish(client, pull, summary, new, args.max_comments)
        except GitHubError as error:
            if _no_write(error):
                print(f"reviewer: cannot post the review ({error})", file=sys.stderr)
            else:
                failure = error
            write_access = False
    if not write_access:
        summary.not_inline = [(f, _why_not_posted(failure)) for f in new]
        summary.inline = []
        _fall_back(new, summary, failure)
    failed = any(f.severity >= current.fail_level for f in current.findings)
    _write_outputs(findings=len(current.findings), failed=failed, review_url=review_url)
    if failure is not None:
        print(f"reviewer: error: the review could not be posted: {failure}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_FINDINGS if failed else EXIT_OK


def _publish(
    client: GitHubClient, pull: PullRequest, summary: Summary, new: list[Finding], cap: int
) -> str:
    """Post the review when there is something to say; its URL or ""."""
    commentable = commentable_by_path(client.paginate(f"{pull.path}/files"))
    place(new, commentable, cap, summary)
    if not new and not summary.resolved and summary.risk is None:
        print(f"reviewer: nothing new to post on #{pull.number}")
        return ""
    posted = post_review(client, pull, summary)
    print(
        f"reviewer: posted a review on #{pull.number}: {posted.inline} inline "
        f"comments, {posted.in_summary} in the summary, "
        f"{len(summary.resolved)} resolved"
    )
    return posted.url


def _no_write(error: GitHubError) -> bool:
    """The token may read but not write (a fork), as opposed to a rate limit
    (also a 403) or a failure."""
    limited = is_rate_limit(error.status, error.github_message, error.headers)
    return error.status in NO_WRITE and not limited


def _why_not_posted(failure: GitHubError | None) -> str:
    if failure is None:
        return "the token cannot comment (fork?)"
    return f"GitHub failed ({failure.status or 'no answer'})"


def _write_outputs(*, findings: int, failed: bool, review_url: str) -> None:
    """The step's outputs, for later steps of the workflow."""
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write(f"findings={findings}\nfailed={str(failed).lower()}\n")
        handle.write(f"review-url={review_url}\n")


def _review(
    workspace: Workspace, pull: PullRequest, history: History, args: argparse.Namespace
) -> tuple[Report, Report, str]:
    """(the report to post from, the pull request's current structural
    findings, a description of the range). A push after an earlier review
    looks only at the new commits; the whole pull request is re-checked by
    the structural tier (milliseconds) to tell which findings were resolved."""
    reader, config = workspace.reader, workspace.config
    baseline = active_baseline(workspace.root, config, args.no_baseline)
    whole = reader.between(pull.base_sha, pull.head_sha, args.paths)
    last = history.last_head
    incremental = (
        not args.full
        and last is not None
        and last != pull.head_sha
        and reader.is_ancestor(last, pull.head_sha)
    )
    if last == pull.head_sha and not args.full:
        since = reader.between(pull.head_sha, pull.head_sha, args.paths)  # nothing new
        reviewed = review(since, config, baseline=baseline)
        current = review(whole, config, baseline=baseline)
        return reviewed, current, f"{last[:7]} again (no new commits)"
    if incremental:
        assert last is not None
        since = reader.between(last, pull.head_sha, args.paths)
        reviewed = review_with_tiers(
            workspace, since, baseline, model=args.model, no_adapter=args.no_adapter
        )
        current = review(whole, config, baseline=baseline)
        merged = Report(
            current.description,
            current.root,
            (*current.findings, *(f for f in reviewed.findings if f.source != "structural")),
            current.fail_level,
        )
        return (
            reviewed,
            merged,
            f"{last[:7]}..{pull.head_sha[:7]} (the commits since the last review)",
        )
    reviewed = review_with_tiers(
        workspace, whole, baseline, model=args.model, no_adapter=args.no_adapter
    )
    return reviewed, reviewed, f"{pull.base_sha[:7]}...{pull.head_sha[:7]} (full review)"


def _resolved(history: History, current: Report, *, full: bool) -> list[str]:
    """Posted findings no longer found, not yet reported resolved. Between
    full reviews only structural findings can be judged (the model looked at
    the new commits alone)."""
    present = {f.fingerprint for f in current.findings}
    return sorted(
        fp
        for fp, source in history.posted.items()
        if fp not in present and fp not in history.resolved and (full or source == "structural")
    )


def _print_log(report: Report) -> None:
    text = FORMATTERS["text"](report, OutputOptions(color=False, width=100))
    sys.stdout.write(text)


def _fall_back(findings: list[Finding], summary: Summary, failure: GitHubError | None) -> None:
    """Nothing could be posted (no write access, or GitHub failed): workflow
    annotations (shown on the diff by GitHub itself) and the job summary page."""
    for finding in findings:
        print(annotation(finding))
    if failure is None:
        print(
            "reviewer: the token cannot comment on this pull request (a fork's pull request "
            "gets a read-only token); findings are annotations and in the job summary"
        )
    else:
        print("reviewer: GitHub failed; findings are annotations and in the job summary")
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with Path(step_summary).open("a", encoding="utf-8") as handle:
            handle.write(summary_body(summary) + "\n")

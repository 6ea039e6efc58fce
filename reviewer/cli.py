"""Command-line interface: argument parsing and dispatch only.

Heavy modules (GitPython, tree-sitter, rich, pydantic) are imported inside the
commands, so `reviewer --version` and an empty review start fast.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from reviewer import __version__
from reviewer.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    ReviewerError,
)
from reviewer.findings import Severity

FORMAT_NAMES = ("text", "json", "sarif", "github", "rdjson")
SEVERITY_NAMES = tuple(severity.label for severity in Severity)
SEVERITY_CHOICES = "{" + ",".join(SEVERITY_NAMES) + "}"
FILTER_MODES = ("added", "diff_context", "file", "nofilter")


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit with EXIT_USAGE."""

    def error(self, message: str) -> Any:
        self.exit(EXIT_USAGE, f"reviewer: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="reviewer", description="Review the code you changed.")
    parser.add_argument("--version", action="version", version=f"reviewer {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    diff = commands.add_parser("diff", help="review changes (work tree vs HEAD by default)")
    _add_review_options(diff)
    source = diff.add_mutually_exclusive_group()
    source.add_argument("--staged", action="store_true", help="review the index against HEAD")
    source.add_argument("--base", metavar="REV", help="review merge-base(REV, HEAD)..HEAD")
    diff.add_argument("--head", metavar="REV", help="with --base: the head revision (HEAD)")
    diff.add_argument(
        "--no-untracked",
        dest="untracked",
        action="store_false",
        default=None,
        help="leave untracked files out of a work-tree review",
    )
    diff.add_argument("--format", choices=FORMAT_NAMES, default="text", help="output format")
    diff.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    diff.add_argument(
        "--fail-level", type=_severity, metavar=SEVERITY_CHOICES, help="exit 1 at or above this"
    )
    diff.add_argument(
        "--min-severity", type=_severity, metavar=SEVERITY_CHOICES, help="hide findings below this"
    )
    diff.add_argument("--max-findings", type=_non_negative, metavar="N", help="show at most N")
    diff.add_argument("--filter-mode", choices=FILTER_MODES, help="which lines findings may be on")
    diff.add_argument("--baseline", metavar="FILE", help="hide findings recorded in FILE")
    diff.add_argument("--no-baseline", action="store_true", help="ignore any baseline")
    color = diff.add_mutually_exclusive_group()
    color.add_argument("--color", dest="color", action="store_true", default=None)
    color.add_argument("--no-color", dest="color", action="store_false")
    diff.add_argument("--width", type=int, metavar="COLUMNS", help="terminal width for text")
    model = diff.add_mutually_exclusive_group()
    model.add_argument(
        "--model",
        dest="model",
        action="store_true",
        default=None,
        help="review with the local model too (error if none is installed)",
    )
    model.add_argument("--no-model", dest="model", action="store_false", help="structural only")
    diff.add_argument("--model-path", metavar="FILE", help="the GGUF model file to review with")
    # The LoRA adapter was removed: --no-adapter is accepted, ignored, and named once.
    diff.add_argument("--no-adapter", action="store_true", help=argparse.SUPPRESS)

    baseline = commands.add_parser(
        "baseline", help="record today's findings in every tracked file, to hide them later"
    )
    _add_review_options(baseline)
    baseline.add_argument("--output", "-o", metavar="FILE", help="baseline file to write")

    github = commands.add_parser(
        "github", help="review a pull request and post one review on it (GitHub Actions)"
    )
    _add_review_options(github)
    github.add_argument(
        "--fail-level", type=_severity, metavar=SEVERITY_CHOICES, help="exit 1 at or above this"
    )
    github.add_argument(
        "--min-severity", type=_severity, metavar=SEVERITY_CHOICES, help="hide findings below this"
    )
    github.add_argument(
        "--max-comments", type=_non_negative, default=25, metavar="N", help="inline comments"
    )
    github.add_argument("--full", action="store_true", help="review the whole pull request again")
    github.add_argument("--no-baseline", action="store_true", help="ignore any baseline")
    github_model = github.add_mutually_exclusive_group()
    github_model.add_argument("--model", dest="model", action="store_true", default=None)
    github_model.add_argument("--no-model", dest="model", action="store_false")
    github.add_argument("--no-adapter", action="store_true", help=argparse.SUPPRESS)

    lsp = commands.add_parser("lsp", help="run the language server (stdio by default)")
    lsp.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")

    checks = commands.add_parser("checks", help="list the structural checks")
    checks.add_argument("--language", help="only this language")

    model_command = commands.add_parser("model", help="the local review model")
    model_actions = model_command.add_subparsers(
        dest="model_command", metavar="ACTION", parser_class=_Parser
    )
    model_actions.required = True
    info = model_actions.add_parser("info", help="which model reviews, where from, its hash")
    info.add_argument("--model-path", metavar="FILE", help="describe this GGUF file instead")
    info.add_argument("--config", metavar="FILE", help="config file (default: discovered)")
    info.add_argument("-C", dest="directory", metavar="DIR", help="run as if started in DIR")
    model_actions.add_parser("pull", help="download the default model from Hugging Face")

    trust = commands.add_parser(
        "trust",
        help="let this repository's config choose the model's server, key and file",
        description="Record the repository's config files (SHA-256) as trusted: their "
        "model.backend, url, name, api_key_env and path then apply. Any change to the "
        "files revokes the trust (SECURITY.md).",
    )
    trust.add_argument("--revoke", action="store_true", help="stop trusting this repository")
    trust.add_argument("-C", dest="directory", metavar="DIR", help="run as if started in DIR")

    from reviewer.commands.learn_cli import add_learn_commands

    add_learn_commands(commands)
    return parser


def _add_review_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("paths", nargs="*", metavar="PATH", help="limit the review to these")
    command.add_argument("--config", metavar="FILE", help="config file (default: discovered)")
    command.add_argument("--exclude", action="append", metavar="GLOB", help="skip these paths")
    command.add_argument("--disable", action="append", metavar="ID", help="switch a check off")
    command.add_argument("-C", dest="directory", metavar="DIR", help="run as if started in DIR")


def _severity(value: str) -> Severity:
    """Flags become typed values here, as config-file values do in config.py."""
    if value not in SEVERITY_NAMES:
        choices = ", ".join(repr(name) for name in SEVERITY_NAMES)
        raise argparse.ArgumentTypeError(f"invalid choice: {value!r} (choose from {choices})")
    return Severity.parse(value)


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _dispatch(argv)
        if sys.stdout is not None:  # None when started with stdout closed
            sys.stdout.flush()  # inside the try: a reader that left shows up here too
        return code
    except BrokenPipeError:
        return _reader_left()


def _reader_left() -> int:
    """Whoever read our output closed the pipe (`reviewer checks | head -5`):
    stop quietly, as git and ruff do, with the status a process ended by
    SIGPIPE has. Both streams go to /dev/null so Python's own last flush
    at exit has nothing to complain about."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            os.dup2(devnull, stream.fileno())
    os.close(devnull)
    return EXIT_BROKEN_PIPE


def _dispatch(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if getattr(args, "directory", None):
            os.chdir(args.directory)
        if args.command == "diff":
            from reviewer.commands.diff import run_diff

            return run_diff(args)
        if args.command == "baseline":
            from reviewer.commands.baseline import run_baseline

            return run_baseline(args)
        if args.command == "github":
            from reviewer.commands.github import run_github

            return run_github(args)
        if args.command == "lsp":
            return _run_lsp(args.tcp)
        if args.command == "model":
            from reviewer.commands.model import run_model

            return run_model(args)
        if args.command == "trust":
            from reviewer.commands.trust import run_trust

            return run_trust(args)
        if args.command in ("dataset", "train", "eval"):
            from reviewer.commands.learn_cli import run_learn_command

            return run_learn_command(args)
        from reviewer.commands.checks import run_checks_listing

        return run_checks_listing(args)
    except ReviewerError as error:
        print(f"reviewer: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        raise  # the reader went away: main() ends quietly
    except OSError as error:
        print(f"reviewer: error: {error}", file=sys.stderr)
        return EXIT_USAGE


def _run_lsp(tcp: str | None) -> int:
    from reviewer_lsp.server import build_server
    from reviewer_lsp.stdio import protocol_stdout

    server = build_server()
    if tcp is None:
        server.start_io(sys.stdin.buffer, protocol_stdout())
        return EXIT_OK
    host, _, port = tcp.rpartition(":")
    if not host or not port.isdigit():
        raise ReviewerError(f"--tcp wants HOST:PORT, got {tcp!r}")
    server.start_tcp(host, int(port))
    return EXIT_OK


__all__ = ["EXIT_FINDINGS", "EXIT_OK", "build_parser", "main"]

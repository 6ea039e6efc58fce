"""One error type for user-facing failures, and the exit codes they map to."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for `git log | head`


class ReviewerError(Exception):
    """A failure the user can act on; shown as one line, never a traceback.

    The message says what happened and, where possible, what to do about it.
    """

    exit_code = EXIT_USAGE


class ConfigError(ReviewerError):
    """A configuration file or flag holds an unknown key or a bad value."""


class GitError(ReviewerError):
    """The repository or a revision could not be read."""

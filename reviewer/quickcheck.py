"""Is there anything to review at all? One `git status`, answered before the
review pipeline is loaded: GitPython, pydantic, tree-sitter and rich together
take far longer to import than an empty review takes to run, and an empty
review is what a pre-commit hook or an editor save sees most often.

Any doubt (git missing, not a repository, an error) answers "maybe", and the
full path then produces the proper result or message.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path


def clean_repository_root(paths: Sequence[str] = (), *, untracked: bool = True) -> Path | None:
    """The repository root when git reports no change (staged, unstaged or,
    if `untracked`, untracked) under `paths`; None when there may be one."""
    root = _git("rev-parse", "--show-toplevel")
    if root is None:
        return None
    status = _git(
        "status",
        "--porcelain",
        "-z",
        "--ignore-submodules=none",
        f"--untracked-files={'all' if untracked else 'no'}",
        "--",
        *paths,
    )
    if status is None or status != "":
        return None
    return Path(root.strip())


def _git(*args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", *args], capture_output=True, text=True, check=False, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None

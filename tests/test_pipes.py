"""Output to a pipe whose reader has gone: `reviewer ... | head` ends quietly,
as git and ruff do, for every command and format."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer.errors import EXIT_BROKEN_PIPE
from tests.conftest import GitRepo

DEFECTS = "".join(f"def f{n}(a, items=[]):\n    return a == None\n\n\n" for n in range(40))

COMMANDS = [
    ["checks"],
    ["checks", "--language", "python"],
    ["--help"],
    ["diff", "--help"],
    *(["diff", "--no-model", "--format", name] for name in ("text", "json", "sarif", "github")),
    ["diff", "--no-model", "--format", "rdjson"],
    ["model", "info"],
]


def _run_into_closed_pipe(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """Run reviewer with stdout a pipe whose read end is already closed, so
    the first write fails whatever the output's size or timing."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    # `model info` describes this small file rather than assembling the
    # default model into the test's cache.
    model = cwd.parent / "small.gguf"
    model.write_bytes(b"GGUF" + bytes(64))
    try:
        return subprocess.run(
            [sys.executable, "-m", "reviewer", *argv],
            cwd=cwd,
            env={**os.environ, "REVIEWER_MODEL": str(model)},
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)


@pytest.fixture
def defects(repo: GitRepo) -> GitRepo:
    repo.write("m.py", "x = 1\n")
    repo.commit("base")
    repo.write("m.py", DEFECTS)
    return repo


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_closed_pipe_ends_quietly(argv: list[str], defects: GitRepo) -> None:
    done = _run_into_closed_pipe(argv, defects.path)
    assert done.stderr.decode() == ""
    # argparse's help swallows a failed write itself and exits 0
    expected = {0, EXIT_BROKEN_PIPE} if "--help" in argv else {EXIT_BROKEN_PIPE}
    assert done.returncode in expected


def test_head_takes_five_lines(defects: GitRepo) -> None:
    """The shell's own pipeline, as a user types it."""
    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {sys.executable} -m reviewer checks | head -5"],
        cwd=defects.path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert len(done.stdout.splitlines()) == 5
    assert done.stderr == ""
    # the listing is longer than five lines, so reviewer met the closed pipe
    # (or SIGPIPE), never an error of its own
    assert done.returncode in (0, EXIT_BROKEN_PIPE)

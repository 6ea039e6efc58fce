"""Ctrl-C (SIGINT) in the middle of posting a review: exit 130, no
traceback, no half-posted review. (An interrupted cache write leaving no
partial entry is tested in tests/model/test_model_faults.py: since the line
scorer, a model run needs the real model in-process, too slow here.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer.errors import EXIT_INTERRUPTED
from tests.conftest import GitRepo
from tests.github_fake import Fault
from tests.test_github import PullRequestRun

ROOT = Path(__file__).resolve().parent.parent


def _start(argv: list[str], cwd: Path, **env: str) -> subprocess.Popen[str]:
    environment = {**os.environ, **env}
    environment["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "lsp")])
    return subprocess.Popen(
        [sys.executable, "-m", "reviewer", *argv],
        cwd=cwd,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A job started in the background by a shell (`.ci/run &`) inherits
        # SIGINT ignored, and Python keeps it ignored: give the child the default.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _interrupt_when(child: subprocess.Popen[str], ready: Callable[[], bool]) -> tuple[str, str]:
    deadline = time.monotonic() + 60
    while not ready():
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the child never got there"
        time.sleep(0.02)
    child.send_signal(signal.SIGINT)
    return child.communicate(timeout=60)


def test_ctrl_c_while_a_review_is_posted(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GitHub got the POST, the run is stopped before the answer: the review
    is there once, and the next run posts nothing twice."""
    pr = PullRequestRun(repo, tmp_path, monkeypatch)
    try:
        pr.fake.faults = [Fault("POST", "reviews", "slow", after=True, delay=20)]
        child = _start(["github", "--no-model"], repo.path)

        def posting() -> bool:
            return any(r.method == "POST" for r in pr.fake.requests)

        _, err = _interrupt_when(child, posting)
        assert child.returncode == EXIT_INTERRUPTED, err
        assert "Traceback" not in err
        assert len(pr.fake.reviews) == 1 and len(pr.fake.comments) == 3
        rerun = _start(["github", "--no-model"], repo.path)
        out, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 1, err
        assert "nothing new to post" in out
        assert len(pr.fake.reviews) == 1 and len(pr.fake.comments) == 3
    finally:
        pr.server.shutdown()

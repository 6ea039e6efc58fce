"""The README's first command installs the package without the `model`
extra: no llama-cpp-python, no numpy. Every command must still work there
(this suite's environment has both, so the child hides them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from reviewer.scorer.assemble import NOT_INSTALLED
from tests.conftest import GitRepo
from tests.hidden_modules import hiding

ROOT = Path(__file__).resolve().parent.parent

# Runs the CLI with the model extra's modules invisible to every finder, as
# in an environment where they were never installed.
_CHILD = """
from reviewer.cli import main

sys.exit(main(sys.argv[1:]))
"""
WITHOUT_MODEL_EXTRA = hiding("numpy", "llama_cpp") + _CHILD


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "lsp")])}
    environment.pop("REVIEWER_MODEL_ENABLED", None)
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_MODEL_EXTRA, *argv],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_hiding_works(repo: GitRepo) -> None:
    probe = _run(["--version"], repo.path)
    assert probe.returncode == 0, probe.stderr
    hidden = subprocess.run(
        [sys.executable, "-c", WITHOUT_MODEL_EXTRA.replace("from reviewer.cli import main\n",
                                                           "import numpy\n")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "No module named 'numpy'" in hidden.stderr


def test_diff_runs_the_structural_checks_and_says_the_model_is_missing(repo: GitRepo) -> None:
    repo.write("m.py", "x = 1\n")
    repo.commit("base")
    repo.write("m.py", "def f(a):\n    return a is 1\n")
    result = _run(["diff", "--format", "json"], repo.path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert [f["rule_id"] for f in report["findings"]] == ["py-is-literal"]
    assert NOT_INSTALLED in report["summary"]["notes"]
    asked = _run(["diff", "--model"], repo.path)
    assert asked.returncode == 2 and "Traceback" not in asked.stderr
    assert "llama-cpp-python is not installed" in asked.stderr


def test_model_info_says_what_is_missing(repo: GitRepo) -> None:
    result = _run(["model", "info"], repo.path)
    assert result.returncode == 0, result.stderr
    assert "runtime: not installed" in " ".join(result.stdout.split())
    assert "Traceback" not in result.stderr


def test_train_risk_says_it_needs_the_jit_extra(repo: GitRepo) -> None:
    repo.write("m.py", "x = 1\n")
    repo.commit("base")
    result = _run(["train", "--risk"], repo.path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "reviewer: error: training the risk needs the jit extra: pip install 'reviewer[jit]'"
    ]

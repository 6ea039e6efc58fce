"""The composite action (action.yml): its `uses:` steps are configured as the
README promises, and its `run:` steps run for real with bash, with the
environment GitHub sets and the inputs' expressions substituted: the install
step installs this checkout into a fresh venv, the review step posts to the
fake GitHub."""

from __future__ import annotations

import os
import re
import subprocess
import venv
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from reviewer.model.resolve import DEFAULT_SHA256
from tests.conftest import GitRepo
from tests.github_fake import WRITE_TOKEN
from tests.test_github import PullRequestRun

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
_EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def _steps(kind: str) -> list[dict[str, Any]]:
    return [step for step in ACTION["runs"]["steps"] if kind in step]


def _substitute(text: str, context: Mapping[str, str]) -> str:
    """GitHub's `${{ ... }}` for the plain lookups the action's run steps
    use (anything else would be a mistake in action.yml: fail loudly)."""

    def value(match: re.Match[str]) -> str:
        return context[match.group(1)]

    return _EXPRESSION.sub(value, text)


@pytest.fixture
def pr(repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PullRequestRun]:
    run = PullRequestRun(repo, tmp_path, monkeypatch)
    yield run
    run.server.shutdown()


@pytest.fixture(scope="session")
def runner_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh Python environment, as setup-python leaves on a runner."""
    location = tmp_path_factory.mktemp("runner") / "venv"
    venv.create(location, with_pip=True)
    return location / "bin"


def test_the_uses_steps_cache_pip_and_the_model() -> None:
    uses = _steps("uses")
    caches = {s["with"]["path"]: s for s in uses if s["uses"].startswith("actions/cache@")}
    assert caches["~/.cache/pip"]["with"]["key"] == "${{ steps.keys.outputs.pip }}"
    model = caches["~/.cache/reviewer/models"]
    assert model["if"] == "inputs.model != 'off'"
    assert model["with"]["key"] == "${{ steps.keys.outputs.model }}"
    # hashFiles() cannot see the action's directory on a runner
    assert "hashFiles(format(" not in (ROOT / "action.yml").read_text()
    assert set(ACTION["inputs"]) >= {
        "github-token",
        "fail-level",
        "model",
        "max-comments",
        "paths",
        "config",
    }


def test_the_run_steps_install_reviewer_and_post_one_review(
    pr: PullRequestRun, runner_python: Path, tmp_path: Path
) -> None:
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    inputs["github-token"] = WRITE_TOKEN
    inputs["max-comments"] = "2"
    context = {f"inputs.{name}": value for name, value in inputs.items()}
    context["github.action_path"] = str(ROOT)
    output = tmp_path / "github-output"
    environment = {
        **os.environ,
        "PATH": f"{runner_python}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(pr.repo.path),
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_OUTPUT": str(output),
        "RUNNER_TEMP": str(tmp_path),
        "RUNNER_OS": "Linux",
    }
    environment.pop("VIRTUAL_ENV", None)
    environment.pop("GITHUB_TOKEN", None)  # only the step's env may set it
    results = []
    for step in _steps("run"):
        env = {key: _substitute(str(value), context) for key, value in step.get("env", {}).items()}
        assert step["shell"] == "bash"
        done = subprocess.run(  # how GitHub runs a bash step
            [
                "bash",
                "--noprofile",
                "--norc",
                "-eo",
                "pipefail",
                "-c",
                _substitute(step["run"], context),
            ],
            cwd=pr.repo.path,
            env={**environment, **env},
            capture_output=True,
            text=True,
            timeout=900,
        )
        results.append(done)
        if step["name"].startswith("Install"):
            assert done.returncode == 0, done.stderr
    keys = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    assert keys["failed"] == "true" and keys["findings"] == "3"
    assert keys["model"] == f"reviewer-model-Linux-{DEFAULT_SHA256}"
    assert re.fullmatch(r"reviewer-pip-Linux-py3\.11-model-off-[0-9a-f]{16}", keys["pip"])
    review = results[-1]
    assert review.returncode == 1, review.stdout + review.stderr  # errors: the job fails
    assert (runner_python / "reviewer").exists()  # installed by the action's own step
    posts = pr.fake.posted_reviews()
    assert len(posts) == 1 and len(posts[0]["comments"]) == 2  # max-comments reached it
    assert "over the cap of 2 comments" in posts[0]["body"]
    assert WRITE_TOKEN not in review.stdout + review.stderr

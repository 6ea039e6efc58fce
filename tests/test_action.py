"""The composite action (action.yml): its `run:` steps run for real with
bash, with the environment GitHub sets and the inputs' expressions
substituted (tests/action_harness.py): the inputs are checked once, the
install step installs this checkout into a virtual environment under
RUNNER_TEMP, the review step posts to the fake GitHub. The `if:` conditions
of its cache steps are evaluated as GitHub would."""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from reviewer.cli import SEVERITY_NAMES
from reviewer.model.resolve import DEFAULT_SHA256
from reviewer.scorer.build import HEADS_DIR, shipped_head_for, shipped_head_is_default
from tests.action_harness import (
    ROOT,
    StepRun,
    condition,
    load_action,
    run_steps,
    runner_for,
    steps,
)
from tests.conftest import GitRepo
from tests.github_fake import WRITE_TOKEN
from tests.test_github import PullRequestRun

ACTION = load_action()
PINNED = re.compile(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}")


@pytest.fixture
def pr(repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PullRequestRun]:
    run = PullRequestRun(repo, tmp_path, monkeypatch)
    yield run
    run.server.shutdown()


def _check(
    tmp_path: Path, inputs: Mapping[str, str] | None = None, *, action_path: Path = ROOT
) -> StepRun:
    """Only the step that checks the inputs (no install)."""
    runner = runner_for(tmp_path, tmp_path / "runner-temp", action_path)
    inputs = inputs or {}
    (run,) = run_steps(runner, inputs, only={"inputs"})
    return run


def _by_id(runs: list[StepRun]) -> dict[str, StepRun]:
    return {run.id: run for run in runs}


# --- the inputs, checked once --------------------------------------------------


def test_inputs_are_read_case_insensitively_and_normalised(tmp_path: Path) -> None:
    inputs = {"model": " On ", "model-backend": "LLAMA", "fail-level": "Warning"}
    inputs |= {"full-review": "TRUE", "max-comments": "7", "warm-up": "False"}
    run = _check(tmp_path, inputs)
    assert run.returncode == 0, run.text
    out = run.outputs
    assert out["model"] == "on" and out["model-flag"] == "--model" and out["install"] == "llama"
    assert out["backend"] == "llama" and out["fail-level"] == "warning"
    assert out["full-review"] == "true" and out["warm-up"] == "false"
    assert out["max-comments"] == "7"


def test_model_off_in_capitals_installs_nothing_of_the_model(tmp_path: Path) -> None:
    # The defect: bash saw "OFF" != "off" and built llama.cpp, `if:` saw it
    # equal and skipped the model cache.
    out = _check(tmp_path, {"model": "OFF"}).outputs
    assert out["model"] == "off" and out["install"] == "structural"
    assert out["model-flag"] == "--no-model"


def test_fail_level_is_empty_unless_set(tmp_path: Path) -> None:
    assert ACTION["inputs"]["fail-level"]["default"] == ""
    assert _check(tmp_path).outputs["fail-level"] == ""
    # every severity the CLI accepts, and no other
    for name in SEVERITY_NAMES:
        assert _check(tmp_path, {"fail-level": name.upper()}).outputs["fail-level"] == name


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"model": "yes"}, "input model: 'yes' is not one of on, off, auto"),
        (
            {"fail-level": "fatal"},
            "input fail-level: 'fatal' is not one of info, warning, error (or empty)",
        ),
        ({"model-backend": "vllm"}, "input model-backend: 'vllm' is not one of llama, openai"),
        ({"full-review": "yes"}, "input full-review: 'yes' is not one of true, false"),
        ({"warm-up": "1"}, "input warm-up: '1' is not one of true, false"),
        ({"max-comments": "-1"}, "input max-comments: '-1' is not one of 0, 1, 2, ..."),
        (
            {"model": "on", "model-backend": "openai"},
            "input model-url: model-backend openai needs the server's URL",
        ),
    ],
)
def test_a_bad_input_stops_the_job_with_one_error_line(
    tmp_path: Path, inputs: dict[str, str], message: str
) -> None:
    run = _check(tmp_path, inputs)
    assert run.returncode == 1
    errors = [line for line in run.stdout.splitlines() if line.startswith("::error")]
    assert errors == [f"::error title=reviewer::{message}"]
    assert run.outputs == {}  # nothing downstream gets a value


def test_a_bad_value_cannot_write_workflow_commands(tmp_path: Path) -> None:
    run = _check(tmp_path, {"model": "on\n::add-mask::x\n::set-output name=install::llama"})
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    assert len(lines) == 1 and "%0A::add-mask::x%0A::set-output" in lines[0]


def test_auto_follows_the_shipped_heads_card(tmp_path: Path) -> None:
    head = shipped_head_for(DEFAULT_SHA256)
    assert head is not None
    card_default = shipped_head_is_default(head)
    run = _check(tmp_path, {"model": "AUTO"})
    out = run.outputs
    if card_default:
        assert out["model"] == "auto" and out["install"] == "llama" and out["model-flag"] == ""
    else:  # today: nothing of the model is installed, built or assembled
        assert out["model"] == "off" and out["install"] == "structural"
        assert out["model-flag"] == "--no-model"
        assert "off by default: structural checks only" in run.stdout


def test_auto_installs_the_model_once_the_card_says_default(tmp_path: Path) -> None:
    """A copy of the action whose card says `"default": true`."""
    copy = tmp_path / "action"
    (copy / "reviewer" / "model").mkdir(parents=True)
    shutil.copy(ROOT / "action.yml", copy)
    shutil.copy(ROOT / "reviewer" / "model" / "resolve.py", copy / "reviewer" / "model")
    heads = copy / "reviewer" / "scorer" / "heads"
    heads.mkdir(parents=True)
    for card in HEADS_DIR.glob("*.json"):
        data = json.loads(card.read_text())
        data["default"] = True
        (heads / card.name).write_text(json.dumps(data))
    out = _check(tmp_path, {"model": "auto"}, action_path=copy).outputs
    assert out["model"] == "auto" and out["install"] == "llama"
    assert out["model-flag"] == ""  # the repository's model.enabled decides
    # a card for another model does not count
    for card in heads.glob("*.json"):
        data = json.loads(card.read_text())
        data["model_sha256"] = "0" * 64
        card.write_text(json.dumps(data))
    assert _check(tmp_path, {"model": "auto"}, action_path=copy).outputs["install"] == "structural"


def test_the_server_backend_installs_no_llama(tmp_path: Path) -> None:
    inputs = {"model": "on", "model-backend": "OpenAI", "model-url": "http://127.0.0.1:1/v1"}
    out = _check(tmp_path, inputs).outputs
    assert out["install"] == "server" and out["backend"] == "openai"
    install = next(step for step in steps(ACTION, "run") if step["id"] == "install")
    # the server scorer's numpy, as the model extra pins it
    pyproject = (ROOT / "pyproject.toml").read_text()
    numpy = re.search(r'"(numpy[^"]*)",\s*# the line scorer', pyproject)
    assert (
        numpy is not None
        and f'server) "${{install[@]}}" "$ACTION_PATH" "{numpy.group(1)}"' in (install["run"])
    )


# --- the steps as GitHub runs them -----------------------------------------------


def test_no_setup_python_and_every_action_pinned_to_a_commit() -> None:
    for step in steps(ACTION, "uses"):
        assert PINNED.fullmatch(step["uses"]), step["uses"]
        assert not step["uses"].startswith("actions/setup-python")
    # the harness runs every run step: none may depend on an `if:`
    assert all("if" not in step for step in steps(ACTION, "run"))
    # no `${{ }}` inside a script: values reach bash through env only
    assert all("${{" not in step["run"] for step in steps(ACTION, "run"))
    assert "python-version" not in ACTION["inputs"]


def test_caches_are_restored_and_saved_apart_with_the_same_keys() -> None:
    uses = steps(ACTION, "uses")
    assert not [s for s in uses if s["uses"].split("@")[0] == "actions/cache"]
    restores = {s["with"]["path"]: s for s in uses if "actions/cache/restore@" in s["uses"]}
    saves = {s["with"]["path"]: s for s in uses if "actions/cache/save@" in s["uses"]}
    assert set(restores) == set(saves) == {"~/.cache/pip", "~/.cache/reviewer/models"}
    for path, restore in restores.items():
        assert saves[path]["with"]["key"] == restore["with"]["key"]
        assert saves[path]["uses"].split("/save@")[1] == restore["uses"].split("/restore@")[1]
    assert restores["~/.cache/pip"]["with"]["key"] == "${{ steps.keys.outputs.pip }}"
    assert restores["~/.cache/reviewer/models"]["with"]["key"] == "${{ steps.keys.outputs.model }}"
    # hashFiles() cannot see the action's directory on a runner
    assert "hashFiles(" not in json.dumps(ACTION)


def _runs(name: str, context: dict[str, str], *, job_failed: bool) -> bool:
    step = next(s for s in steps(ACTION, "uses") if s["name"] == name)
    return condition(str(step.get("if", "success()")), context, job_failed=job_failed)


@pytest.mark.parametrize("job_failed", [False, True])
def test_the_caches_are_saved_even_when_the_review_fails_the_job(job_failed: bool) -> None:
    context = {
        "steps.inputs.outputs.install": "llama",
        "steps.install.outcome": "success",
        "steps.pip-cache.outputs.cache-hit": "false",
        "steps.model-cache.outputs.cache-hit": "",  # a miss leaves it empty
    }
    assert _runs("Restore the model", context, job_failed=False)
    assert _runs("Save pip downloads and built wheels", context, job_failed=job_failed)
    assert _runs("Save the model", context, job_failed=job_failed)


def test_the_caches_are_not_saved_over_an_exact_hit_or_after_a_failed_install() -> None:
    base = {
        "steps.inputs.outputs.install": "llama",
        "steps.install.outcome": "success",
        "steps.pip-cache.outputs.cache-hit": "true",
        "steps.model-cache.outputs.cache-hit": "true",
    }
    assert not _runs("Save pip downloads and built wheels", base, job_failed=True)
    assert not _runs("Save the model", base, job_failed=True)
    failed = {**base, "steps.install.outcome": "failure", "steps.pip-cache.outputs.cache-hit": ""}
    assert not _runs("Save pip downloads and built wheels", failed, job_failed=True)
    assert not _runs("Save the model", failed, job_failed=True)


def test_the_model_cache_is_left_alone_without_the_in_process_model() -> None:
    for install in ("structural", "server", "STRUCTURAL"):
        context = {
            "steps.inputs.outputs.install": install,
            "steps.install.outcome": "success",
        }
        assert not _runs("Restore the model", context, job_failed=False)
        assert not _runs("Save the model", context, job_failed=True)
        assert _runs("Save pip downloads and built wheels", context, job_failed=True)


def test_the_run_steps_install_reviewer_and_post_one_review(
    pr: PullRequestRun, tmp_path: Path
) -> None:
    runner = runner_for(pr.repo.path, tmp_path / "runner-temp")
    runs = _by_id(run_steps(runner, {"github-token": WRITE_TOKEN, "max-comments": "2"}))
    assert list(runs) == ["inputs", "keys", "install", "review"]
    assert runs["install"].returncode == 0, runs["install"].text
    keys = runs["keys"].outputs
    assert keys["model"] == f"reviewer-model-Linux-{DEFAULT_SHA256}"
    assert re.fullmatch(r"reviewer-pip-Linux-py3\.\d+-structural-[0-9a-f]{16}", keys["pip"])
    # installed into a virtual environment under RUNNER_TEMP, not the job's Python
    venv = runner.temp / "reviewer-venv"
    assert runs["install"].outputs["bin"] == str(venv / "bin")
    assert (venv / "pyvenv.cfg").is_file() and (venv / "bin" / "reviewer").is_file()
    site = list((venv / "lib").glob("python3*/site-packages"))
    assert len(site) == 1 and (site[0] / "reviewer").is_dir()
    assert not (site[0] / "llama_cpp").exists() and not (site[0] / "numpy").exists()
    review = runs["review"]
    assert review.returncode == 1, review.text  # errors: the job fails
    assert review.outputs["failed"] == "true" and review.outputs["findings"] == "3"
    # fail-level left empty: not passed, so the repository's fail_level applies
    assert "reviewer github --max-comments 2 --no-model" in review.stdout.splitlines()
    posts = pr.fake.posted_reviews()
    assert len(posts) == 1 and len(posts[0]["comments"]) == 2  # max-comments reached it
    assert "over the cap of 2 comments" in posts[0]["body"]
    assert WRITE_TOKEN not in review.text


def test_warm_up_reviews_nothing(pr: PullRequestRun, tmp_path: Path) -> None:
    """The install step is the default run's (above); here the review step
    runs after the check without it, so it has no reviewer to call."""
    runner = runner_for(pr.repo.path, tmp_path / "runner-temp")
    inputs = {"github-token": WRITE_TOKEN, "warm-up": "TRUE", "model": "on"}
    runs = _by_id(run_steps(runner, inputs, only={"inputs", "review"}))
    assert runs["inputs"].outputs["install"] == "llama"  # what the caches will hold
    assert runs["review"].returncode == 0, runs["review"].text
    assert (
        "::notice title=reviewer::warm-up: installed and cached; no review" in runs["review"].stdout
    )
    assert pr.fake.posted_reviews() == []


# --- the model's settings come from the inputs -------------------------------------


class _Listener:
    """A loopback HTTP server that records every request and answers 404."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        recorded = self.requests

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorded.append(
                    {
                        "path": self.path,
                        "authorization": self.headers.get("Authorization"),
                        "body": json.loads(body) if body else None,
                    }
                )
                self.send_response(404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"error": {"message": "not here"}}')

            do_GET = _record
            do_POST = _record

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/mapped/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[_Listener]:
    server = _Listener()
    yield server
    server.close()


def test_the_model_settings_reach_reviewer_from_the_inputs(
    pr: PullRequestRun, tmp_path: Path, listener: _Listener
) -> None:
    """model-backend, model-url, model-name and model-api-key become the
    review step's REVIEWER_MODEL_BACKEND, _URL, _NAME and REVIEWER_API_KEY;
    the repository's own [model] settings are not what is used."""
    pytest.importorskip(
        "reviewer.guarded", reason="needs the REVIEWER_MODEL_* environment layer (issue 20)"
    )
    key = "sk-action-test-0123456789"
    pr.repo.write(".reviewer.toml", '[model]\nbackend = "llama"\nname = "from-the-repository"\n')
    runner = runner_for(pr.repo.path, tmp_path / "runner-temp")
    inputs = {
        "github-token": WRITE_TOKEN,
        "model": "on",
        "model-backend": "openai",
        "model-url": listener.url,
        "model-name": "served-model",
        "model-api-key": key,
    }
    runs = _by_id(run_steps(runner, inputs))
    assert runs["inputs"].outputs["install"] == "server"
    assert runs["install"].returncode == 0, runs["install"].text
    review = runs["review"]
    assert listener.requests, review.text  # the server was asked
    for request in listener.requests:
        assert request["path"].startswith("/mapped/"), request
        assert request["authorization"] == f"Bearer {key}", request
        if request["body"] is not None and "model" in request["body"]:
            assert request["body"]["model"] == "served-model"
    assert key not in review.text and WRITE_TOKEN not in review.text
    assert len(pr.fake.posted_reviews()) == 1  # the review went on without the model


def test_the_key_is_only_in_the_review_step_and_only_when_the_model_runs(tmp_path: Path) -> None:
    for step in steps(ACTION, "run"):
        mentions = "model-api-key" in json.dumps(step.get("env", {}))
        assert mentions == (step["id"] == "review"), step["id"]
    review = next(step for step in steps(ACTION, "run") if step["id"] == "review")
    assert "unset MODEL_API_KEY" in review["run"]
    exports = re.findall(r"export (REVIEWER_\w+)=\"\$(\w+)\"", review["run"])
    assert dict(exports) == {
        "REVIEWER_MODEL_BACKEND": "MODEL_BACKEND",
        "REVIEWER_MODEL_URL": "MODEL_URL",
        "REVIEWER_MODEL_NAME": "MODEL_NAME",
        "REVIEWER_API_KEY": "MODEL_API_KEY",
    }
    env = review["env"]
    assert env["MODEL_URL"] == "${{ inputs.model-url }}"
    assert env["MODEL_NAME"] == "${{ inputs.model-name }}"
    assert env["MODEL_API_KEY"] == "${{ inputs.model-api-key }}"
    assert env["MODEL_BACKEND"] == "${{ steps.inputs.outputs.backend }}"

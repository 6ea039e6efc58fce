"""Static checks of action.yml and of the README's workflow examples, run
offline: zizmor (security audits, `--offline`, the auditor persona),
actionlint (the workflows, with the examples' `OWNER/reviewer@...` pointed
at this action.yml so that their inputs are checked against it),
check-jsonschema (the action metadata and workflow schemas) and shellcheck
(action.yml's run scripts). Findings accepted on purpose are listed, each
with its reason, in tests/action_lint/zizmor.yml.

Offline: each tool runs with its proxies pointed at a closed port and, where
the machine allows it, in a network namespace of its own (`unshare -n`)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from tests.action_harness import ROOT, load_action, steps

CONFIG = Path(__file__).resolve().parent / "action_lint"
WORKFLOW_HEADER = re.compile(r"# \.github/workflows/([\w.-]+\.yml)")
OUR_ACTION = re.compile(r"uses: OWNER/reviewer@\S+")
# Set by the runner for every step, or exported by the script itself.
RUNNER_VARIABLES = {"GITHUB_OUTPUT", "RUNNER_TEMP", "RUNNER_OS"}


# plain text whatever the environment asks of colours (a CI runner may force them)
ZIZMOR = ("--offline", "--color=never", "--persona=auditor")


def _tool(name: str) -> str:
    """A tool from the test extra: beside this Python first (a venv that is
    not activated), then on PATH. Missing is a failure, not a skip."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    found = shutil.which(name, path=path)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


@cache
def _isolated() -> list[str]:
    """`unshare -n` when this machine lets the tests make a network
    namespace (root, or user namespaces), else nothing."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    try:
        done = subprocess.run([unshare, "-n", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [unshare, "-n"] if done.returncode == 0 else []


def _offline(*command: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    closed = "http://127.0.0.1:9"  # discard port: nothing listens
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN")
    }
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        environment[name] = environment[name.lower()] = closed
    environment["NO_PROXY"] = environment["no_proxy"] = ""
    return subprocess.run(
        [*_isolated(), *command],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def readme_workflows() -> dict[str, str]:
    """The README's ```yaml blocks that are workflows, by the file name in
    their first line."""
    blocks = re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    workflows = {}
    for block in blocks:
        if not re.search(r"^jobs:", block, re.M):
            continue
        header = WORKFLOW_HEADER.match(block)
        assert header, f"a workflow example must start with its file name:\n{block}"
        workflows[header.group(1)] = block
    return workflows


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A repository holding the README's workflows as they are written."""
    workflows = tmp_path / "repo" / ".github" / "workflows"
    workflows.mkdir(parents=True)
    for name, text in readme_workflows().items():
        (workflows / name).write_text(text)
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    return tmp_path / "repo"


def test_the_readme_has_the_workflows_it_documents() -> None:
    names = set(readme_workflows())
    assert {"review.yml", "review-server.yml", "review-warm-up.yml"} <= names
    for text in readme_workflows().values():
        assert OUR_ACTION.search(text)


def test_zizmor_finds_nothing_in_the_action() -> None:
    config = str(CONFIG / "zizmor.yml")
    done = _offline(_tool("zizmor"), *ZIZMOR, "--config", config, "action.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout


def test_zizmor_finds_nothing_in_the_readme_workflows(repository: Path) -> None:
    config = str(CONFIG / "zizmor.yml")
    command = [_tool("zizmor"), *ZIZMOR, "--config", config, ".github/workflows"]
    done = _offline(*command, cwd=repository)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout
    # exactly the one finding tests/action_lint/zizmor.yml explains
    assert "(1 ignored)" in done.stdout


def test_zizmor_would_report_what_the_config_accepts(repository: Path) -> None:
    """Without the config, the two accepted findings are reported: the
    config is what silences them, and nothing else is."""
    command = [_tool("zizmor"), *ZIZMOR, "--no-config", "--format=json", ".github/workflows"]
    done = _offline(*command, cwd=repository)
    findings = json.loads(done.stdout)
    rules = sorted({finding["ident"] for finding in findings})
    assert rules == ["secrets-outside-env", "unpinned-uses"], rules
    pinned = [f for f in findings if f["ident"] == "unpinned-uses"]
    assert all("OWNER/reviewer@" in json.dumps(f) for f in pinned)


def test_actionlint_checks_the_workflows_against_this_action(repository: Path) -> None:
    for workflow in (repository / ".github" / "workflows").glob("*.yml"):
        text, count = OUR_ACTION.subn("uses: ./", workflow.read_text())
        assert count >= 1
        workflow.write_text(text)
    shutil.copy(ROOT / "action.yml", repository / "action.yml")
    actionlint = _tool("actionlint")
    command = [actionlint, "-no-color", "-shellcheck", _tool("shellcheck"), "-pyflakes", ""]
    done = _offline(*command, cwd=repository)
    assert done.returncode == 0, done.stdout + done.stderr
    # and it does read action.yml: an input the action lacks is an error
    review = repository / ".github" / "workflows" / "review.yml"
    review.write_text(review.read_text().replace("max-comments:", "max-comment:"))
    done = _offline(*command, cwd=repository)
    assert done.returncode == 1 and 'input "max-comment" is not defined' in done.stdout


def test_check_jsonschema_validates_the_action_metadata() -> None:
    command = [_tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions"]
    done = _offline(*command, "action.yml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_check_jsonschema_validates_the_readme_workflows(repository: Path) -> None:
    files = sorted(str(p) for p in (repository / ".github" / "workflows").glob("*.yml"))
    command = [_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows"]
    done = _offline(*command, *files)
    assert done.returncode == 0, done.stdout + done.stderr


def test_shellcheck_finds_nothing_in_the_run_scripts(tmp_path: Path) -> None:
    """SC2154 (referenced but not assigned) and SC2153 (possible misspelling)
    are off, as in actionlint: a step's variables come from its `env:`. The
    check below does their job: every upper-case variable a script reads is
    in its env, set by the runner, or assigned by the script."""
    scripts = []
    for step in steps(load_action(), "run"):
        script = tmp_path / f"{step['id']}.sh"
        script.write_text(step["run"])
        scripts.append(str(script))
        read = set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", step["run"]))
        assigned = set(re.findall(r"(?:^|\s|export )([A-Z][A-Z0-9_]*)=", step["run"]))
        known = set(step.get("env", {})) | RUNNER_VARIABLES | assigned
        assert read <= known, f"{step['id']} reads {read - known}"
    command = [_tool("shellcheck"), "--norc", "--shell=bash", "--exclude=SC2154,SC2153"]
    done = _offline(*command, *scripts)
    assert done.returncode == 0, done.stdout + done.stderr

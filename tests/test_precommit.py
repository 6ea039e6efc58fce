"""The pre-commit hooks, run for real: `pre-commit install` in a repository
built in tmp_path, hooks taken from a snapshot of this checkout (its work
tree as it is, committed into a scratch repository), and `git commit`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import GitRepo

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which(
    "pre-commit"
)
pytestmark = pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed")

CLEAN = "def price(total, rate):\n    return total * rate\n"
DEFECT = (
    "def price(total, rate):\n    if rate is 1.0:\n        return total\n    return total * rate\n"
)


@pytest.fixture(scope="session")
def hook_repository(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This checkout's files (committed or not, minus what git ignores) as
    one commit of a scratch repository: what a user's `repo:`/`rev:` gets."""
    snapshot = tmp_path_factory.mktemp("hook-repo")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / os.fsdecode(name)
        if source.is_file():
            target = snapshot / os.fsdecode(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    env = _git_env(snapshot)
    for command in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "--all"],
        ["git", "commit", "-q", "-m", "snapshot"],
    ):
        subprocess.run(command, cwd=snapshot, env=env, check=True)
    sha = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=snapshot, env=env, capture_output=True, text=True
    ).stdout.strip()
    return snapshot, sha


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shared by the tests: the hook's environment is built (pip) once."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def hooked(
    repo: GitRepo,
    hook_repository: tuple[Path, str],
    pre_commit_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[GitRepo]:
    """A repository with one committed clean file and the structural hook
    installed as git's pre-commit hook."""
    source, sha = hook_repository
    monkeypatch.setenv("PRE_COMMIT_HOME", str(pre_commit_home))
    repo.write("app.py", CLEAN)
    repo.write(
        ".pre-commit-config.yaml",
        f"repos:\n  - repo: {source}\n    rev: {sha}\n"
        "    hooks:\n      - id: reviewer-structural\n",
    )
    repo.commit("start")
    subprocess.run([PRE_COMMIT, "install"], cwd=repo.path, check=True, capture_output=True)
    yield repo


def _git_env(path: Path) -> dict[str, str]:
    return {**os.environ, "GIT_DIR": str(path / ".git"), "GIT_WORK_TREE": str(path)}


def _commit(repo: GitRepo) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "commit", "-m", "change"], cwd=repo.path, capture_output=True, text=True
    )


def test_a_staged_defect_refuses_the_commit_and_shows_the_finding(hooked: GitRepo) -> None:
    hooked.write("app.py", DEFECT)
    hooked.git("add", "app.py")
    done = _commit(hooked)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "py-is-literal" in output and "app.py" in output
    assert "Failed" in output  # pre-commit's verdict for the hook
    assert hooked.git("rev-list", "--count", "HEAD").strip() == "1"  # nothing committed
    assert (hooked.path / "app.py").read_text() == DEFECT  # the hook modified nothing


def test_a_clean_staged_change_commits(hooked: GitRepo) -> None:
    hooked.write("app.py", CLEAN + "\n\ndef tax(total):\n    return total * 0.2\n")
    hooked.git("add", "app.py")
    done = _commit(hooked)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout + done.stderr
    assert hooked.git("rev-list", "--count", "HEAD").strip() == "2"


def test_only_the_staged_version_is_reviewed(hooked: GitRepo) -> None:
    # The defect is staged; the work tree already has the fix, unstaged.
    hooked.write("app.py", DEFECT)
    hooked.git("add", "app.py")
    fixed = DEFECT.replace("rate is 1.0", "rate == 1.0")
    hooked.write("app.py", fixed)
    refused = _commit(hooked)
    assert refused.returncode != 0 and "py-is-literal" in refused.stdout + refused.stderr
    assert (hooked.path / "app.py").read_text() == fixed  # unstaged work restored intact
    # The other way round: a clean version staged, the defect only in the work tree.
    hooked.write("app.py", fixed)
    hooked.git("add", "app.py")
    hooked.write("app.py", DEFECT)
    done = _commit(hooked)
    assert done.returncode == 0, done.stdout + done.stderr
    assert hooked.git("show", "HEAD:app.py") == fixed
    assert (hooked.path / "app.py").read_text() == DEFECT


def test_findings_below_the_fail_level_are_shown_but_do_not_refuse(hooked: GitRepo) -> None:
    hooked.write("app.py", CLEAN + "\n\ndef same(x):\n    return x == None\n")
    hooked.git("add", "app.py")
    # pre-commit shows a passing hook's output only with --verbose.
    shown = subprocess.run(
        [PRE_COMMIT, "run", "--verbose", "reviewer-structural"],
        cwd=hooked.path,
        capture_output=True,
        text=True,
    )
    assert shown.returncode == 0, shown.stdout
    assert "py-none-equality" in shown.stdout and "Passed" in shown.stdout
    done = _commit(hooked)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_hook_manifest_offers_both_hooks() -> None:
    import yaml

    hooks = {
        hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    }
    assert set(hooks) == {"reviewer", "reviewer-structural"}
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        assert "--staged" in hook["entry"]
    assert "--no-model" in hooks["reviewer-structural"]["entry"]
    assert "--no-model" not in hooks["reviewer"]["entry"]


def test_the_project_reviews_itself_with_its_own_hook(
    hook_repository: tuple[Path, str],
    pre_commit_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """.pre-commit-config.yaml's `reviewer` hook, run on a clone of this
    checkout with a defect staged in the package."""
    monkeypatch.setenv("PRE_COMMIT_HOME", str(pre_commit_home))
    clone = tmp_path / "own"
    subprocess.run(["git", "clone", "-q", str(hook_repository[0]), str(clone)], check=True)
    module = clone / "reviewer" / "planted.py"
    module.write_text(DEFECT)
    subprocess.run(["git", "add", "reviewer/planted.py"], cwd=clone, check=True)
    done = subprocess.run(
        [PRE_COMMIT, "run", "reviewer"], cwd=clone, capture_output=True, text=True
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "reviewer/planted.py" in done.stdout and "py-is-literal" in done.stdout


def test_the_projects_own_hook_installs_what_the_package_needs() -> None:
    """The local `reviewer` hook installs its dependencies by hand: they must
    follow pyproject's (the language server's two are not needed by `diff`)."""
    import yaml

    from reviewer.config_files import read_toml

    root = Path(__file__).resolve().parent.parent
    project = read_toml(root / "pyproject.toml")["project"]
    needed = {
        d
        for d in project["dependencies"]
        if ";" not in d and not d.startswith(("pygls", "lsprotocol"))
    }
    config = yaml.safe_load((root / ".pre-commit-config.yaml").read_text())
    hook = next(h for repo in config["repos"] for h in repo["hooks"] if h["id"] == "reviewer")
    assert set(hook["additional_dependencies"]) == needed

"""REVIEWER_REQUIRE_MODEL=1 (set by .ci/run) turns every "model missing"
skip into a failure; without it a machine lacking the `model` extra skips."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hidden_modules import hiding
from tests.model_missing import REQUIRE_MODEL, model_missing, require_modules

ROOT = Path(__file__).resolve().parents[1]
# A test marked needs_llama (the first one of test_llama.py), in a child
# where llama-cpp-python cannot be imported.
MARKED = "tests/model/test_llama.py::test_random_bytes_are_a_clear_error_naming_the_file"
CHILD = "import pytest, sys\nsys.exit(pytest.main(sys.argv[1:]))\n"


def test_a_missing_model_skips_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_MODEL, raising=False)
    with pytest.raises(pytest.skip.Exception, match="no weights"):
        model_missing("no weights")
    with pytest.raises(pytest.skip.Exception, match="not_a_module_xyz not installed"):
        require_modules("json", "not_a_module_xyz")
    require_modules("json")  # present: nothing happens


@pytest.mark.parametrize("value", ["0", "", "yes"])
def test_only_1_requires_the_model(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(REQUIRE_MODEL, value)
    with pytest.raises(pytest.skip.Exception):
        model_missing("no weights")


def test_required_a_missing_model_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_MODEL, "1")
    with pytest.raises(pytest.fail.Exception, match=rf"no weights \({REQUIRE_MODEL}=1"):
        model_missing("no weights")
    with pytest.raises(pytest.fail.Exception, match="not_a_module_xyz not installed"):
        require_modules("json", "not_a_module_xyz")


def _run_marked(require: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != REQUIRE_MODEL}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "lsp")])
    if require is not None:
        env[REQUIRE_MODEL] = require
    return subprocess.run(
        [sys.executable, "-c", hiding("llama_cpp") + CHILD, MARKED, "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_switch_reaches_marked_tests_through_the_conftest() -> None:
    skipped = _run_marked(None)
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    assert "1 skipped" in skipped.stdout
    failed = _run_marked("1")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "1 error" in failed.stdout  # failed in setup, before the test body
    assert "llama-cpp-python is not installed" in failed.stdout
    assert f"{REQUIRE_MODEL}=1" in failed.stdout


def test_ci_requires_the_model_before_the_readmes_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = next(
        line for line in readme.splitlines() if line.startswith("python3 -m venv .venv && CMAKE")
    )
    assert command in ci  # the README's command, verbatim
    assert f"\nexport {REQUIRE_MODEL}=1\n" in ci
    assert ci.index(f"export {REQUIRE_MODEL}=1") < ci.index(command)

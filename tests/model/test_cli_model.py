"""`reviewer model info`, and `reviewer diff` with and without the model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.model.base import FakeBackend
from reviewer.model.resolve import DEFAULT_SHA256, ModelLocation
from reviewer.scorer import assemble
from tests.conftest import GitRepo
from tests.scorer.heads import QWEN_05B_WIDTH, length_head

CHANGED = "def connect(db):\n    password = 'hunter2'\n    return db.login('admin', password)\n"


@pytest.fixture
def changed_repo(repo: GitRepo) -> GitRepo:
    repo.write("app.py", "def connect(db):\n    return db\n")
    repo.commit("initial")
    repo.write("app.py", CHANGED)
    return repo


def test_info_for_an_explicit_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "other.gguf"
    path.write_bytes(b"abc")
    assert main(["model", "info", "--model-path", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"model:   {path}" in out
    assert "origin:  --model-path" in out
    assert "size:    3 bytes" in out
    assert "sha256:  ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" in out
    assert "backend: llama" in out and "adapter" not in out  # the LoRA adapter was removed


def test_info_for_the_default_model(
    model_default: ModelLocation,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("reviewer.model.resolve.models_dir", lambda: model_default.path.parent)
    assert main(["model", "info"]) == 0
    out = capsys.readouterr().out
    assert "origin:  packages" in out and DEFAULT_SHA256 in out and "491,400,064 bytes" in out
    assert "head:    " in out and ("(shipped, " in out or "none fits this model" in out)


def test_info_when_nothing_is_installed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("reviewer.model.resolve.installed_parts", lambda: None)
    assert main(["model", "info"]) == 0
    assert "none installed" in capsys.readouterr().out


def test_pull_without_network_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import reviewer.model.resolve as resolve

    original = resolve.pull
    monkeypatch.setattr(
        resolve, "pull", lambda: original(url="http://127.0.0.1:9/x.gguf", timeout=2)
    )
    assert main(["model", "pull"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("reviewer: error: model pull: cannot download") and err.count("\n") == 1


def test_diff_without_the_model_runtime_says_how_to_add_it(
    changed_repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("REVIEWER_MODEL_ENABLED")  # auto, as for a user
    monkeypatch.setattr(assemble, "llama_available", lambda: False)
    main(["diff", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert assemble.NOT_INSTALLED in json.dumps(report)


def test_diff_model_flag_without_a_model_is_an_error(
    changed_repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(assemble, "llama_available", lambda: False)
    assert main(["diff", "--model"]) == 2
    assert "llama-cpp-python is not installed" in capsys.readouterr().err


def test_diff_no_model_builds_nothing(
    changed_repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(assemble, "build_backend", lambda *a, **k: pytest.fail("built"))
    assert main(["diff", "--no-model", "--format", "json"]) == 1  # the credential is an error
    report = json.loads(capsys.readouterr().out)
    assert "notes" not in report  # notes live under summary
    notes = report["summary"]["notes"]
    assert isinstance(notes, list)
    assert [n for n in notes if "model" in n] == []
    # The structural tier did run: the planted credential is found.
    assert [f["rule_id"] for f in report["findings"]] == ["py-hardcoded-credential"]


@pytest.mark.model
def test_diff_with_the_model_flags_then_explains(
    changed_repo: GitRepo,
    model_default: ModelLocation,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The real model scores the lines; a head made by hand flags the unit;
    the explaining backend writes the sentence. Settings of the removed
    generate-first review and of the removed LoRA adapter still load, do
    nothing, and are named once."""
    head = length_head(QWEN_05B_WIDTH, 0.0)
    head.save(changed_repo.path.parent / "head.npz")
    changed_repo.write(
        ".reviewer.toml",
        f'[model]\npath = "{model_default.path}"\nhead = "{changed_repo.path.parent}/head.npz"\n'
        'min_confidence = 0.8\nmax-comments-per-unit = 3\nadapter = "team-lora.gguf"\n'
        "explain = true\n",
    )
    # The head scores by length: the longest changed line (3) is flagged.
    answer = '{"line": 3, "category": "security", "message": "logs in as admin"}'
    fake = FakeBackend([answer])
    monkeypatch.setattr(assemble, "build_backend", lambda *a, **k: fake)
    main(["diff", "--model", "--no-adapter", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    model = [
        (f["line"], f["rule_id"], f["message"]) for f in out["findings"] if f["source"] == "model"
    ]
    # The sentence, then what raised the line's score (the head reads its length).
    assert model == [(3, "model/security", "logs in as admin (scored high for: a long line)")]
    assert len(fake.requests) == 1
    # The head's p for the line is under 0.5: the old 0.8 threshold would have hidden it.
    assert [f["confidence"] < 0.5 for f in out["findings"] if f["source"] == "model"] == [True]
    retired = [n for n in out["summary"]["notes"] if "generate-first" in n]
    assert retired == [
        "model: model.min_confidence, model.max_comments_per_unit ignored: set for the "
        "generate-first review, which was removed (the line scorer's gate is model.threshold)"
    ]
    removed = [n for n in out["summary"]["notes"] if "adapter" in n]
    assert removed == [
        "model: model.adapter and --no-adapter ignored: the LoRA adapter was removed"
    ]


def test_empty_diff_fast_path_does_not_import_the_model(committed_empty: Path) -> None:
    code = (
        "import sys\nfrom reviewer.cli import main\nrc = main(['diff', '--model'])\n"
        "heavy = [m for m in ('llama_cpp', 'pydantic', 'git') if m in sys.modules]\n"
        "print(rc, heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=committed_empty, capture_output=True, text=True
    )
    assert result.stdout.strip().splitlines()[-1] == "0 []", result.stderr


@pytest.fixture
def committed_empty(repo: GitRepo) -> Path:
    repo.write("app.py", "x = 1\n")
    repo.commit("initial")
    return repo.path

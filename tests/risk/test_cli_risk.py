"""`reviewer diff --model` with the real default model and its shipped head
on a planted risky change (many added lines) and a clean small one: every
format carries the change's risk (the learned scorer's, from the change's
history read at the edge) and the lines to look at first with their
reasons; no rank, since the recent changes carry no metrics of their own."""

from __future__ import annotations

import importlib.util
import json

import pytest

from reviewer.cli import main
from reviewer.model.resolve import ModelLocation
from reviewer.risk import jit_logistic
from tests.conftest import GitRepo
from tests.risk.conftest import SMALL, model_config, risky_module
from tests.sarif_schema import sarif_errors

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="no llama-cpp-python"),
]


def test_a_risky_and_a_clean_change_in_every_format(
    history_repo: GitRepo,
    model_default: ModelLocation,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("REVIEWER_MODEL_ENABLED")
    model_config(history_repo, model_default.path)
    risky = risky_module()
    history_repo.write("steps.py", risky)
    history_repo.git("add", "steps.py")

    def run(*args: str) -> tuple[int, str]:
        code = main(["diff", "--staged", "--model", *args])
        return code, capsys.readouterr().out

    code, out = run("--format", "json")
    assert code == 0
    risk = json.loads(out)["summary"]["risk"]
    # The change's history was read: the learned scorer, a calibrated probability.
    assert 0 < risk["probability"] < 1 and risk["calibrated"] is True
    assert risk["scorer"] == jit_logistic.load().name
    assert f"adds {risky.count(chr(10))} lines of code" in risk["reasons"]
    # The recent changes carry no metrics of their own: no rank among them
    # rather than one against scores of another kind.
    assert risk["rank"] is None
    lines = risk["lines"]
    assert len(lines) == 5, lines  # the change has far more than five lines
    scores = [line["score"] for line in lines]
    assert scores == sorted(scores, reverse=True)
    assert {line["path"] for line in lines} == {"steps.py"}
    code_lines = risky.split("\n")
    assert all(code_lines[line["line"] - 1].strip() for line in lines)  # never a blank line
    assert any(line["reasons"] for line in lines), lines  # the head says why
    words = {reason for line in lines for reason in line["reasons"]}
    assert all(isinstance(word, str) and word for word in words)

    code, text = run()
    header = text.splitlines()[0]
    assert header.startswith(f"Change risk {risk['probability']:.2f}: ")
    assert "not a calibrated probability" not in header and "higher than" not in header
    assert "look first at:" in text and f"steps.py:{lines[0]['line']} (score " in text

    code, out = run("--format", "sarif")
    log = json.loads(out)
    assert sarif_errors(log) == []
    assert log["runs"][0]["properties"]["risk"] == risk

    code, out = run("--format", "rdjson")
    first = json.loads(out)["diagnostics"][0]
    assert first["code"]["value"] == "reviewer/change-risk" and first["severity"] == "INFO"
    assert first["location"]["path"] == "steps.py"
    assert first["location"]["range"]["start"]["line"] == lines[0]["line"]
    assert first["message"].startswith("Change risk 0.")

    # pre-commit's `reviewer diff --staged`: the risk never blocks, unless asked to.
    history_repo.write(
        ".reviewer.toml",
        f'fail_risk = 0.01\n[model]\npath = "{model_default.path}"\nexplain = false\n',
    )
    assert run()[0] == 1

    history_repo.git("checkout", "--", ".reviewer.toml")
    history_repo.commit("steps")
    history_repo.write("shop.py", SMALL)
    history_repo.git("add", "shop.py")
    code, out = run("--format", "json")
    clean = json.loads(out)["summary"]["risk"]
    assert code == 0 and clean["probability"] < risk["probability"]
    # One added line lowers the risk: it is never given as a reason.
    assert clean["reasons"] and not any("adds" in reason for reason in clean["reasons"])
    assert clean["rank"] is None
    assert [(line["path"], line["line"]) for line in clean["lines"]] == [("shop.py", 2)]


def test_a_change_without_reviewable_code_has_no_risk_and_says_so(
    history_repo: GitRepo,
    model_default: ModelLocation,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("REVIEWER_MODEL_ENABLED")
    model_config(history_repo, model_default.path)
    history_repo.write("NOTES.md", "# Notes\n\nMany words, no code.\n" * 20)
    history_repo.git("add", "NOTES.md")
    assert main(["diff", "--staged", "--model", "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert "risk" not in summary
    assert summary["notes"] == ["risk: none (the change adds no reviewable code)"]
    main(["diff", "--staged", "--model"])
    assert "risk: none (the change adds no reviewable code)" in capsys.readouterr().out


def test_a_change_the_model_did_not_score_has_a_risk_but_no_ranking(
    history_repo: GitRepo,
    model_default: ModelLocation,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A unit budget of 0: no line is scored (the model is never loaded), the
    risk still comes from the change scorer, and the text says there is no ranking."""
    monkeypatch.delenv("REVIEWER_MODEL_ENABLED")
    model_config(history_repo, model_default.path, "max_units = 0\n")
    history_repo.write("shop.py", SMALL)
    main(["diff", "--model", "--format", "json"])
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert summary["risk"]["lines"] == [] and summary["risk"]["calibrated"] is True
    assert any("unit budget reached (0 units)" in note for note in summary["notes"])
    main(["diff", "--model"])
    text = capsys.readouterr().out
    assert "(no line ranking: the model scored no line)" in text

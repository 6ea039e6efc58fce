"""`reviewer train --risk` on real repositories: a planted history of fixes
long enough to fit (thresholds lowered by flags so tens of commits do), the
refusal on a history too short, and the card it writes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.jit.own import TrainOptions, auroc
from reviewer.risk import jit_logistic
from reviewer.risk.configured import own_card_path
from tests.conftest import GitRepo
from tests.jit.helpers import commit_as

pytest.importorskip("sklearn")

START = datetime(2024, 1, 1, tzinfo=timezone.utc)
# Lowered for a test history of tens of commits (the defaults need hundreds).
SMALL = ["--maturity-days", "30", "--min-train", "10", "--min-train-buggy", "3",
         "--min-test", "3"]  # fmt: skip


def planted_history(repo: GitRepo, monkeypatch: pytest.MonkeyPatch, rounds: int = 14) -> None:
    """Every week one change: a large feature (one of its lines planted
    wrong), the next week its fix, then a small utility; 3 * `rounds`
    commits over 3 * `rounds` weeks by two authors."""
    week = 0

    def commit(author: str, message: str) -> None:
        nonlocal week
        when = (START + timedelta(weeks=week)).isoformat()
        commit_as(repo, monkeypatch, author, when, message)
        week += 1

    for n in range(rounds):
        body = [f"def feature_{n}(items):", "    total = 0"]
        body += [f"    total += items[{k}] * {k + n}" for k in range(8 + n % 5)]
        body += [f"    limit = len(items) - {n % 3}  # planted", "    return total, limit", ""]
        repo.write(f"pkg/feature_{n}.py", "\n".join(body))
        commit("alice" if n % 2 else "bob", f"Add feature {n}")
        fixed = "\n".join(body).replace(f"len(items) - {n % 3}  # planted", "len(items)")
        repo.write(f"pkg/feature_{n}.py", fixed)
        commit("carol", f"Fix the limit of feature {n}")
        repo.write(f"util/u_{n}.py", f"NAME_{n} = {n}\n")
        commit("bob", f"Name {n}")


def test_a_planted_history_gives_a_card_measured_on_its_newer_changes(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    planted_history(repo, monkeypatch)
    assert main(["train", "--risk", *SMALL]) == 0
    err = capsys.readouterr().err
    path = own_card_path(repo.path)
    assert f"risk card written to {path}" in err
    assert 'add `[risk] card = "own"`' in err
    card = json.loads(path.read_text())
    own = card["own_repository"]
    assert own["head"] == repo.git("rev-parse", "HEAD").strip()
    assert Path(own["path"]) == repo.path.resolve()
    dev = card["dev"]
    assert dev["test"]["buggy"] >= 3 and dev["test"]["changes"] - dev["test"]["buggy"] >= 3
    assert dev["train"]["to"] <= dev["test"]["from"]  # older fitted, newer measured
    assert 0.0 <= dev["auroc"] <= 1.0 and 0.0 <= dev["lines_added_auroc"] <= 1.0
    assert dev["lines_added_auroc"] > 0.5  # the planted features are the large changes
    assert 10 <= card["fitted_on"]["buggy"] <= 13  # the newest features are too recent
    scorer = jit_logistic.load(path)  # the scorer reads it back
    assert scorer.name == "fitted on this repository's own history (Kamei's metrics)"
    # A second run reuses the mining of the same head.
    assert main(["train", "--risk", *SMALL, "--output", "own.json"]) == 0
    err = capsys.readouterr().err
    assert "mined before" in err and 'add `[risk] card = "own.json"` to .reviewer.toml' in err
    again = json.loads((repo.path / "own.json").read_text())
    assert again["model"] == card["model"]  # deterministic


def test_a_history_too_short_is_refused_in_one_line(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    planted_history(repo, monkeypatch, rounds=3)
    assert main(["train", "--risk"]) == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    error = err.splitlines()[-1]  # after the mining's progress lines
    assert error.startswith("reviewer: error: history too short to train the risk: 0 changes ")
    assert "it needs 400 older with 40 fixed to fit and 20 fixed and 20 clean newer" in error
    assert not own_card_path(repo.path).exists()


def test_a_folder_outside_git_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", "--risk", "--repo", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("reviewer: error: not a git repository")


def test_train_without_risk_still_wants_the_heads_data(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train"]) == 2
    assert "--risk" in capsys.readouterr().err


def test_auroc_counts_ties_half() -> None:
    import numpy as np

    y = np.asarray([1, 0, 1, 0])
    assert auroc(y, np.asarray([0.9, 0.1, 0.5, 0.5])) == 0.875
    assert TrainOptions().maturity_days == 365.0

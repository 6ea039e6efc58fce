"""The risk card a run reads (`[risk] card`): one trained on the repository's
own history, read by `reviewer diff`; a card named by a repository's config
outside the repository is left out as a baseline is (SECURITY.md); a card
that is missing, damaged or another scorer's gives way to the shipped one
with one notice."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from reviewer import trust
from reviewer.cli import main
from reviewer.config import load_sources, user_config_file
from reviewer.git import History
from reviewer.history import features_of
from reviewer.model.resolve import ModelLocation
from reviewer.risk import ChangeFacts, jit_logistic
from reviewer.risk.choose import scorer_for
from reviewer.risk.configured import CARD_ENV, learned_card, own_card_path
from reviewer.scorer.assemble import build_scorer
from tests.conftest import GitRepo
from tests.jit.test_own import SMALL, planted_history
from tests.risk.conftest import model_config

OWN_NAME = "fitted on this repository's own history (Kamei's metrics)"


def a_card(path: Path, **extra: object) -> Path:
    """A learned card by hand: one term, lines added."""
    card = {"format": 1, "scorer": "jit-logistic", "calibrated": True,
            "model": {"terms": ["la"], "mean": [1.0], "scale": [1.0], "coef": [0.5],
                      "intercept": -1.0}, **extra}  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(card))
    return path


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A shipped card to fall back on (the real one is written by a bench)."""
    card = a_card(tmp_path / "shipped" / "jit-logistic.json")
    monkeypatch.setattr(jit_logistic, "CARD", card)
    return card


def test_a_repository_config_names_a_card_inside_it_only(repo: GitRepo, tmp_path: Path) -> None:
    outside = a_card(tmp_path / "elsewhere" / "card.json")
    repo.write(".reviewer.toml", f'[risk]\ncard = "{outside}"\n')
    loaded = load_sources(repo.path)
    assert loaded.config.risk.card is None
    assert "risk.card (outside the repository)" in loaded.ignored
    assert loaded.notice is not None and "risk.card (outside the repository)" in loaded.notice
    repo.write(".reviewer.toml", '[risk]\ncard = "../elsewhere/card.json"\n')
    assert load_sources(repo.path).config.risk.card is None  # `..` leads out too
    for inside in ("cards/own.json", "own"):  # a path in the repository; the user's own card
        repo.write(".reviewer.toml", f'[risk]\ncard = "{inside}"\n')
        loaded = load_sources(repo.path)
        assert loaded.config.risk.card == inside and not loaded.ignored
    # The user's own config may name any path.
    repo.write(".reviewer.toml", "")
    user_config_file().parent.mkdir(parents=True, exist_ok=True)
    user_config_file().write_text(f'[risk]\ncard = "{outside}"\n')
    assert load_sources(repo.path).config.risk.card == str(outside)


def test_a_bad_card_gives_way_to_the_shipped_one_with_one_notice(
    repo: GitRepo, tmp_path: Path, shipped: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scorer, notices = learned_card(None, repo.path)
    assert scorer.card["model"]["coef"] == [0.5] and notices == []
    damaged = repo.write("damaged.json", "{not json")
    foreign = repo.write("foreign.json", json.dumps({"format": 1, "scorer": "lines-added"}))
    for named, words in (("missing.json", "no card at"), ("damaged.json", "cannot read"),
                         ("foreign.json", "another change scorer"),
                         ("own", "train one: reviewer train --risk")):  # fmt: skip
        scorer, notices = learned_card(named, repo.path)
        assert scorer.name != OWN_NAME and len(notices) == 1, named
        assert words in notices[0] and "the shipped card scores instead" in notices[0]
    assert damaged.exists() and foreign.exists()
    mine = a_card(tmp_path / "mine.json", own_repository={"path": str(repo.path)})
    assert learned_card(str(mine), repo.path) == (jit_logistic.load(mine), [])
    monkeypatch.setenv(CARD_ENV, str(mine))  # the environment is the user's own choice
    assert learned_card("missing.json", repo.path)[0].name == OWN_NAME


def test_model_info_names_the_configured_card(
    repo: GitRepo, shipped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_card(repo.path / "cards" / "risk.json", own_repository={"path": str(repo.path)},
           dev={"auroc": 0.71, "lines_added_auroc": 0.69, "shipped_card_auroc": 0.7})  # fmt: skip
    repo.write(".reviewer.toml", '[risk]\ncard = "cards/risk.json"\n')
    assert main(["model", "info"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("risk card:")]
    assert len(rows) == 1 and f"{repo.path / 'cards' / 'risk.json'} ({OWN_NAME})" in rows[0]
    assert rows[0].endswith("AUROC on dev 0.710, lines added 0.690, the shipped card 0.700")
    repo.write(".reviewer.toml", '[risk]\ncard = "own"\n')
    assert main(["model", "info"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("risk card:")]
    assert len(rows) == 1 and rows[0].split(":", 1)[1].strip().startswith("risk: no card at")


@pytest.mark.model
@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="no llama-cpp-python")
def test_reviewer_diff_reads_the_card_trained_on_the_repository(
    repo: GitRepo,
    shipped: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    model_default: ModelLocation,
) -> None:
    pytest.importorskip("sklearn")
    planted_history(repo, monkeypatch)
    assert main(["train", "--risk", *SMALL]) == 0
    assert own_card_path(repo.path).is_file()
    monkeypatch.delenv("REVIEWER_MODEL_ENABLED")
    model_config(repo, model_default.path, extra='[risk]\ncard = "own"\n')
    repo.write("pkg/extra.py", "def extra(items):\n    return sorted(items)[: len(items) - 1]\n")
    repo.git("add", "pkg/extra.py")
    capsys.readouterr()
    assert main(["diff", "--staged", "--model", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    risk = report["summary"]["risk"]
    assert not [note for note in report["summary"]["notes"] if note.startswith("risk:")]
    assert risk["scorer"] == OWN_NAME  # the change's metrics, read at the edge, scored by it
    # The run's learned scorer is the repository's own card, whose reasons
    # and probability come from its own fit.
    config = load_sources(repo.path).config
    scorer, notes = build_scorer(config, flag=True, root=repo.path)
    assert scorer is not None and scorer.change is not None
    repo.commit("extra")
    facts = ChangeFacts(files=(), history=features_of(History(repo.path), "HEAD"))
    picked = scorer_for(scorer.change, facts)
    assert picked is not None and picked.name == OWN_NAME
    assert picked.score(facts).probability == jit_logistic.load(
        own_card_path(repo.path)
    ).probability(facts.history or {})
    # A card that cannot be read: the shipped one scores, with one notice.
    repo.write(
        ".reviewer.toml", (repo.path / ".reviewer.toml").read_text().replace('"own"', '"gone.json"')
    )
    repo.commit("config")
    trust.trust(repo.path)
    repo.write("pkg/more.py", "X = 1\n")
    repo.git("add", "pkg/more.py")
    assert main(["diff", "--staged", "--model", "--format", "json"]) == 0
    notes = json.loads(capsys.readouterr().out)["summary"]["notes"]
    assert [n for n in notes if n.startswith("risk:")] == [
        f"risk: no card at {repo.path / 'gone.json'} (train one: reviewer train --risk); "
        "the shipped card scores instead"
    ]

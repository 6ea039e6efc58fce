"""The line scorer's pass on a real llama-cpp-python server: per-token
states equal the in-process pass's (multi-byte text, tabs, CRLF, a text
longer than the server's batch), `reviewer diff --model` flags the same
lines either way, and a server without per-token states leaves the run to
the structural checks with one notice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reviewer import trust
from reviewer.cli import main
from reviewer.config import Config, ModelConfig
from reviewer.model.openai import OpenAIBackend
from reviewer.model.resolve import ModelLocation
from reviewer.scorer.assemble import build_scorer
from reviewer.scorer.features import SCALAR_NAMES
from reviewer.scorer.forward import WINDOW_OVERLAP
from reviewer.scorer.head import Head, Inputs
from reviewer.scorer.remote import (
    SLACK,
    LineWindow,
    RemoteForwardModel,
    ServerUnfit,
    line_windows,
    per_token_vectors,
)
from tests.conftest import GitRepo
from tests.llama_server import free_port, llama_cpp_server

BATCH = 128  # the server's batch: a longer text comes back cut, so it is sent in windows

TEXT = (
    "def greet(name):\n"
    "\tprefix = 'héllo, 日本語 𓀀ꙮ🦀'\n"  # 𓀀 and ꙮ are split inside their bytes
    "    if not name:\r\n"
    "        return prefix + '🙂'\n"
    "\n"
    "    return prefix + name\n"
)


def _configure(repo: GitRepo, text: str) -> None:
    """The repository's config, trusted as its user would (`reviewer trust`):
    a repository's own server is honoured only then (SECURITY.md)."""
    repo.write(".reviewer.toml", text)
    trust.trust(repo.path)


@pytest.fixture(scope="module")
def per_token_server(
    model_default: ModelLocation, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    options = ["--embedding", "true", "--n_ctx", "2048", "--n_batch", str(BATCH)]
    options += ["--n_ubatch", str(BATCH), "--n_threads", "2"]
    log = tmp_path_factory.mktemp("per-token-server") / "server.log"
    with llama_cpp_server(model_default.path, options, log) as url:
        SERVER_LOGS[url] = log
        yield url


SERVER_LOGS: dict[str, Path] = {}  # a server's log (its access log too), by its URL


@pytest.fixture
def remote(per_token_server: str) -> RemoteForwardModel:
    model = RemoteForwardModel(OpenAIBackend(ModelConfig(backend="openai", url=per_token_server)))
    model.check()
    return model


# -- pure parts -------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "size", "overlap", "expected"),
    [
        ([3, 3, 3], 10, 2, [(0, 0, 3)]),
        ([4, 4, 4, 4], 8, 4, [(0, 0, 2), (1, 2, 3), (2, 3, 4)]),
        ([4, 0, 4, 4], 8, 3, [(0, 0, 3), (3, 3, 4)]),  # no room above: context-free
        ([2, 20, 2], 8, 2, [(0, 0, 1), (0, 1, 2), (2, 2, 3)]),  # a line alone over the size
        ([], 8, 2, []),
    ],
)
def test_line_windows(
    counts: list[int], size: int, overlap: int, expected: list[tuple[int, int, int]]
) -> None:
    assert line_windows(counts, size, overlap) == [LineWindow(*w) for w in expected]


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ({"data": [{"embedding": [0.1, 0.2, 0.3]}]}, "pools its embeddings"),
        ({"data": [{"embedding": []}]}, "has no per-token vectors"),
        ({"data": []}, "has no per-token vectors"),
        ({"data": [{"embedding": [[0.1, 0.2], [0.3]]}]}, "has no per-token vectors"),
        ({"error": "no"}, "has no per-token vectors"),
    ],
)
def test_answers_without_per_token_vectors_are_one_line(
    reply: dict[str, Any], message: str
) -> None:
    with pytest.raises(ServerUnfit, match=message) as caught:
        per_token_vectors(reply, "http://h/v1")
    assert "\n" not in str(caught.value)


def test_per_token_vectors_are_a_matrix() -> None:
    vectors = per_token_vectors({"data": [{"embedding": [[1, 2], [3, 4], [5, 6]]}]}, "u", 2)
    assert vectors.shape == (3, 2) and vectors.dtype == np.float32


def test_an_unreachable_server_leaves_the_run_structural_with_one_notice() -> None:
    port = free_port()
    settings = ModelConfig(backend="openai", url=f"http://127.0.0.1:{port}/v1", retries=0)
    scorer, notices = build_scorer(Config(model=settings), flag=True)
    assert scorer is None and len(notices) == 1 and "\n" not in notices[0]
    assert notices[0].startswith(f"model: GET http://127.0.0.1:{port}/v1/models: ")
    assert "cannot connect" in notices[0] and notices[0].endswith("; structural checks only")


def test_model_info_says_an_unreachable_server_cannot_score(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    _configure(
        repo,
        f'[model]\nbackend = "openai"\nurl = "http://127.0.0.1:{port}/v1"\nretries = 0\n',
    )
    assert main(["model", "info"]) == 0
    out = capsys.readouterr().out
    assert "(shipped for the default model, off by default: --model)" in out
    assert f"scoring:         unavailable: GET http://127.0.0.1:{port}/v1/models: " in out


# -- against the real server ----------------------------------------------------


@pytest.mark.model
def test_model_info_probes_the_servers_per_token_states(
    repo: GitRepo, per_token_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _configure(repo, f'[model]\nbackend = "openai"\nurl = "{per_token_server}"\n')
    assert main(["model", "info"]) == 0
    out = capsys.readouterr().out
    assert "scoring:         per-token states on the server (896 wide, no surprisal)" in out


@pytest.mark.model
def test_remote_states_equal_the_local_pass(remote: RemoteForwardModel, forward: Any) -> None:
    lines = TEXT.count("\n")
    local = forward.states(TEXT, lines)
    served = remote.states(TEXT, lines)
    assert remote.dimension == forward.dimension
    np.testing.assert_array_equal(served.tokens, local.tokens)
    assert [int(n > 0) for n in served.tokens] == [1, 1, 1, 1, 0, 1]
    np.testing.assert_allclose(served.mean, local.mean, rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(served.max, local.max, rtol=1e-3, atol=1e-3)
    assert np.isnan(served.surprisal).all()  # a server's pass has no surprisal
    assert np.all(np.abs(served.mean[[0, 1, 2, 3, 5]]).sum(axis=1) > 0)


@pytest.mark.model
def test_a_text_longer_than_the_servers_batch_is_read_in_windows(
    remote: RemoteForwardModel, forward: Any
) -> None:
    body = "".join(f"    total += values[{i}] * {i % 7}  # é{i}\n" for i in range(16))
    text = "def weigh(values):\n    total = 0\n" + body + "    return total\n"
    lines = text.count("\n")
    tokens, token_lines = forward.tokenize(text)
    assert len(tokens) > 2 * BATCH
    served = remote.states(text, lines)
    assert remote.limit == BATCH  # learned from the first, cut answer
    whole = forward.states(text, lines)
    np.testing.assert_array_equal(served.tokens, whole.tokens)
    assert np.all(served.tokens > 0) and np.all(np.abs(served.mean).sum(axis=1) > 0)
    # Each window's kept lines have the states a local pass over that
    # window's own text gives them.
    counts = np.bincount(token_lines, minlength=lines).tolist()
    plan = line_windows(counts, remote.limit - SLACK, min(WINDOW_OVERLAP, remote.limit // 4))
    assert len(plan) > 2 and plan[0].first == 0 and plan[-1].stop == lines
    rows = [row + "\n" for row in text.split("\n")[:-1]]
    for window in plan:
        part = "".join(rows[window.first : window.stop])
        alone = forward.states(part, part.count("\n"))
        kept = slice(window.keep - window.first, window.stop - window.first)
        np.testing.assert_allclose(
            served.mean[window.keep : window.stop], alone.mean[kept], rtol=1e-3, atol=1e-3
        )
    # The first window read the same context as the whole pass (in a smaller
    # batch: llama.cpp's sums differ in the last digits, growing over layers).
    first = plan[0].stop
    drift = np.linalg.norm(served.mean[:first] - whole.mean[:first], axis=1)
    assert np.all(drift <= 0.02 * np.linalg.norm(whole.mean[:first], axis=1))


def _hidden_head(dimension: int) -> Head:
    """A head reading only the hidden states (a fixed random direction of
    them): its outcome differs between lines and depends on the pass alone."""
    rng = np.random.default_rng(0)
    direction = rng.normal(size=(2 * dimension, 1))
    direction /= np.linalg.norm(direction)
    width = 1 + len(SCALAR_NAMES)
    weights = np.zeros((width, 1))
    weights[0] = 1.0
    inputs = Inputs(np.zeros(2 * dimension), direction, np.zeros(width), np.ones(width))
    return Head("logistic", inputs, ((weights, np.array([0.0])),), (0.5, 0.0), 0.5)


CHANGES = {
    "stats.py": (
        "def total(values):\n    return 0\n",
        "def total(values):\n    s = 0\n    for i in range(1, len(values)):\n"
        "        s += values[i]\n    return s\n",
    ),
    "greet.py": ("def greet(name):\n    return name\n", TEXT.replace("\r\n", "\n")),
    "store.py": (
        "class Store:\n    def get(self, key):\n        return None\n",
        "class Store:\n    def get(self, key):\n        value = self.items.get(key)\n"
        "        if value is None:\n            raise KeyError(key)\n        return value\n",
    ),
}


def _model_findings(
    repo: GitRepo, settings: str, capsys: pytest.CaptureFixture[str]
) -> list[tuple[str, int, float]]:
    _configure(repo, "[model]\n" + settings)
    assert main(["diff", "--model", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    notes = report["summary"]["notes"]
    assert not [n for n in notes if n.startswith("model:")], notes
    return sorted(
        (f["path"], f["line"], f["confidence"])
        for f in report["findings"]
        if f["source"] == "model"
    )


@pytest.mark.model
def test_diff_on_the_server_flags_the_lines_local_scoring_flags(
    repo: GitRepo,
    per_token_server: str,
    model_default: ModelLocation,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for path, (before, _) in CHANGES.items():
        repo.write(path, before)
    repo.commit("initial")
    for path, (_, after) in CHANGES.items():
        repo.write(path, after)
    head = repo.path.parent / "hidden.npz"
    _hidden_head(896).save(head)
    common = f'head = "{head}"\nexplain = false\ncache = false\n'
    local_settings = f'path = "{model_default.path}"\n{common}'
    server_settings = f'backend = "openai"\nurl = "{per_token_server}"\n{common}'

    everything = "threshold = 0.0\n"  # every unit flags its best line
    local = _model_findings(repo, local_settings + everything, capsys)
    served = _model_findings(repo, server_settings + everything, capsys)
    assert {f[0] for f in local} == set(CHANGES)
    assert [f[:2] for f in served] == [f[:2] for f in local]
    assert [f[2] for f in served] == pytest.approx([f[2] for f in local], abs=2e-3)

    # A gate between the units' best lines: the same units pass it.
    confidences = sorted(f[2] for f in local)
    assert confidences[0] < confidences[-1]
    gate = f"threshold = {(confidences[0] + confidences[1]) / 2}\n"
    flagged = len(confidences) - 1
    local = _model_findings(repo, local_settings + gate, capsys)
    served = _model_findings(repo, server_settings + gate, capsys)
    assert len(local) == flagged and [f[:2] for f in served] == [f[:2] for f in local]


@pytest.fixture(scope="module")
def pooling_less_server(
    model_default: ModelLocation, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The same server started without --embedding: no states at all."""
    log = tmp_path_factory.mktemp("plain-server") / "server.log"
    with llama_cpp_server(model_default.path, ["--n_ctx", "512", "--n_threads", "1"], log) as url:
        yield url


@pytest.mark.model
def test_a_server_without_per_token_states_leaves_the_run_structural(
    repo: GitRepo, pooling_less_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("app.py", "def connect(db):\n    return db\n")
    repo.commit("initial")
    repo.write("app.py", "def connect(db):\n    return db.login('admin', 'hunter2')\n")
    _configure(repo, f'[model]\nbackend = "openai"\nurl = "{pooling_less_server}"\n')
    assert main(["diff", "--model", "--format", "json"]) in (0, 1)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    report = json.loads(captured.out)
    notes = [n for n in report["summary"]["notes"] if n.startswith("model:")]
    assert report["summary"]["units_reviewed"] >= 1  # the structural tier ran
    assert len(notes) == 1 and "\n" not in notes[0]
    assert f"{pooling_less_server} gives no embeddings" in notes[0]
    assert "--embedding true" in notes[0] and notes[0].endswith("; structural checks only")


@pytest.mark.model
def test_a_unit_the_server_cannot_map_is_skipped_and_the_next_is_scored(
    repo: GitRepo, per_token_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The server's tokenizer reads `<|endoftext|>` in code as one special
    token (its piece is empty): that unit alone is not scored, and said so."""
    repo.write("prompt.py", "def end():\n    return ''\n")
    repo.write("stats.py", CHANGES["stats.py"][0])
    repo.commit("initial")
    repo.write("prompt.py", "def end():\n    marker = '<|endoftext|>'\n    return marker\n")
    repo.write("stats.py", CHANGES["stats.py"][1])
    head = repo.path.parent / "hidden.npz"
    _hidden_head(896).save(head)
    _configure(
        repo,
        f'[model]\nbackend = "openai"\nurl = "{per_token_server}"\nhead = "{head}"\n'
        "explain = false\ncache = false\nthreshold = 0.0\n",
    )
    assert main(["diff", "--model", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {f["path"] for f in report["findings"] if f["source"] == "model"} == {"stats.py"}
    notes = [n for n in report["summary"]["notes"] if n.startswith("model:")]
    assert notes == [
        f"model: units not scored: {per_token_server}: the server's token pieces do not "
        "spell the code (special-token text in it, or not a byte-level tokenizer)"
    ]


@pytest.mark.model
def test_a_flagged_line_is_explained_by_the_same_server(
    repo: GitRepo, per_token_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Scored and explained on the server: one chat request, for the one
    flagged unit, none for the unit under the gate."""
    for path in ("stats.py", "store.py"):
        repo.write(path, CHANGES[path][0])
    repo.commit("initial")
    for path in ("stats.py", "store.py"):
        repo.write(path, CHANGES[path][1])
    head = repo.path.parent / "hidden.npz"
    _hidden_head(896).save(head)
    settings = f'backend = "openai"\nurl = "{per_token_server}"\nhead = "{head}"\ncache = false\n'
    everything = _model_findings(repo, settings + "explain = false\nthreshold = 0.0\n", capsys)
    assert [f[0] for f in everything] == ["stats.py", "store.py"]
    gate = (everything[0][2] + everything[1][2]) / 2  # between the two units' best lines
    flagged = max(everything, key=lambda f: f[2])

    log = SERVER_LOGS[per_token_server]
    answered = '"POST /v1/chat/completions HTTP/1.1" 200'  # uvicorn's access log
    before = log.read_text(errors="replace").count(answered)
    _configure(repo, f"[model]\n{settings}explain = true\nthreshold = {gate}\n")
    assert main(["diff", "--model", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    model = [f for f in report["findings"] if f["source"] == "model"]
    assert [(f["path"], f["line"]) for f in model] == [flagged[:2]]
    assert log.read_text(errors="replace").count(answered) - before == 1
    notes = [n for n in report["summary"]["notes"] if n.startswith("model:")]
    assert not [n for n in notes if "explanations not written" in n], notes

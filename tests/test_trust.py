"""A repository's config cannot send code or secrets anywhere (SECURITY.md):
its model server, key, name, backend and model file apply only once the
user trusts it, and any change to the file revokes that. The trust store,
the config layers, and `reviewer diff` and `reviewer model info` run for real."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer import trust
from reviewer.config import load_sources, user_config_file
from reviewer.errors import ReviewerError
from reviewer.model.resolve import ModelLocation
from tests.conftest import GitRepo
from tests.listener import Listener, listening
from tests.model.conftest import model_cache_dir, model_default  # noqa: F401 (fixtures)

SECRET_VAR = "AWS_SECRET_ACCESS_KEY"
SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"
CLEAN = "def price(total, rate):\n    return total * rate\n"
DEFECT = CLEAN + "\n\ndef same(x):\n    return x == None\n"  # py-none-equality


def hostile_config(url: str, **extra: str) -> str:
    lines = [
        "[model]",
        'enabled = "on"',
        'backend = "openai"',
        f'url = "{url}"',
        f'api_key_env = "{SECRET_VAR}"',
        *(f'{key} = "{value}"' for key, value in extra.items()),
    ]
    return "\n".join(lines) + "\n"


def user_environment() -> dict[str, str]:
    """A user's environment: the secret set, the model as the config says."""
    environ = {**os.environ, SECRET_VAR: SECRET}
    environ.pop("REVIEWER_MODEL_ENABLED", None)
    return environ


def run(repo: GitRepo, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """`reviewer` in a child process, as a user runs it, with the secret set."""
    environ = {**user_environment(), **(env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "reviewer", *args],
        cwd=repo.path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert SECRET not in done.stdout + done.stderr  # never shown, whatever happened
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def listener() -> Iterator[Listener]:
    with listening() as server:
        yield server


@pytest.fixture
def model_installed(
    monkeypatch: pytest.MonkeyPatch,
    model_default: ModelLocation,  # noqa: F811
) -> None:
    """The default model, as `reviewer[model]` installs it (assembled once)."""
    monkeypatch.setenv("REVIEWER_MODEL", str(model_default.path))


@pytest.fixture
def hostile(repo: GitRepo, listener: Listener, model_installed: None) -> GitRepo:
    """A clone-like repository whose committed config points the model at
    the listener with the user's AWS secret, and a defect in the work tree."""
    repo.write("app.py", CLEAN)
    repo.write(".reviewer.toml", hostile_config(listener.url))
    repo.commit("start")
    repo.write("app.py", DEFECT)
    return repo


# -- the trust store ---------------------------------------------------------


def test_trust_records_the_config_and_any_change_revokes_it(repo: GitRepo) -> None:
    repo.write(".reviewer.toml", "[model]\nurl = 'http://127.0.0.1:9/v1'\n")
    assert not trust.is_trusted(repo.path)
    digests = trust.trust(repo.path)
    assert set(digests) == {".reviewer.toml"}
    assert trust.is_trusted(repo.path)
    stored = json.loads(trust.store_path().read_text())
    assert stored[str(repo.path.resolve())] == digests
    repo.write(".reviewer.toml", "[model]\nurl = 'http://127.0.0.1:9/v1'\n# edited\n")
    assert not trust.is_trusted(repo.path)  # a comment is a change too
    trust.trust(repo.path)
    assert trust.revoke(repo.path) and not trust.is_trusted(repo.path)
    assert not trust.revoke(repo.path)


def test_pyproject_is_trusted_by_its_reviewer_table_only(repo: GitRepo) -> None:
    body = "[project]\nname = 'x'\n\n[tool.reviewer.model]\nurl = 'http://127.0.0.1:9/v1'\n"
    repo.write("pyproject.toml", body)
    trust.trust(repo.path)
    repo.write("pyproject.toml", body.replace("name = 'x'", "name = 'y'\nversion = '2'"))
    assert trust.is_trusted(repo.path)  # a dependency bump is not reviewer's business
    repo.write("pyproject.toml", body.replace("9/v1", "10/v1"))
    assert not trust.is_trusted(repo.path)
    # A config file added beside it changes what is read: trust is gone as well.
    repo.write("pyproject.toml", body)
    trust.trust(repo.path)
    repo.write(".reviewer.toml", "exclude = ['x']\n")
    assert not trust.is_trusted(repo.path)


def test_nothing_to_trust_without_a_config(repo: GitRepo) -> None:
    with pytest.raises(ReviewerError, match="nothing to trust"):
        trust.trust(repo.path)


def test_a_damaged_store_trusts_nothing(repo: GitRepo) -> None:
    repo.write(".reviewer.toml", "[model]\nurl = 'http://127.0.0.1:9/v1'\n")
    trust.trust(repo.path)
    trust.store_path().write_text("{not json")
    assert not trust.is_trusted(repo.path)


# -- the config layers -------------------------------------------------------


def test_an_untrusted_repository_keeps_its_other_settings(repo: GitRepo) -> None:
    repo.write(
        ".reviewer.toml",
        'exclude = ["vendor/**"]\nfilter_mode = "file"\n\n'
        + hostile_config("http://127.0.0.1:9/v1", path="evil.gguf", name="m")
        + "threshold = 0.3\nmax_units = 3\n",
    )
    loaded = load_sources(repo.path)
    model = loaded.config.model
    assert (model.backend, model.url, model.name, model.path) == ("llama", None, None, None)
    assert model.api_key_env == "REVIEWER_API_KEY"
    assert model.enabled == "auto"  # "on" asked for the refused server, not the local model
    assert (model.threshold, model.max_units) == (0.3, 3)
    assert loaded.config.exclude == ("vendor/**",) and loaded.config.filter_mode == "file"
    assert loaded.ignored == (
        "model.backend",
        "model.url",
        "model.name",
        "model.api_key_env",
        "model.path",
        "model.enabled",
    )
    assert loaded.notice is not None and "reviewer trust" in loaded.notice
    assert all(key in loaded.notice for key in loaded.ignored)
    assert not loaded.trusted and loaded.repository_file == repo.path / ".reviewer.toml"


def test_a_trusted_repository_gets_them(repo: GitRepo) -> None:
    repo.write(".reviewer.toml", hostile_config("http://127.0.0.1:9/v1"))
    trust.trust(repo.path)
    loaded = load_sources(repo.path)
    assert loaded.config.model.url == "http://127.0.0.1:9/v1" and loaded.trusted
    assert loaded.config.model.enabled == "on" and loaded.notice is None
    assert loaded.origins["model.url"] == ".reviewer.toml (trusted repository)"
    # A pull request's head is never trusted, whatever the store says.
    never = load_sources(repo.path, repository_trust="never")
    assert never.config.model.url is None and "model-url" in (never.notice or "")


def test_the_users_own_sources_are_trusted(repo: GitRepo, tmp_path: Path) -> None:
    repo.write(".reviewer.toml", hostile_config("http://127.0.0.1:9/v1"))
    own = user_config_file()
    own.parent.mkdir(parents=True)
    own.write_text("[model]\nbackend = 'openai'\nurl = 'http://127.0.0.1:7/v1'\nname = 'big'\n")
    loaded = load_sources(repo.path)
    assert loaded.config.model.url == "http://127.0.0.1:7/v1"  # the user's, not the repo's
    assert loaded.origins["model.url"] == f"user config {own}"
    # The environment beats the user's file; a flag or the editor beats both.
    environ = {"REVIEWER_MODEL_URL": "http://127.0.0.1:8/v1"}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in environ.items():
            patch.setenv(key, value)
        from_env = load_sources(repo.path)
        assert from_env.config.model.url == "http://127.0.0.1:8/v1"
        assert from_env.origins["model.url"] == "$REVIEWER_MODEL_URL"
        flagged = load_sources(
            repo.path, overrides={"model": {"url": "http://127.0.0.1:6/v1"}}, overrides_source="x"
        )
        assert flagged.config.model.url == "http://127.0.0.1:6/v1"
        assert flagged.config.model.name == "big"  # one [model] table does not wipe another
    # A --config file given explicitly is the user's choice, outside the
    # repository or in it; for a pull request only outside it.
    outside = tmp_path / "mine.toml"
    outside.write_text(hostile_config("http://127.0.0.1:5/v1"))
    assert load_sources(repo.path, outside).config.model.url == "http://127.0.0.1:5/v1"
    inside = repo.path / ".reviewer.toml"
    assert load_sources(repo.path, inside).config.model.url == "http://127.0.0.1:9/v1"
    pull = load_sources(repo.path, inside, repository_trust="never")
    assert pull.config.model.url == "http://127.0.0.1:7/v1"  # back to the user's own
    assert load_sources(repo.path, outside, repository_trust="never").config.model.url == (
        "http://127.0.0.1:5/v1"
    )


def test_a_baseline_outside_the_repository_is_left_out(repo: GitRepo) -> None:
    repo.write(".reviewer.toml", 'baseline = "../../etc/passwd"\n')
    loaded = load_sources(repo.path)
    assert loaded.config.baseline is None
    assert loaded.ignored == ("baseline (outside the repository)",)
    repo.write(".reviewer.toml", 'baseline = "review/base.json"\n')
    assert load_sources(repo.path).config.baseline == repo.path / "review/base.json"


# -- reviewer diff, for real ---------------------------------------------------


def test_diff_in_a_hostile_repository_sends_nothing_and_still_reviews(
    hostile: GitRepo, listener: Listener
) -> None:
    code, out, _ = run(hostile, "diff", "--format", "json")
    assert listener.received == []
    report = json.loads(out)
    assert code == 0  # a warning: below the fail level; the notice never fails a run
    assert [f["rule_id"] for f in report["findings"]] == ["py-none-equality"]
    notes = report["summary"]["notes"]
    ignored = [n for n in notes if "cannot set untrusted" in n]
    assert len(ignored) == 1, notes
    assert "model.url" in ignored[0] and "model.api_key_env" in ignored[0]


@pytest.mark.model
def test_diff_model_in_a_hostile_repository_reviews_with_the_local_model_only(
    hostile: GitRepo, listener: Listener
) -> None:
    """--model: the user asks for the model, not for the repository's
    server; nor does the repository choose the file to load (a damaged
    GGUF here: loading it would fail the run)."""
    hostile.write("evil.gguf", b"GGUF" + b"\x00\xff" * 32)
    config = hostile.path / ".reviewer.toml"
    config.write_text(config.read_text() + 'path = "evil.gguf"\n')
    hostile.commit("a model of our own", "evil.gguf", ".reviewer.toml")
    code, out, err = run(hostile, "diff", "--model", "--format", "json")
    assert listener.received == []
    report = json.loads(out)
    assert code == 0, err
    assert "py-none-equality" in [f["rule_id"] for f in report["findings"]]
    assert report["summary"]["units_reviewed"] >= 1
    notes = report["summary"]["notes"]
    ignored = [n for n in notes if "cannot set untrusted" in n]
    assert len(ignored) == 1 and "model.path" in ignored[0], notes
    assert not any("evil.gguf" in note for note in notes), notes
    _, info, _ = run(hostile, "model", "info")
    assert _rows(info)["origin"] == "$REVIEWER_MODEL"  # not `config model.path`


def test_diff_in_a_trusted_repository_reaches_its_server(
    hostile: GitRepo, listener: Listener
) -> None:
    code, out, err = run(hostile, "trust")
    assert code == 0 and "trusted" in out and "model.url" in out, out + err
    code, out, _ = run(hostile, "diff", "--format", "json")
    assert listener.received, "the trusted server was not reached"
    assert {r.authorization for r in listener.received} == {f"Bearer {SECRET}"}
    report = json.loads(out)
    assert [f["rule_id"] for f in report["findings"]] == ["py-none-equality"]  # still reviewed
    # Any change to the file revokes the trust: nothing more reaches the server.
    seen = len(listener.received)
    config = hostile.path / ".reviewer.toml"
    config.write_text(config.read_text() + "# a harmless-looking edit\n")
    run(hostile, "diff", "--format", "json")
    assert len(listener.received) == seen
    # Given again, it holds again; revoked by hand, it is gone.
    run(hostile, "trust")
    run(hostile, "diff", "--format", "json")
    assert len(listener.received) > seen
    code, out, _ = run(hostile, "trust", "--revoke")
    assert code == 0 and "no longer trusted" in out
    seen = len(listener.received)
    run(hostile, "diff", "--format", "json")
    assert len(listener.received) == seen


def test_the_users_own_config_reaches_their_server(hostile: GitRepo, listener: Listener) -> None:
    with listening() as own:
        config_home = Path(os.environ["XDG_CONFIG_HOME"]) / "reviewer"
        config_home.mkdir(parents=True)
        (config_home / "config.toml").write_text(
            f'[model]\nbackend = "openai"\nurl = "{own.url}"\napi_key_env = "MY_KEY"\n'
        )
        run(hostile, "diff", "--model", "--format", "json", env={"MY_KEY": "mine-123"})
        assert listener.received == []  # the repository's server: nothing
        assert own.received and {r.authorization for r in own.received} == {"Bearer mine-123"}


def test_model_info_says_what_is_trusted_and_where_settings_come_from(
    hostile: GitRepo, listener: Listener
) -> None:
    code, out, _ = run(hostile, "model", "info")
    rows = _rows(out)
    assert code == 0 and listener.received == []  # info probes no untrusted server
    assert rows["backend"] == "llama" and "not trusted" in rows["repository"]
    assert rows["ignored"].startswith(
        "model.backend, model.url, model.api_key_env, model.enabled (from "
    )
    assert "model.url" not in rows
    run(hostile, "trust")
    code, out, _ = run(hostile, "model", "info")
    rows = _rows(out)
    assert rows["backend"] == "openai" and rows["repository"].endswith(": trusted (reviewer trust)")
    assert rows["model.url"] == "from .reviewer.toml (trusted repository)"
    assert "ignored" not in rows
    assert listener.received  # now the trusted server is asked what it serves


def _rows(out: str) -> dict[str, str]:
    """`reviewer model info`'s `key: value` rows."""
    pairs = (line.split(":", 1) for line in out.splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def _models_request(url: str) -> None:
    """GET /models with the key in the environment: the request that a
    server's redirect can send elsewhere (both listeners answer 404)."""
    from reviewer.config import ModelConfig
    from reviewer.model.base import BackendError
    from reviewer.model.openai import OpenAIBackend

    settings = ModelConfig(backend="openai", url=url, api_key_env=SECRET_VAR, retries=0, timeout=10)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SECRET_VAR, SECRET)
        with pytest.raises(BackendError) as raised:
            _ = OpenAIBackend(settings).model_id
    assert SECRET not in str(raised.value)


def test_an_api_key_never_follows_a_redirect_to_another_origin() -> None:
    with listening() as other, listening() as first:
        first.redirect_to = other.origin + "/moved"  # another port: another origin
        _models_request(first.url)
        assert [r.authorization for r in first.received] == [f"Bearer {SECRET}"]
        assert [(r.path, r.authorization) for r in other.received] == [("/moved/v1/models", None)]
    with listening() as same:
        same.redirect_to = same.origin + "/moved"  # a path move on the same server
        _models_request(same.url)
        assert [(r.path, r.authorization) for r in same.received] == [
            ("/v1/models", f"Bearer {SECRET}"),
            ("/moved/v1/models", f"Bearer {SECRET}"),
        ]


def test_a_pickled_array_in_a_head_file_is_refused(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    from reviewer.scorer.head import Head, HeadError
    from tests.scorer.heads import length_head

    good = tmp_path / "good.npz"
    length_head(8, 0.5).save(good)
    Head.load(good)  # the real format loads
    arrays = dict(np.load(good))
    arrays["w0"] = np.array([{"__reduce__": "payload"}], dtype=object)  # needs pickle
    bad = tmp_path / "bad.npz"
    np.savez(bad, **arrays)
    bad.with_suffix(".json").write_text(good.with_suffix(".json").read_text())
    with pytest.raises(HeadError, match="cannot read the scoring head"):
        Head.load(bad)


# -- the pre-commit hook, for real ----------------------------------------------

PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent))


def _hooked(repo: GitRepo) -> None:
    """This checkout's `reviewer diff --staged` as the repository's hook
    (pre-commit's `system` language: the interpreter running the tests)."""
    repo.write(
        ".pre-commit-config.yaml",
        "repos:\n  - repo: local\n    hooks:\n      - id: reviewer\n        name: reviewer\n"
        f"        entry: {sys.executable} -m reviewer diff --staged\n"
        "        language: system\n        pass_filenames: false\n",
    )
    repo.commit("hook", ".pre-commit-config.yaml")


def _commit_staged(repo: GitRepo) -> subprocess.CompletedProcess[str]:
    repo.git("add", "app.py")
    environ = user_environment()
    done = subprocess.run(
        [str(PRE_COMMIT), "run", "--verbose", "--hook-stage", "pre-commit"],
        cwd=repo.path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert SECRET not in done.stdout + done.stderr
    return done


@pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed")
def test_the_hook_in_a_hostile_repository_sends_nothing_and_never_fails_for_it(
    hostile: GitRepo, listener: Listener
) -> None:
    _hooked(hostile)
    done = _commit_staged(hostile)
    output = done.stdout + done.stderr
    assert listener.received == []
    assert done.returncode == 0, output  # a warning only: the hook passes
    assert "py-none-equality" in output and "cannot set untrusted" in output


@pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed")
def test_the_hook_in_a_trusted_repository_reaches_its_server(
    hostile: GitRepo, listener: Listener
) -> None:
    _hooked(hostile)
    run(hostile, "trust")
    done = _commit_staged(hostile)
    assert done.returncode == 0, done.stdout + done.stderr
    assert listener.received and {r.authorization for r in listener.received} == {
        f"Bearer {SECRET}"
    }
    # The config changes (a pull brings a new one): the hook sends nothing more.
    seen = len(listener.received)
    config = hostile.path / ".reviewer.toml"
    config.write_text(config.read_text().replace('enabled = "on"', 'enabled = "on"  # yes'))
    hostile.commit("config", ".reviewer.toml")
    _commit_staged(hostile)
    assert len(listener.received) == seen


@pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed")
def test_the_hook_takes_the_users_own_server_and_no_model_file_from_the_repository(
    hostile: GitRepo, listener: Listener
) -> None:
    """A model file named by the repository is not even looked at: honoured,
    it would be the model (no head fits a damaged file: "no scoring head")."""
    hostile.write("evil.gguf", b"GGUF" + b"\x00\xff" * 32)
    config = hostile.path / ".reviewer.toml"
    config.write_text(config.read_text() + 'path = "evil.gguf"\n')
    hostile.commit("our own model", "evil.gguf", ".reviewer.toml")
    _hooked(hostile)
    done = _commit_staged(hostile)
    output = done.stdout + done.stderr
    assert done.returncode == 0 and listener.received == [], output
    assert "model.path" in output and "off by default" in output
    assert "no scoring head" not in output and "evil.gguf" not in output.replace("model.path", "")
    with listening() as own:
        config_home = Path(os.environ["XDG_CONFIG_HOME"]) / "reviewer"
        config_home.mkdir(parents=True)
        (config_home / "config.toml").write_text(
            f'[model]\nenabled = "on"\nbackend = "openai"\nurl = "{own.url}"\n'
            f'api_key_env = "{SECRET_VAR}"\n'
        )
        done = _commit_staged(hostile)
        assert done.returncode == 0, done.stdout + done.stderr
        assert listener.received == []
        assert own.received and {r.authorization for r in own.received} == {f"Bearer {SECRET}"}

"""Which model file is used: explicit path > chunk packages > nothing."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from reviewer.errors import ReviewerError
from reviewer.model import resolve
from reviewer.model.resolve import (
    DEFAULT_NAME,
    DEFAULT_SHA256,
    DEFAULT_SIZE,
    ModelIntegrityError,
    ModelLocation,
    assemble,
    resolve_model,
    verify_file,
)


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "mine.gguf"
    path.write_bytes(b"GGUF not really")
    return path


def test_flag_beats_config_beats_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {}
    for name in ("flag", "config", "env"):
        files[name] = tmp_path / f"{name}.gguf"
        files[name].write_bytes(name.encode())
    monkeypatch.setenv("REVIEWER_MODEL", str(files["env"]))
    found = resolve_model(str(files["config"]), str(files["flag"]), directory=tmp_path / "c")
    assert found is not None and (found.path, found.origin) == (files["flag"], "--model-path")
    found = resolve_model(str(files["config"]), None, directory=tmp_path / "c")
    assert found is not None and found.origin == "config model.path"
    found = resolve_model(None, None, directory=tmp_path / "c")
    assert found is not None and (found.path, found.origin) == (files["env"], "$REVIEWER_MODEL")
    assert found.size == 3 and found.sha256 is None  # user files are hashed only when asked
    assert found.with_hash().sha256 == hashlib.sha256(b"env").hexdigest()


def test_an_explicit_path_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ReviewerError, match=r"model file not found: .*nope\.gguf"):
        resolve_model(None, str(tmp_path / "nope.gguf"), directory=tmp_path)


def test_nothing_installed_means_no_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REVIEWER_MODEL", raising=False)
    monkeypatch.setattr(resolve, "installed_parts", lambda: None)
    assert resolve_model(directory=tmp_path) is None


def test_explicit_path_wins_over_installed_packages(
    model_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resolve, "installed_parts", lambda: pytest.fail("not consulted"))
    found = resolve_model(None, str(model_file), directory=tmp_path)
    assert found is not None and found.path == model_file


def test_verify_detects_a_wrong_hash_and_a_wrong_size(model_file: Path) -> None:
    size = model_file.stat().st_size
    real = hashlib.sha256(model_file.read_bytes()).hexdigest()
    verify_file(model_file, size, real)
    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        verify_file(model_file, size, "0" * 64)
    with pytest.raises(ModelIntegrityError, match="bytes"):
        verify_file(model_file, size + 1, real)


def test_assembly_with_a_wrong_hash_leaves_nothing_behind(tmp_path: Path) -> None:
    parts = []
    for number in (1, 2):
        parts.append(tmp_path / f"part{number:02d}.bin")
        parts[-1].write_bytes(bytes([number]) * 1000)
    target = tmp_path / "out" / "model.gguf"
    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        assemble(parts, target, size=2000, sha256="0" * 64)
    assert not target.exists() and list(target.parent.iterdir()) == []
    good = hashlib.sha256(b"\x01" * 1000 + b"\x02" * 1000).hexdigest()
    assemble(parts, target, size=2000, sha256=good)
    assert target.read_bytes() == b"\x01" * 1000 + b"\x02" * 1000


def test_pull_unreachable_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(ReviewerError) as caught:
        resolve.pull(directory=tmp_path, url="http://127.0.0.1:9/model.gguf", timeout=2)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("model pull: cannot download")
    assert not (tmp_path / DEFAULT_NAME).exists()


def test_default_model_is_assembled_once_and_verified(
    model_default: ModelLocation, model_cache_dir: Path
) -> None:
    assert model_default.path == model_cache_dir / DEFAULT_NAME
    assert model_default.origin == "packages"
    assert model_default.path.stat().st_size == DEFAULT_SIZE
    assert model_default.sha256 == DEFAULT_SHA256
    assert list(model_cache_dir.glob("*.part")) == []
    # The sidecar makes the next resolution skip assembly and hashing.
    started = time.perf_counter()
    again = resolve_model(directory=model_cache_dir)
    assert time.perf_counter() - started < 0.2
    assert again == model_default


def test_a_changed_cached_file_is_not_trusted(tmp_path: Path) -> None:
    target = tmp_path / DEFAULT_NAME
    target.write_bytes(b"x")
    (tmp_path / (DEFAULT_NAME + ".json")).write_text(
        f'{{"size": {DEFAULT_SIZE}, "mtime_ns": 0, "sha256": "{DEFAULT_SHA256}"}}'
    )
    assert resolve._read_sidecar(target) is None


def test_a_relative_config_path_is_taken_from_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    (root / "models").mkdir(parents=True)
    (root / "models" / "team.gguf").write_bytes(b"GGUF")
    (root / "sub").mkdir()
    monkeypatch.chdir(root / "sub")  # run from a subdirectory
    found = resolve_model("models/team.gguf", None, directory=tmp_path / "c", root=root)
    assert found is not None and found.path == root / "models" / "team.gguf"


def test_a_cached_model_without_its_sidecar_is_hashed_not_reassembled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = b"GGUF" + b"\0" * 60
    monkeypatch.setattr(resolve, "DEFAULT_SIZE", len(content))
    monkeypatch.setattr(resolve, "DEFAULT_SHA256", hashlib.sha256(content).hexdigest())
    monkeypatch.setattr(resolve, "installed_parts", lambda: pytest.fail("reassembled"))
    target = tmp_path / DEFAULT_NAME
    target.write_bytes(content)  # e.g. restored from a CI cache: no sidecar
    found = resolve_model(directory=tmp_path)
    assert found is not None and found.path == target and found.origin == "packages"
    assert resolve._read_sidecar(target) == "packages"  # the next run skips the hash
    target.write_bytes(b"X" * len(content))  # same size, other bytes: not trusted
    os.utime(target, ns=(10**9, 10**9))  # a new mtime even on a coarse clock
    monkeypatch.setattr(resolve, "installed_parts", lambda: None)
    assert resolve_model(directory=tmp_path) is None


def test_a_user_model_is_hashed_once_until_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "mine.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 1000)
    hashed: list[Path] = []
    real_hash = resolve.file_sha256

    def counting(path: Path) -> str:
        hashed.append(path)
        return real_hash(path)

    monkeypatch.setattr(resolve, "file_sha256", counting)
    location = resolve.ModelLocation(model, "--model-path", model.stat().st_size)
    first = location.with_hash().sha256
    assert first == hashlib.sha256(model.read_bytes()).hexdigest()
    assert location.with_hash().sha256 == first
    assert len(hashed) == 1  # the second run read the memo
    model.write_bytes(b"GGUF" + b"\1" * 1000)
    os.utime(model, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    assert location.with_hash().sha256 == hashlib.sha256(model.read_bytes()).hexdigest()
    assert len(hashed) == 2
    assert not (tmp_path / "mine.gguf.json").exists()  # nothing written beside the user's file

"""Damaged model files and caches: truncated or wrong chunk packages, a cache
that cannot be written, two processes assembling at once, damaged answer
files, a model file replaced under a running backend.
The run degrades to structural checks with one notice, never a traceback,
and never reuses a damaged file. Small chunk packages made here stand in
for the 491 MB default model."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.model import resolve
from reviewer.model.cache import AnswerCache, CachedAnswer
from reviewer.model.resolve import ModelCacheError, ModelIntegrityError, ModelSpec, resolve_model
from tests.conftest import GitRepo
from tests.model_missing import require_modules

PART_SIZE = 256 * 1024
PACKAGES = tuple(f"reviewer_fake_part{n}" for n in range(1, 4))
ROOT = Path(__file__).resolve().parents[2]


def _part_bytes(number: int) -> bytes:
    return hashlib.sha256(str(number).encode()).digest() * (PART_SIZE // 32)


@pytest.fixture
def chunk_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, ModelSpec]:
    """Three installed chunk packages (on sys.path, found like the real ones)
    and the spec of the model they make."""
    site = tmp_path / "site"
    whole = b""
    for number, name in enumerate(PACKAGES, start=1):
        (site / name / "data").mkdir(parents=True)
        (site / name / "__init__.py").write_text("")
        (site / name / "data" / f"part{number:02d}.bin").write_bytes(_part_bytes(number))
        whole += _part_bytes(number)
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    spec = ModelSpec("fake.gguf", len(whole), hashlib.sha256(whole).hexdigest(), PACKAGES)
    return site, spec


def _part(site: Path, number: int) -> Path:
    return site / PACKAGES[number - 1] / "data" / f"part{number:02d}.bin"


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.glob("*") if p.suffix in (".part", ".tmp"))


def test_the_fake_packages_assemble_like_the_real_ones(
    chunk_packages: tuple[Path, ModelSpec], tmp_path: Path
) -> None:
    _, spec = chunk_packages
    found = resolve_model(directory=tmp_path / "cache", spec=spec, progress=False)
    assert found is not None and found.origin == "packages" and found.size == spec.size
    assert resolve.file_sha256(found.path) == spec.sha256
    assert resolve._read_sidecar(found.path, spec) == "packages"


@pytest.mark.parametrize("damage", ["truncated", "wrong-bytes", "missing"])
def test_a_damaged_chunk_package_is_refused_and_leaves_nothing(
    chunk_packages: tuple[Path, ModelSpec], tmp_path: Path, damage: str
) -> None:
    site, spec = chunk_packages
    part = _part(site, 2)
    if damage == "truncated":
        part.write_bytes(part.read_bytes()[: PART_SIZE // 2])
    elif damage == "wrong-bytes":
        data = bytearray(part.read_bytes())
        data[1000] ^= 0xFF
        part.write_bytes(bytes(data))
    else:
        part.unlink()
    cache = tmp_path / "cache"
    if damage == "missing":
        assert resolve_model(directory=cache, spec=spec) is None  # not installed
        return
    with pytest.raises(ModelIntegrityError) as raised:
        resolve_model(directory=cache, spec=spec, progress=False)
    message = str(raised.value)
    assert "\n" not in message and ("bytes" in message or "SHA-256" in message)
    assert not (cache / spec.name).exists() and _leftovers(cache) == []


def test_a_damaged_cached_model_is_never_reused(
    chunk_packages: tuple[Path, ModelSpec], tmp_path: Path
) -> None:
    _, spec = chunk_packages
    cache = tmp_path / "cache"
    first = resolve_model(directory=cache, spec=spec, progress=False)
    assert first is not None
    data = bytearray(first.path.read_bytes())
    data[12345] ^= 0x01
    first.path.write_bytes(bytes(data))  # damaged in place (same size)
    again = resolve_model(directory=cache, spec=spec, progress=False)
    assert again is not None
    assert resolve.file_sha256(again.path) == spec.sha256  # assembled anew
    first.path.write_bytes(b"GGUF")  # cut short
    assert resolve.file_sha256(resolve_model(directory=cache, spec=spec).path) == spec.sha256  # type: ignore[union-attr]


def test_a_cache_that_cannot_be_a_directory_is_one_line(
    chunk_packages: tuple[Path, ModelSpec], tmp_path: Path
) -> None:
    _, spec = chunk_packages
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be")
    with pytest.raises(ModelCacheError) as raised:
        resolve_model(directory=blocker / "models", spec=spec, progress=False)
    message = str(raised.value)
    assert "\n" not in message and "cannot write the model into" in message


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_cache_is_one_line(
    chunk_packages: tuple[Path, ModelSpec], tmp_path: Path
) -> None:
    _, spec = chunk_packages
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o500)
    try:
        with pytest.raises(ModelCacheError, match="cannot write the model into"):
            resolve_model(directory=cache, spec=spec, progress=False)
    finally:
        cache.chmod(0o700)


def _resolver_script(site: Path, spec: ModelSpec, cache: Path, prelude: str = "") -> str:
    return textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {str(site)!r})
        {prelude}
        from reviewer.model.resolve import ModelSpec, resolve_model, ReviewerError
        spec = ModelSpec({spec.name!r}, {spec.size}, {spec.sha256!r}, {spec.packages!r})
        try:
            found = resolve_model(directory=__import__("pathlib").Path({str(cache)!r}),
                                  spec=spec, progress=False)
        except ReviewerError as error:
            print("error:", error)
            sys.exit(2)
        print(found.path, os.stat(found.path).st_ino)
        """
    )


def _python(script: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "lsp")])}
    return subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_a_full_disk_is_one_line_and_leaves_no_partial_file(
    chunk_packages: tuple[Path, ModelSpec], tmp_path: Path
) -> None:
    """The file-size limit makes the disk refuse bytes past 100 kB, as a full
    disk would (EFBIG instead of ENOSPC: the same failed write)."""
    site, spec = chunk_packages
    cache = tmp_path / "cache"
    prelude = (
        "import resource, signal; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
        "resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))"
    )
    child = _python(_resolver_script(site, spec, cache, prelude))
    out, err = child.communicate(timeout=120)
    assert child.returncode == 2, err
    assert err == "" and out.count("\n") == 1
    assert out.startswith("error: cannot write the model into")
    assert not (cache / spec.name).exists() and _leftovers(cache) == []


def test_two_processes_assembling_at_once_make_one_file(
    chunk_packages: tuple[Path, ModelSpec], tmp_path: Path
) -> None:
    site, spec = chunk_packages
    cache = tmp_path / "cache"
    script = _resolver_script(site, spec, cache)
    children = [_python(script) for _ in range(3)]
    results = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0, 0, 0], results
    lines = {out.strip() for out, _ in results}
    assert len(lines) == 1  # same path, same inode: assembled once, never replaced
    assert sorted(p.name for p in cache.iterdir()) == [
        spec.name,
        f"{spec.name}.json",
        f"{spec.name}.lock",
    ]
    assert resolve.file_sha256(cache / spec.name) == spec.sha256


def test_a_damaged_default_model_degrades_the_run_to_structural_with_one_notice(
    chunk_packages: tuple[Path, ModelSpec],
    repo: GitRepo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    require_modules(
        "llama_cpp", reason="llama-cpp-python is not installed: the tier is never tried"
    )
    site, spec = chunk_packages
    _part(site, 3).write_bytes(b"cut")
    monkeypatch.setattr(resolve, "PART_PACKAGES", spec.packages)
    monkeypatch.setattr(resolve, "DEFAULT_NAME", spec.name)
    monkeypatch.setattr(resolve, "DEFAULT_SIZE", spec.size)
    monkeypatch.setattr(resolve, "DEFAULT_SHA256", spec.sha256)
    monkeypatch.setenv("REVIEWER_MODEL_ENABLED", "auto")
    repo.write("m.py", "x = 1\n")
    repo.commit("base")
    repo.write("m.py", "def f(a):\n    return a is 1\n")
    code = main(["diff", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in err
    report = json.loads(out)
    assert [f["rule_id"] for f in report["findings"]] == ["py-is-literal"]
    notices = [n for n in report["summary"]["notes"] if n.startswith("model:")]
    assert len(notices) == 1 and "structural checks only" in notices[0]
    assert "bytes, expected" in notices[0]
    # Asked for explicitly, the model's absence is the run's one-line error.
    code = main(["diff", "--model"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "expected" in err


# --- the answer cache ----------------------------------------------------------

KEY = "ab" + "0" * 62
ANSWER = CachedAnswer('{"line": 3, "category": "bug", "message": "off by one", "p": 0.25}')


def _damage(path: Path, how: str) -> None:
    text = path.read_text()
    if how == "truncated":
        path.write_text(text[: len(text) // 2])
    elif how == "flipped":
        path.write_text(text.replace("off by one", "off by two"))
    elif how == "number":
        path.write_text(text.replace("0.25", "0.95"))
    elif how == "binary":
        path.write_bytes(b"\xff\x00\xfe" * 10)
    elif how == "old-format":
        path.write_text(json.dumps({"text": "x"}))
    elif how == "list":
        path.write_text("[1, 2, 3]")
    elif how == "empty":
        path.write_text("")
    elif how == "directory":
        path.unlink()
        path.mkdir()


@pytest.mark.parametrize(
    "how",
    ["truncated", "flipped", "number", "binary", "old-format", "list", "empty", "directory"],
)
def test_a_damaged_answer_is_a_miss_then_rewritten(tmp_path: Path, how: str) -> None:
    cache = AnswerCache(tmp_path)
    cache.put(KEY, ANSWER)
    assert cache.get(KEY) == ANSWER
    path = tmp_path / KEY[:2] / f"{KEY}.json"
    _damage(path, how)
    assert cache.get(KEY) is None
    if how != "directory":
        cache.put(KEY, ANSWER)
        assert cache.get(KEY) == ANSWER


def test_an_answer_filed_under_another_key_is_not_used(tmp_path: Path) -> None:
    cache = AnswerCache(tmp_path)
    cache.put(KEY, ANSWER)
    other = "ab" + "1" * 62
    (tmp_path / "ab" / f"{KEY}.json").rename(tmp_path / "ab" / f"{other}.json")
    assert cache.get(other) is None


def test_an_unwritable_answer_cache_costs_nothing_but_speed(tmp_path: Path) -> None:
    (tmp_path / "answers").write_text("a file where the directory should be")
    cache = AnswerCache(tmp_path / "answers")
    cache.put(KEY, ANSWER)  # no error
    assert cache.get(KEY) is None


def test_an_interrupted_write_leaves_no_entry_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reviewer.model import cache as cache_module

    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cache_module.os, "replace", interrupted)
    cache = AnswerCache(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        cache.put(KEY, ANSWER)
    assert list(tmp_path.rglob("*.*")) == []
    monkeypatch.undo()
    assert cache.get(KEY) is None

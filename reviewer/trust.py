"""Which repositories the user trusts with settings that reach off the machine.

A repository's config file is untrusted input (SECURITY.md): it may not
choose where code and keys are sent, nor a native file to load, until the
user says so with `reviewer trust`. As direnv does for `.envrc`, the trust
is a record of the config's SHA-256 in the user's state directory; any
change to the config revokes it until it is given again.

What is hashed is what reviewer reads: the whole `.reviewer.toml`, and of
pyproject.toml only its [tool.reviewer] table (so bumping a dependency
does not revoke the trust, while any change to reviewer's settings does).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from reviewer.config_files import CONFIG_FILE, reviewer_table
from reviewer.errors import ReviewerError

STORE_FILE = "trusted.json"


def store_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_state_dir("reviewer")) / STORE_FILE


def config_digests(root: Path) -> dict[str, str]:
    """SHA-256 of each config file reviewer reads in `root`, by file name;
    empty when the repository has no config."""
    digests: dict[str, str] = {}
    dedicated = root / CONFIG_FILE
    if dedicated.is_file():
        digests[CONFIG_FILE] = hashlib.sha256(dedicated.read_bytes()).hexdigest()
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            table = reviewer_table(pyproject)
        except ReviewerError:
            table = None  # not valid TOML: nothing reviewer reads from it
        if table is not None:
            canonical = json.dumps(table, sort_keys=True, default=str).encode("utf-8")
            digests["pyproject.toml [tool.reviewer]"] = hashlib.sha256(canonical).hexdigest()
    return digests


def is_trusted(root: Path) -> bool:
    """True when the user trusted this repository's config as it is now."""
    digests = config_digests(root)
    return bool(digests) and _read_store().get(_key(root)) == digests


def trust(root: Path) -> dict[str, str]:
    """Record the config as it is now; the digests recorded."""
    digests = config_digests(root)
    if not digests:
        raise ReviewerError(
            f"nothing to trust in {root}: it has no {CONFIG_FILE} and no [tool.reviewer] "
            "in pyproject.toml"
        )
    store = _read_store()
    store[_key(root)] = digests
    _write_store(store)
    return digests


def revoke(root: Path) -> bool:
    """Forget the trust; False when there was none."""
    store = _read_store()
    if store.pop(_key(root), None) is None:
        return False
    _write_store(store)
    return True


def _key(root: Path) -> str:
    return str(root.resolve())


def _read_store() -> dict[str, Any]:
    """The recorded trusts; a missing or damaged store trusts nothing."""
    try:
        data = json.loads(store_path().read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_store(store: dict[str, Any]) -> None:
    path = store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole and renamed into place: a crash never leaves half a file.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".trusted-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(store, stream, indent=2, sort_keys=True)
            stream.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

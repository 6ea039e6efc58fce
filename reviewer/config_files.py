"""Finding and reading configuration files. Kept apart from config.py, which
validates with pydantic, so that an empty review can tell whether there is
any configuration to validate without importing it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from reviewer.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_FILE = ".reviewer.toml"
DEFAULT_BASELINE = ".reviewer-baseline.json"


def find_config_file(root: Path) -> Path | None:
    """`.reviewer.toml` wins over pyproject.toml; pyproject counts only when
    it has a [tool.reviewer] table."""
    dedicated = root / CONFIG_FILE
    if dedicated.is_file():
        return dedicated
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and "reviewer" in read_toml(pyproject).get("tool", {}):
        return pyproject
    return None


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None

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
    if pyproject.is_file() and _has_reviewer_table(pyproject):
        return pyproject
    return None


def ignored_config_file(root: Path) -> Path | None:
    """pyproject.toml when it has a [tool.reviewer] table that `.reviewer.toml`
    shadows (a config in both places: only the dedicated file is read)."""
    pyproject = root / "pyproject.toml"
    if not (root / CONFIG_FILE).is_file() or not pyproject.is_file():
        return None
    try:
        return pyproject if _has_reviewer_table(pyproject) else None
    except ConfigError:
        return None  # not ours to judge: it is not the file in use


def reviewer_table(path: Path) -> Any:
    """What the file holds for reviewer: the whole `.reviewer.toml`, or
    pyproject's [tool.reviewer] (None when there is none)."""
    table = read_toml(path)
    if path.name != "pyproject.toml":
        return table
    tool = table.get("tool")
    if tool is not None and not isinstance(tool, dict):
        raise ConfigError(f"{path}: 'tool' must be a table, not {_kind(tool)}")
    return (tool or {}).get("reviewer")


def _has_reviewer_table(pyproject: Path) -> bool:
    return reviewer_table(pyproject) is not None


def _kind(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    return names.get(type(value), "an array" if isinstance(value, list) else type(value).__name__)


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        reason = " ".join(str(error).split())  # one line, whatever the parser says
        raise ConfigError(f"{path}: not valid TOML ({reason})") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read it ({error.strerror or error})") from None

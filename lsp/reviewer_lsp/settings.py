"""The server's settings: the same pydantic Config as the CLI (the project's
config file, then what the editor sends on top), plus when the model runs."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reviewer.config import Config, load_sources, user_config_file
from reviewer.config_files import CONFIG_FILE
from reviewer.errors import ReviewerError

ModelTrigger = Literal["idle", "save", "off"]


class EditorOptions(BaseModel):
    """What only an editor has: when the model reviews a buffer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model_trigger: ModelTrigger = "idle"  # after the buffer is idle, on save, or never
    debounce_ms: int = Field(default=750, ge=0, le=60_000)


@dataclass(frozen=True)
class Settings:
    editor: EditorOptions
    overrides: dict[str, Any]  # [tool.reviewer] keys from the editor


DEFAULT = Settings(EditorOptions(), {})


def parse_settings(raw: Any) -> Settings:
    """initializationOptions / didChangeConfiguration settings: either the
    keys directly or under "reviewer". Raises ValueError with one line."""
    if raw is None:
        return DEFAULT
    if isinstance(raw, dict) and isinstance(raw.get("reviewer"), dict):
        raw = raw["reviewer"]
    if not isinstance(raw, dict):
        raise ValueError(f"settings must be an object, got {type(raw).__name__}")
    editor_keys = set(EditorOptions.model_fields)
    try:
        editor = EditorOptions(**{k: v for k, v in raw.items() if k in editor_keys})
        overrides = {k: v for k, v in raw.items() if k not in editor_keys}
        Config(**overrides)  # validate now, so a bad key is reported once
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        raise ValueError(f"invalid setting {where}: {first['msg']}") from None
    return Settings(editor, overrides)


def config_for(root: Path, settings: Settings) -> tuple[Config, str | None, str | None]:
    """The project's config with the editor's overrides (trusted: the
    user's own), a notice naming the repository's settings left out
    because it is not trusted (guarded.py), and on a broken config file,
    the defaults and the one-line reason."""
    try:
        loaded = load_sources(
            root, None, settings.overrides or None, overrides_source="the editor's settings"
        )
    except ReviewerError as error:
        return Config(**settings.overrides), None, str(error)
    return loaded.config, loaded.notice, None


def config_stamp(root: Path) -> tuple[tuple[int, int] | None, ...]:
    """The state of every file a root's config is read from (and of the
    trust store): a change on disk, by the editor or by `git pull` or
    `reviewer trust`, makes the server read the config again."""
    files = (root / CONFIG_FILE, root / "pyproject.toml", *_user_files())
    return tuple(_stat(path) for path in files)


@functools.cache
def _user_files() -> tuple[Path, Path]:
    """The user's config file and the trust store (the same all along a
    server's life; config_stamp runs on every keystroke)."""
    from reviewer.trust import store_path

    return (user_config_file(), store_path())


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size)

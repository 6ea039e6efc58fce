"""The registry of languages: which grammar wheel parses which file, where its
queries are, and how its comments start. Read from grammars/languages.toml."""

from __future__ import annotations

import functools
import importlib
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import tree_sitter

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# Comment starts for files no grammar covers, so suppressions still work there.
GENERIC_COMMENTS = ("#", "//", "/*", "--", ";", "<!--")


@dataclass(frozen=True)
class LanguageSpec:
    name: str
    extensions: tuple[str, ...]
    module: str
    function: str
    comments: tuple[str, ...]
    query_dir: Path

    @functools.cached_property
    def language(self) -> tree_sitter.Language:
        grammar = importlib.import_module(self.module)
        return tree_sitter.Language(getattr(grammar, self.function)())

    def query_text(self, name: str) -> str:
        path = self.query_dir / name
        return path.read_text(encoding="utf-8") if path.is_file() else ""


def grammars_dir() -> Path:
    """grammars/ ships inside the wheel as reviewer/grammars; in a source
    checkout it sits beside the package."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "grammars", package.parent / "grammars"):
        if (candidate / "languages.toml").is_file():
            return candidate
    raise RuntimeError(f"grammars/languages.toml not found near {package}")


@functools.cache
def registry() -> dict[str, LanguageSpec]:
    root = grammars_dir()
    table: dict[str, Any] = tomllib.loads((root / "languages.toml").read_text(encoding="utf-8"))
    specs = {}
    for name, entry in table.items():
        specs[name] = LanguageSpec(
            name=name,
            extensions=tuple(entry["extensions"]),
            module=entry["module"],
            function=entry["function"],
            comments=tuple(entry["comments"]),
            query_dir=root / entry.get("queries", name),
        )
    return specs


@functools.cache
def _by_extension() -> dict[str, LanguageSpec]:
    return {ext: spec for spec in registry().values() for ext in spec.extensions}


def language_for_path(path: str) -> LanguageSpec | None:
    return _by_extension().get(PurePosixPath(path).suffix.lower())


def comment_tokens(path: str) -> tuple[str, ...]:
    spec = language_for_path(path)
    return spec.comments if spec else GENERIC_COMMENTS

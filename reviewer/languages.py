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
    id_prefix: str = ""  # how its check ids start ("js-")
    parent: LanguageSpec | None = None  # the language whose queries it inherits
    inherits: tuple[str, ...] = ()  # which of the parent's query files
    removed: tuple[str, ...] = ()  # inherited check ids it drops (its own spelling)

    @functools.cached_property
    def language(self) -> tree_sitter.Language:
        grammar = importlib.import_module(self.module)
        return tree_sitter.Language(getattr(grammar, self.function)())


def grammars_dir() -> Path:
    """grammars/ ships inside the wheel as reviewer/grammars; in a source
    checkout it sits beside the package."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "grammars", package.parent / "grammars"):
        if (candidate / "languages.toml").is_file():
            return candidate
    raise RuntimeError(f"grammars/languages.toml not found near {package}")


QUERY_FILES = ("checks.scm", "scopes.scm")


@functools.cache
def registry() -> dict[str, LanguageSpec]:
    return load_registry(grammars_dir())


def load_registry(root: Path) -> dict[str, LanguageSpec]:
    """The languages of `root`/languages.toml (a parent before its children)."""
    path = root / "languages.toml"
    table: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    specs: dict[str, LanguageSpec] = {}

    def build(name: str, chain: tuple[str, ...]) -> LanguageSpec:
        if name in specs:
            return specs[name]
        if name not in table:
            raise RuntimeError(f"{path}: {chain[-1]} inherits unknown language {name!r}")
        if name in chain:
            raise RuntimeError(f"{path}: inheritance loops: {' -> '.join((*chain, name))}")
        entry = table[name]
        parent = build(entry["inherits"], (*chain, name)) if "inherits" in entry else None
        specs[name] = LanguageSpec(
            name=name,
            extensions=tuple(entry["extensions"]),
            module=entry["module"],
            function=entry["function"],
            comments=tuple(entry["comments"]),
            query_dir=root / entry.get("queries", name),
            id_prefix=entry.get("id_prefix", parent.id_prefix if parent else ""),
            parent=parent,
            inherits=tuple(entry.get("inherit", QUERY_FILES)) if parent else (),
            removed=tuple(entry.get("remove", ())),
        )
        return specs[name]

    for name in table:
        build(name, ())
    return {name: specs[name] for name in table}


@functools.cache
def _by_extension() -> dict[str, LanguageSpec]:
    return {ext: spec for spec in registry().values() for ext in spec.extensions}


def language_for_path(path: str) -> LanguageSpec | None:
    return _by_extension().get(PurePosixPath(path).suffix.lower())


def comment_tokens(path: str) -> tuple[str, ...]:
    spec = language_for_path(path)
    return spec.comments if spec else GENERIC_COMMENTS

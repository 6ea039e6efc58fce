"""Code templates for the synthetic benchmark repository, one TOML file per
language in bench/templates/ (the code stands there as it is, in literal
strings).

`string.Template` syntax: `$name` (snake or camel case, as the language
likes), `$Name` (Pascal case), `$Class`, `$limit`, `$step`, `$noun`,
`$table`, `$module`; `$$` is a literal dollar. Each language has clean
templates and templates with a planted defect of the kind the structural
checks (and the peers' rules) look for.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# The order files are generated in (the corpus depends on it, with its seed).
ORDER = ("python", "javascript", "typescript", "go", "rust", "java", "c")


@dataclass(frozen=True)
class LanguageTemplates:
    name: str
    extension: str
    directory: str
    snake_names: bool  # function names in snake_case (else camelCase)
    header: str
    footer: str
    clean: tuple[str, ...]
    defects: tuple[str, ...]


def load(name: str) -> LanguageTemplates:
    data = tomllib.loads((TEMPLATES_DIR / f"{name}.toml").read_text(encoding="utf-8"))
    return LanguageTemplates(
        name=name,
        extension=data["extension"],
        directory=data["directory"],
        snake_names=data["snake_names"],
        header=data["header"],
        footer=data["footer"],
        clean=tuple(data["clean"]),
        defects=tuple(data["defects"]),
    )


LANGUAGES: tuple[LanguageTemplates, ...] = tuple(load(name) for name in ORDER)

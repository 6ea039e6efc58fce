"""A reproducible synthetic repository: a base commit of smaller files and a
work tree that modifies them and adds new ones, in several languages, from
the templates in templates/*.toml (_templates.py) and a fixed random seed."""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from string import Template

from _common import git
from _templates import LANGUAGES, LanguageTemplates

NOUNS = ("order", "user", "invoice", "session", "account", "payment", "report", "ticket")
VERBS = ("collect", "load", "filter", "merge", "index", "resolve", "update", "count", "scan")
DEFECT_RATE = 0.2  # share of functions drawn from the planted-defect templates
NEW_FILE_RATE = 0.2  # share of files that the base commit does not have


@dataclass(frozen=True)
class FunctionSpec:
    defect: bool
    template: int
    ident: int
    noun: str
    verb: str
    limit: int
    step: int


@dataclass(frozen=True)
class Corpus:
    root: Path
    changed: dict[str, list[str]]  # language -> changed paths (relative, posix)
    lines: dict[str, int]  # path -> lines added or modified in the work tree
    new_files: int

    @property
    def all_paths(self) -> list[str]:
        return sorted(path for paths in self.changed.values() for path in paths)

    def changed_lines(self, language: str | None = None) -> int:
        paths = self.changed[language] if language else self.all_paths
        return sum(self.lines.get(path, 0) for path in paths)


def _spec(rng: random.Random, ident: int) -> FunctionSpec:
    return FunctionSpec(
        defect=rng.random() < DEFECT_RATE,
        template=rng.randrange(1000),
        ident=ident,
        noun=rng.choice(NOUNS),
        verb=rng.choice(VERBS),
        limit=rng.randrange(16, 200),
        step=rng.randrange(2, 9),
    )


def _render(lang: LanguageTemplates, spec: FunctionSpec, module: str) -> str:
    pool = lang.defects if spec.defect else lang.clean
    noun, verb = spec.noun, spec.verb
    snake = f"{verb}_{noun}_{spec.ident}"
    camel = f"{verb}{noun.title()}{spec.ident}"
    return Template(pool[spec.template % len(pool)]).substitute(
        name=snake if lang.snake_names else camel,
        Name=f"{verb.title()}{noun.title()}{spec.ident}",
        Class=f"{noun.title()}Store{spec.ident}",
        Noun=noun.title(),
        noun=noun,
        table=f"{noun}s",
        module=module,
        Module=module.title().replace("_", ""),
        limit=spec.limit,
        step=spec.step,
    )


def _file_text(lang: LanguageTemplates, specs: list[FunctionSpec], module: str) -> str:
    header = Template(lang.header).substitute(
        module=module, Module=module.title().replace("_", ""), Noun=module.split("_")[0].title()
    )
    parts = [header, *(_render(lang, spec, module) for spec in specs)]
    if lang.footer:
        parts.append(lang.footer)
    return ("\n\n" if lang.name == "python" else "\n").join(parts)


def _versions(
    rng: random.Random, base_functions: int, new_functions: int
) -> tuple[list[FunctionSpec], list[FunctionSpec]]:
    """Base and work-tree function lists: half the base functions are
    modified (new constants), one may be deleted, new ones are inserted."""
    base = [_spec(rng, i) for i in range(base_functions)]
    work = []
    for spec in base:
        if rng.random() < 0.5:
            spec = replace(spec, limit=spec.limit + rng.randrange(1, 50), step=spec.step + 1)
        work.append(spec)
    if work and rng.random() < 0.3:
        work.pop(rng.randrange(len(work)))
    for ident in range(base_functions, base_functions + new_functions):
        work.insert(rng.randrange(len(work) + 1), _spec(rng, ident))
    return base, work


def build_corpus(root: Path, seed: int, files_per_language: int, functions: int) -> Corpus:
    """Create a git repository at `root` (replacing what is there)."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    rng = random.Random(seed)
    work_texts: dict[Path, str] = {}
    changed: dict[str, list[str]] = {lang.name: [] for lang in LANGUAGES}
    new_files = 0
    for lang in LANGUAGES:
        for index in range(files_per_language):
            module = f"{rng.choice(NOUNS)}_{index}"
            rel = f"{lang.directory}/{module}{lang.extension}"
            is_new = rng.random() < NEW_FILE_RATE
            base, work = _versions(rng, 0 if is_new else functions // 2, functions - functions // 2)
            if not is_new:
                _write(root / rel, _file_text(lang, base, module))
            new_files += is_new
            work_texts[root / rel] = _file_text(lang, work, module)
            changed[lang.name].append(rel)
    (root / "README.md").write_text("Synthetic repository for reviewer benchmarks.\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    for path, text in work_texts.items():
        _write(path, text)
    return Corpus(root, changed, _count_changed_lines(root), new_files)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _count_changed_lines(root: Path) -> dict[str, int]:
    """Added lines of tracked files (git numstat) plus every line of new files."""
    counts = {}
    for row in git(root, "diff", "--numstat", "HEAD").splitlines():
        added, _, path = row.split("\t", 2)
        counts[path] = int(added) if added.isdigit() else 0
    for rel in git(root, "ls-files", "--others", "--exclude-standard").splitlines():
        counts[rel] = len((root / rel).read_text(encoding="utf-8").splitlines())
    return counts

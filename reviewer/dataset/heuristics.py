"""Which commits are bug fixes, which are clean changes, and which files are
worth mining (the rules of shared/data/README.md, so mined data matches it)."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from reviewer.languages import language_for_path

FIX_WORDS = re.compile(
    r"\b(fix|fixes|fixed|fixing|bug|bugfix|crash|regression|incorrect|incorrectly|wrong|broken)\b",
    re.IGNORECASE,
)
# A "fix" of these is not a code defect a reviewer would flag.
NOT_CODE = re.compile(
    r"\b(typos?|docs?|documentation|docstrings?|comments?|tests?|testing|ci|lint|flake8|ruff|"
    r"pylint|eslint|black|isort|prettier|format|formatting|typing|types?|annotations?|mypy|"
    r"bump|release|revert|merge|dependenc(y|ies)|deps|upgrade|coverage|benchmarks?|examples?|"
    r"licen[cs]e|whitespace|performance|perf|optimi[sz]e|optimi[sz]ation|changelog|readme)\b",
    re.IGNORECASE,
)
CONVENTIONAL_NOT_CODE = re.compile(
    r"^(docs|test|tests|ci|chore|build|style|perf|deps|types)(\(.*?\))?!?:"
    r"|^fix\((types|docs|tests|ci|build|deps)\)!?:",
    re.IGNORECASE,
)
# Words that hint at a fix even when no fix word is used: a clean commit has none.
FIXY_WORDS = re.compile(
    r"\b(fix\w*|bug\w*|error|errors|issue|issues|correct\w*|prevent\w*|avoid\w*|handl\w*|"
    r"fail\w*|leak\w*|missing|revert\w*|ensure\w*|invalid|exception\w*|panic\w*|crash\w*|"
    r"regression|wrong|broken|incorrect\w*|workaround|hotfix|patch)\b",
    re.IGNORECASE,
)
BODY_FIX_WORDS = re.compile(r"\b(fix|bug|crash|regression|incorrect|wrong|broken)\b", re.I)

SKIPPED_DIRS = {
    "test", "tests", "__tests__", "spec", "specs", "testdata", "fixtures", "testing",
    "doc", "docs", "example", "examples", "sample", "samples", "benchmark", "benchmarks",
    "bench", "scripts", "tools", "ci", ".github", ".circleci", "vendor", "vendored",
    "third_party", "thirdparty", "third-party", "node_modules", "dist", "build", "out",
    "generated", "gen", "locale", "locales", "i18n", "l10n",
}  # fmt: skip
SKIPPED_NAMES = {"setup.py", "noxfile.py", "tasks.py", "conftest.py", "build.rs", "version.py",
                 "_version.py", "__version__.py"}  # fmt: skip
SKIPPED_SUFFIXES = (".min.js", ".bundle.js", ".d.ts", "_pb2.py", "_pb2_grpc.py", ".pb.go",
                    "_generated.go", ".gen.go", "_test.go", ".test.js", ".test.ts",
                    ".spec.js", ".spec.ts", ".test.tsx", ".spec.tsx", "Test.java")  # fmt: skip
MINED_LANGUAGES = {"python", "javascript", "typescript", "tsx", "go", "rust", "java"}


def subject(message: str) -> str:
    return message.strip().split("\n", 1)[0]


def is_fix_message(message: str) -> bool:
    first = subject(message)
    return (
        bool(FIX_WORDS.search(first))
        and not NOT_CODE.search(first)
        and not CONVENTIONAL_NOT_CODE.match(first)
    )


def is_clean_message(message: str) -> bool:
    first = subject(message)
    body = message.strip()[len(first) :]
    return (
        not FIXY_WORDS.search(first)
        and not BODY_FIX_WORDS.search(body)
        and not CONVENTIONAL_NOT_CODE.match(first)
        and not NOT_CODE.search(first)
    )


def language_of(path: str) -> str | None:
    """The language to mine `path` as, or None when it is not mined source:
    tests, docs, examples, vendored, generated and packaging files are not."""
    spec = language_for_path(path)
    if spec is None or spec.name not in MINED_LANGUAGES:
        return None
    pure = PurePosixPath(path)
    if any(part.lower() in SKIPPED_DIRS for part in pure.parts[:-1]):
        return None
    name = pure.name
    if name in SKIPPED_NAMES or name.endswith(SKIPPED_SUFFIXES):
        return None
    if name.startswith("test_") or name.endswith("_test.py"):
        return None
    return "typescript" if spec.name == "tsx" else spec.name


def is_comment_or_blank(line: str, comments: tuple[str, ...]) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith((*comments, "*", '"""', "'''"))

"""One JSONL record of review data (docs/dataset.md documents every field).

The schema is the one of the shared mined dataset (shared/data/README.md), so
its train/dev files are valid input everywhere; mutation records add
`origin`, `category` and `suggestion`, which mined records may leave out."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reviewer.errors import ReviewerError

Kind = Literal["fix", "clean"]
Origin = Literal["mined", "mutation"]

# Benchmarks kept for independent evaluation: a head is never fitted or
# calibrated on them, whatever a data file says.
EVAL_ONLY = ("pysnooper", "thefuck", "black", "tqdm", "httpie", "cookiecutter", "sanic",
             "luigi", "tornado", "fastapi", "scrapy", "youtube-dl", "yt-dlp", "express",
             "bugsinpy", "bugsjs")  # fmt: skip


def eval_only(repo: str) -> bool:
    """`owner/name` (or a bare name) of an evaluation-only benchmark."""
    name = repo.rsplit("/", 1)[-1].lower()
    return name in EVAL_ONLY or repo.lower() in EVAL_ONLY


class Record(BaseModel):
    """A unit of code that holds a labelled defect (`fix`) or none (`clean`)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    repo: str
    license: str
    language: str
    path: str
    commit: str
    parent: str
    date: str
    message: str
    kind: Kind
    unit_start: int = Field(ge=1)
    unit_end: int = Field(ge=1)
    unit_before: str  # the code a reviewer sees (buggy for `fix`)
    unit_after: str | None  # `fix`: the fixed scope; `clean`: the same text
    fixed_lines: list[int]  # absolute, parent numbering; [] for clean
    fixed_lines_in_unit: list[int]  # 1 = the unit's first line; [] for clean
    changed_lines_in_unit: list[int]  # lines the record's commit touched
    symbol: str | None = None
    diff: str = ""
    unit_kind: str = "func"  # func | class | window
    origin: Origin = "mined"
    category: str | None = None  # a schema.CATEGORIES name, when known
    suggestion: str | None = None  # replacement for the first fixed line, when known

    @property
    def buggy(self) -> bool:
        return self.kind == "fix"


def read_records(path: Path) -> Iterator[Record]:
    """Records of a JSONL file; a bad line is an error naming file and line."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield Record.model_validate_json(line)
            except ValueError as error:
                first = str(error).splitlines()[0]
                raise ReviewerError(f"{path}:{number}: not a dataset record ({first})") from None


def write_records(records: Iterable[Record], path: Path | None) -> int:
    """Write JSONL to `path` (stdout when None); returns the count."""
    import sys

    count = 0
    handle = path.open("w", encoding="utf-8") if path else sys.stdout
    try:
        for record in records:
            handle.write(json.dumps(record.model_dump(), ensure_ascii=False) + "\n")
            count += 1
    finally:
        if path:
            handle.close()
    return count


def split_by_repo(
    records: Iterable[Record], holdout: set[str]
) -> tuple[list[Record], list[Record]]:
    """(train, held out): whole repositories go to one side, never single records."""
    train: list[Record] = []
    held: list[Record] = []
    for record in records:
        (held if record.repo in holdout else train).append(record)
    return train, held

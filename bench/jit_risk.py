"""The change-level risk that ships (issue 21, 22): which model of the
change's history to put where lines added is today, measured in one run
beside lines added, and the card of the one that ships. Writes
bench/results/jit_risk.md and reviewer/risk/jit-logistic.json.

    nice -n 10 python bench/jit_risk.py --data /work/data-jit/raw --mirrors /work/.mirror

Dev is cross-project: leave one repository out, every change scored by a
model that never saw its repository. Within-project: each repository's
oldest 60% of changes to train, the rest to test (bench/jit_change.py's
splits). The card's coefficients are then fitted on all the changes."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._jit_data import JitData, data_arguments, load
from bench._jit_eval import BOOTSTRAP, at_gate, auroc, bootstrap, per_repo, resamples
from bench._jit_models import MODELS, Fitted
from bench._report import machine_facts, markdown_table, write_result
from bench.jit_change import Split, cross_splits, within_splits
from reviewer.history import FEATURES
from reviewer.jit import fit
from reviewer.risk import jit_logistic
from reviewer.risk.defaults import RISK_MARGIN

RESULT = Path(__file__).resolve().parent / "results" / "jit_risk.md"
CARD = jit_logistic.CARD
LATE_YEARS = 3  # noise cut: every blaming fix came this much later
NOT_A_REPAIR = re.compile(
    r"\b(adds?|added|support\w*|refactor\w*|improv\w*|perf|performance|clean ?up|rework\w*"
    r"|feat|features?|implement\w*|allows?|log|logging)\b",
    re.IGNORECASE,
)  # a fix subject that also names a feature, refactoring, performance or logging work
LA, NF = "lines added only (LA)", "files touched only (NF)"
PLAIN, SQUARED = "logistic, 14 metrics (calibrated)", "logistic, 14 metrics + squares (calibrated)"

assert FEATURES == jit_logistic.METRICS  # the bench's columns are the scorer's inputs

Maker = Callable[[JitData, np.ndarray], Fitted]


def _logistic(terms: tuple[str, ...], keep: np.ndarray | None = None) -> Maker:
    """The shipped kind of model; `keep` drops training changes (a noise cut)."""

    def make(data: JitData, train: np.ndarray) -> Fitted:
        rows = train if keep is None else train[keep[train]]
        model = fit.fit_logistic(data.process[rows], data.y[rows], terms)
        return Fitted(lambda d, test: model.probability(d.process[test]))

    return make


def _shallow_lightgbm(data: JitData, train: np.ndarray) -> Fitted:
    import lightgbm

    model = lightgbm.LGBMClassifier(
        n_estimators=200, learning_rate=0.03, num_leaves=7, min_child_samples=100,
        subsample=0.8, subsample_freq=1, colsample_bytree=0.8, reg_lambda=1.0,
        n_jobs=1, verbose=-1, random_state=21,
    )  # fmt: skip
    model.fit(data.process[train].astype(np.float32), data.y[train])
    return Fitted(
        lambda d, rows: np.asarray(model.predict_proba(d.process[rows].astype(np.float32)))[:, 1]
    )


def models(cuts: dict[str, np.ndarray]) -> dict[str, Maker]:
    rows: dict[str, Maker] = {
        "random": MODELS["random"],
        LA: MODELS[LA],
        NF: MODELS[NF],
        "Kamei's 14 metrics (logistic, balanced classes)": MODELS["Kamei's 14 metrics (logistic)"],
        PLAIN: _logistic(fit.METRICS),
        SQUARED: _logistic(fit.METRICS + fit.SQUARES),
        "LightGBM, 14 metrics (300 trees of 15 leaves)": MODELS["LightGBM, 14 metrics"],
        "LightGBM, 14 metrics (200 trees of 7 leaves, unweighted)": _shallow_lightgbm,
    }
    for name, keep in cuts.items():
        rows[_cut(name)] = _logistic(fit.METRICS, keep)
    return rows


def _cut(name: str) -> str:
    return f"{PLAIN}, trained without {name}"


def evaluate(
    data: JitData, splits: list[Split], makers: dict[str, Maker], setting: str
) -> tuple[list[list[str]], dict[str, dict[str, float]], dict[str, np.ndarray]]:
    """Every row on the same test changes; AUROC differences are paired
    (each row's AUROC on the same resamples as lines added's and as the
    calibrated logistic's)."""
    test = np.concatenate([t for _, t in splits])
    y, groups = data.y[test], data.repos[test]
    picks = resamples(groups)
    scores: dict[str, np.ndarray] = {}
    resampled: dict[str, np.ndarray] = {}  # each row's AUROC on the shared resamples
    numbers: dict[str, dict[str, float]] = {}
    cells: dict[str, list[str]] = {}
    for name, make in makers.items():
        started = time.monotonic()
        score, threshold = np.zeros(len(data.y)), np.zeros(len(data.y))
        for train, held in splits:
            fitted = make(data, train)
            score[held] = fitted.score(data, held)
            threshold[held] = fit.gate(fitted.score(data, train[data.y[train] == 0]))
        s = scores[name] = score[test]
        resampled[name] = bootstrap(y, s, picks)
        low, high = np.nanpercentile(resampled[name], [2.5, 97.5])
        precision, recall, flags = at_gate(y, s, threshold[test])
        repos = per_repo(y, s, groups)
        numbers[name] = {"auroc": auroc(y, s), "low": low, "high": high, "precision": precision,
                         "recall": recall, "clean_flagged": flags}  # fmt: skip
        cells[name] = [f"{np.nanmedian(repos):.3f}",
                       f"{np.nanmin(repos):.3f}-{np.nanmax(repos):.3f}",
                       f"{precision:.2f}", f"{recall:.2f}", f"{flags:.2f}",
                       f"{time.monotonic() - started:.0f}"]  # fmt: skip
        print(f"bench: {setting}: {name}: {numbers[name]['auroc']:.3f}", file=sys.stderr)
    rows = []
    for name, n in numbers.items():
        for key, other in (("gain", LA), ("over_plain", PLAIN)):
            low, high = np.nanpercentile(resampled[name] - resampled[other], [2.5, 97.5])
            n[key], n[f"{key}_low"], n[f"{key}_high"] = (
                n["auroc"] - numbers[other]["auroc"],
                low,
                high,
            )
        interval = f"{n['auroc']:.3f} [{n['low']:.3f}, {n['high']:.3f}]"
        rows.append([name, interval, _difference(n, "gain"), _difference(n, "over_plain"),
                     *cells[name]])  # fmt: skip
    return rows, numbers, scores


def _difference(n: dict[str, float], key: str) -> str:
    return f"{n[key]:+.3f} [{n[key + '_low']:+.3f}, {n[key + '_high']:+.3f}]"


HEADER = ["model", "AUROC pooled [95%]", "minus LA [95%, paired]",
          "minus the calibrated logistic [95%, paired]", "median per repo",
          "range per repo", "precision @gate", "recall @gate", "clean flagged @gate",
          "seconds"]  # fmt: skip


def fix_facts(data_dir: Path, mirrors: Path, ids: list[str]) -> dict[str, np.ndarray]:
    """Training-only noise cuts, one mask (True = keep) per cut: buggy changes
    whose every blaming fix came more than LATE_YEARS later, and those whose
    every blaming fix's subject also names other work (NOT_A_REPAIR)."""
    late, other_work = set(), set()
    for path in sorted(data_dir.glob("*.jsonl")):
        records = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
        shas = sorted({sha for r in records for sha in r["fixes"]})
        git_dir = mirrors / path.stem
        git_dir = git_dir / "repo" if (git_dir / "repo").is_dir() else git_dir
        out = subprocess.run(
            ["git", "--git-dir", str(git_dir), "log", "--no-walk=unsorted", "--stdin",
             "--format=%H%x1f%at%x1f%s"],
            input="\n".join(shas), capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        fixes = {}
        for line in out.splitlines():
            sha, when, subject = line.split("\x1f", 2)
            fixes[sha] = (int(when), subject)
        for r in records:
            if r["label"] != "buggy" or not r["fixes"]:
                continue
            known = [fixes[s] for s in r["fixes"] if s in fixes]
            if known and min(t for t, _ in known) - r["time"] > LATE_YEARS * 365.25 * 86400:
                late.add(r["id"])
            if known and all(NOT_A_REPAIR.search(subject) for _, subject in known):
                other_work.add(r["id"])
    return {
        f"buggy changes whose every fix came {LATE_YEARS}+ years later": np.asarray(
            [i not in late for i in ids]
        ),
        "buggy changes whose every fix's subject also names other work": np.asarray(
            [i not in other_work for i in ids]
        ),
    }


def calibration_rows(data: JitData, splits: list[Split], scores: dict[str, np.ndarray],
                     names: list[str]) -> tuple[str, dict[str, object]]:  # fmt: skip
    test = np.concatenate([t for _, t in splits])
    y, groups = data.y[test], data.repos[test]
    rows, measured = [], {}
    for name in names:
        p = scores[name]
        c = fit.calibration(y, p)
        measured[name] = c
        off = {g: (p[groups == g].mean(), y[groups == g].mean()) for g in np.unique(groups)}
        worst = max(off, key=lambda g: abs(off[g][0] - off[g][1]))
        rows.append([name, f"{c['ece']:.3f}", f"{c['brier']:.3f}", f"{c['mean_predicted']:.3f}",
                     f"{c['buggy_share']:.3f}",
                     f"{worst}: {off[worst][0]:.2f} vs {off[worst][1]:.2f}"])  # fmt: skip
    header = ["model", "ECE (10 bins)", "Brier", "mean probability", "buggy share",
              "repository furthest off: mean probability vs buggy share"]  # fmt: skip
    return markdown_table(header, rows), measured


def main(argv: list[str] | None = None) -> int:
    parser = data_arguments(__doc__.split("\n\n")[0], RESULT)
    parser.add_argument("--card", type=Path, default=CARD)
    args = parser.parse_args(argv)
    data = load(args.data, args.mirrors)
    cuts = fix_facts(args.data, args.mirrors, data.ids)
    makers = models(cuts)
    cross = cross_splits(data)
    cross_rows, cross_numbers, cross_scores = evaluate(data, cross, makers, "cross")
    within = within_splits(data)
    within_rows, within_numbers, _ = evaluate(data, within, makers, "within")
    calibrated = [PLAIN, SQUARED]
    calibration, measured = calibration_rows(data, cross, cross_scores, calibrated)
    ship = _ship(cross_numbers)
    terms = fit.METRICS + (fit.SQUARES if ship == SQUARED else ())
    model = fit.fit_logistic(data.process, data.y, terms)
    shipped_gate = fit.gate(model.probability(data.process[data.y == 0]))
    card = fit.card(
        model,
        _provenance(args, data, cuts),
        _dev(cross_numbers, within_numbers, ship, measured[ship], shipped_gate),
    )
    card["verdict"] = _verdict(cross_numbers[ship], cross_numbers[LA])
    page = _report(data, cross_rows, within_rows, within, calibration, cross_numbers,
                   within_numbers, ship, cuts, card)  # fmt: skip
    write_result(args.output, page)  # first: the page's commit line reads the tree before the card
    args.card.write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


def _verdict(shipped: dict[str, float], la: dict[str, float]) -> dict[str, object]:
    """What the card's numbers earn, said plainly (defaults.risk_default
    decides from dev.auroc and dev.lines_added_auroc; this only says it)."""
    gain = shipped["auroc"] - la["auroc"]
    shown = gain >= RISK_MARGIN
    goal = shipped["auroc"] >= 0.80 and gain >= 0.10
    return {
        "shown_by_default": shown,
        "default": f"{'shown' if shown else 'NOT shown'} by default: dev AUROC "
        f"{shipped['auroc']:.3f} is {gain:+.3f} over lines added's {la['auroc']:.3f}; the "
        f"default needs +{RISK_MARGIN:g} (reviewer/risk/defaults.py)",
        "issue_21_goal": f"{'met' if goal else 'NOT met'}: AUROC >= 0.80 across projects and "
        f">= lines added + 0.10 (here {shipped['auroc']:.3f}, {gain:+.3f})",
    }


def _ship(cross: dict[str, dict[str, float]]) -> str:
    """The plain logistic unless the squares beat it by more than the
    half-width of its 95% interval on dev (within noise, fewer terms win)."""
    plain = cross[PLAIN]
    noise = (plain["high"] - plain["low"]) / 2
    return SQUARED if cross[SQUARED]["auroc"] - plain["auroc"] > noise else PLAIN


def _provenance(
    args: argparse.Namespace, data: JitData, cuts: dict[str, np.ndarray]
) -> dict[str, object]:
    licences = {}
    for path in sorted(args.data.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            first = json.loads(next(lines))
        licences[first["repo"]] = first["license"]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=Path(__file__).parent).stdout.strip()  # fmt: skip
    return {
        "fitted_on": {
            "repositories": licences,
            "buggy": int(data.y.sum()),
            "clean": int(len(data.y) - data.y.sum()),
            "data": "docs/data/jit.md: SZZ-labelled first-parent changes at least a year "
            "older than their repository's newest commit",
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d"),
            "command": "nice -n 10 python bench/jit_risk.py --data /work/data-jit/raw "
            "--mirrors /work/.mirror",
            "reviewer_commit": commit,
            "evaluation_only_projects": "none of them is among the 15 (docs/data/jit.md)",
        },
    }


def _dev(cross: dict[str, dict[str, float]], within: dict[str, dict[str, float]], ship: str,
         calibration: dict[str, object], shipped_gate: float) -> dict[str, object]:  # fmt: skip
    c, w = cross[ship], within[ship]
    return {
        "data": "cross-project: leave one repository out over the 15 repositories "
        "(bench/results/jit_risk.md)",
        "model": ship,
        "auroc": round(c["auroc"], 4),
        "auroc_interval": [round(c["low"], 4), round(c["high"], 4)],
        "lines_added_auroc": round(cross[LA]["auroc"], 4),
        "lines_added_interval": [round(cross[LA]["low"], 4), round(cross[LA]["high"], 4)],
        "gain_over_lines_added": round(c["gain"], 4),
        "gain_interval": [round(c["gain_low"], 4), round(c["gain_high"], 4)],
        "files_touched_auroc": round(cross[NF]["auroc"], 4),
        "gate": {
            "probability": round(shipped_gate, 4),
            "rule": f"flags {fit.GATE_CLEAN_FLAGS:.0%} of the training clean changes "
            "(on dev: each fold's own gate)",
            "precision": round(c["precision"], 4),
            "recall": round(c["recall"], 4),
            "clean_flagged": round(c["clean_flagged"], 4),
            "lines_added_precision": round(cross[LA]["precision"], 4),
            "lines_added_recall": round(cross[LA]["recall"], 4),
        },
        "calibration": {
            "method": "the logistic's own probability, fitted without class weights "
            "(no separate calibrator); measured on the held-out repositories",
            **calibration,
        },
        "within_project": {
            "auroc": round(w["auroc"], 4),
            "auroc_interval": [round(w["low"], 4), round(w["high"], 4)],
            "lines_added_auroc": round(within[LA]["auroc"], 4),
        },
    }


def _report(data: JitData, cross_rows: list[list[str]], within_rows: list[list[str]],
            within: list[Split], calibration: str, cross: dict[str, dict[str, float]],
            within_numbers: dict[str, dict[str, float]], ship: str,
            cuts: dict[str, np.ndarray], card: dict[str, object]) -> str:  # fmt: skip
    c, la, sq = cross[ship], cross[LA], cross[SQUARED]
    best = max((v["auroc"], k) for k, v in cross.items())
    default = c["auroc"] - la["auroc"] >= RISK_MARGIN
    goal = c["auroc"] >= 0.80 and c["auroc"] - la["auroc"] >= 0.10
    dropped = {name: int((~keep & (data.y == 1)).sum()) for name, keep in cuts.items()}
    cut_lines = "\n".join(
        f"- Trained without {name}: {n} of {int(data.y.sum())} buggy changes left out of "
        f"training (test labels unchanged)." for name, n in dropped.items()
    )  # fmt: skip
    noise = "\n".join(
        f"- Without {name}: cross-project {_difference(cross[_cut(name)], 'over_plain')}, "
        f"within-project {_difference(within_numbers[_cut(name)], 'over_plain')} AUROC "
        "against the same logistic trained on every change (paired)."
        for name in cuts
    )  # fmt: skip
    repos = ", ".join(data.repos[t][0] for _, t in within)
    gate = card["dev"]["gate"]  # type: ignore[index]
    return f"""# The change-level risk that ships (issues 21, 22)

`nice -n 10 python bench/jit_risk.py` on the changes `reviewer dataset szz`
mined (docs/data/jit.md; {int(data.y.sum())} buggy and {int((data.y == 0).sum())} clean changes
of 15 repositories, each at least a year older than its repository's newest
commit). One run: every row below, the lines-added baseline and the shipped
card (`reviewer/risk/jit-logistic.json`) come from it.

- **Models.** LA and NF rank by the raw count. Kamei: logistic regression on
  the 14 metrics, counts log1p'd, standardised, balanced classes (as in
  bench/jit_change.py). The calibrated logistic regressions
  (reviewer/jit/fit.py) are the same inputs without class weights, so their
  output is a probability; "+ squares" adds each standardised input's square.
  LightGBM: bench/jit_change.py's 300 trees of 15 leaves (balanced), and a
  smaller unweighted one.
- **AUROC pooled** over all test changes of the setting, with a
  {BOOTSTRAP}-resample 95% interval (changes resampled within each
  repository); "minus LA" is the paired difference with lines added on the
  same resamples.
- **Gate**: each fold's threshold flags {fit.GATE_CLEAN_FLAGS:.0%} of its training clean
  changes; precision and recall over the test changes.
- **Noise cuts** (the last rows): the calibrated logistic trained without
  some buggy changes that the hand check of docs/data/jit.md marks as the
  commonest noise; the test changes and their labels are the same as every
  other row's.
{cut_lines}

## Dev: cross-project (leave one repository out)

{markdown_table(HEADER, cross_rows)}

## Within-project (time-ordered: oldest 60% of a repository's changes to train)

Repositories with at least 40 buggy and 40 clean test changes: {repos}.

{markdown_table(HEADER, within_rows)}

## Calibration on dev (held-out repositories)

{calibration}

## Label noise: training-only cuts (the last two rows of each table)

{noise}

## What ships

- **{ship}**, refitted on all {len(data.y)} changes: its card is
  `reviewer/risk/jit-logistic.json`. On dev it reaches AUROC
  {c["auroc"]:.3f} [{c["low"]:.3f}, {c["high"]:.3f}] against lines added's
  {la["auroc"]:.3f} [{la["low"]:.3f}, {la["high"]:.3f}]: {c["gain"]:+.3f}
  [{c["gain_low"]:+.3f}, {c["gain_high"]:+.3f}] paired. The best row is {best[1]}
  at {best[0]:.3f}. The squares add {sq["over_plain"]:+.3f} [{sq["over_plain_low"]:+.3f},
  {sq["over_plain_high"]:+.3f}] (paired) to the plain logistic on dev: they would ship only
  if that gain exceeded the half-width of the plain model's interval
  ({(cross[PLAIN]["high"] - cross[PLAIN]["low"]) / 2:.3f}); within noise, the plain
  one ships (fewer terms, the same inputs). It is {best[0] - c["auroc"]:.3f} below the best
  row.
- Its gate (probability {gate["probability"]:.3f} on the full fit): precision {c["precision"]:.2f}
  and recall {c["recall"]:.2f} on dev, against lines added's {la["precision"]:.2f} and
  {la["recall"]:.2f} at the same rule.
- **Shown by default** (dev AUROC at least 0.05 above lines added):
  **{"yes" if default else "no"}** ({c["auroc"] - la["auroc"]:+.3f}).
- **Issue 21's goal** (AUROC >= 0.80 across projects and >= LA + 0.10):
  **{"met" if goal else "NOT met"}**. Within projects: {within_numbers[ship]["auroc"]:.3f}
  against LA {within_numbers[LA]["auroc"]:.3f}.

{machine_facts()}
"""


if __name__ == "__main__":
    raise SystemExit(main())

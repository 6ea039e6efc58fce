"""One's own history (issue 21, part 4): should a user fit the change risk on
their own repository (`reviewer train --risk`) or keep the shipped card,
fitted on other projects? Writes bench/results/jit_own_history.md.

    nice -n 10 python bench/jit_own_history.py --data /work/data-jit/raw --mirrors /work/.mirror

Per repository, on the same held-out newer changes (the newest
TEST_SHARE of its changes at least a year older than its newest commit, the
label-maturity rule of the mined data and of `reviewer train --risk`):

- within-project: reviewer/jit/fit.py's calibrated logistic, fitted on the
  repository's older changes only (all of them, then only the newest N of
  them for the learning curve);
- cross-project: the same fit on the other repositories' changes (the
  shipped fit's leave-one-repository-out card for this repository);
- lines added alone, and chance (0.5).

No model pass: Kamei's metrics come from git, so nothing here needs the
review model or a server."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._jit_data import YEAR, data_arguments, newest_time
from bench._jit_eval import BOOTSTRAP, auroc, bootstrap, resamples
from bench._report import machine_facts, markdown_table, write_result
from reviewer.jit import fit
from reviewer.jit.own import TrainOptions
from reviewer.risk import jit_logistic

RESULT = Path(__file__).resolve().parent / "results" / "jit_own_history.md"
TEST_SHARE = 0.4  # the newest share of a repository's mature changes, held out
CURVE = (50, 100, 200, 400, 800)  # older changes fitted on (the newest N before the cut)
WITHIN, CROSS, LA = (
    "within-project (own older changes)",
    "cross-project (other repos)",
    "lines added",
)


class Repo:
    """One repository's mature changes, oldest first."""

    def __init__(self, name: str, times: np.ndarray, y: np.ndarray, x: np.ndarray,
                 la: np.ndarray) -> None:  # fmt: skip
        order = np.argsort(times, kind="stable")
        self.name, self.times, self.y, self.x, self.la = (name, times[order], y[order],
                                                          x[order], la[order])  # fmt: skip
        self.cut = len(y) - round(len(y) * TEST_SHARE)

    @property
    def train(self) -> slice:
        return slice(0, self.cut)

    @property
    def test(self) -> slice:
        return slice(self.cut, len(self.y))


def load_repos(data_dir: Path, mirrors: Path) -> list[Repo]:
    repos = []
    for path in sorted(data_dir.glob("*.jsonl")):
        cutoff = newest_time(mirrors / path.stem) - YEAR
        times, y, features, name = [], [], [], path.stem.replace("+", "/")
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if not line.strip():
                    continue
                record = json.loads(line)
                if record["time"] > cutoff:
                    continue
                name = record["repo"]
                times.append(record["time"])
                y.append(int(record["label"] == "buggy"))
                features.append(record["features"])
        x = fit.metric_matrix(features)
        la = np.asarray([f["la"] for f in features], dtype=float)
        repos.append(Repo(name, np.asarray(times), np.asarray(y), x, la))
    return repos


def terms() -> tuple[str, ...]:
    """The shipped card's terms when it is there, else the plain 14 metrics."""
    try:
        return jit_logistic.load().terms
    except Exception:  # no card yet: the plain logistic
        return fit.METRICS


def fitted_scores(
    x: np.ndarray, y: np.ndarray, test: np.ndarray, used: tuple[str, ...]
) -> np.ndarray:
    if y.min() == y.max():
        return np.full(len(test), np.nan)  # one class only: nothing to fit
    return fit.fit_logistic(x, y, used).probability(test)


def interval(values: np.ndarray) -> tuple[float, float]:
    low, high = np.nanpercentile(values, [2.5, 97.5])
    return float(low), float(high)


def main(argv: list[str] | None = None) -> int:
    parser = data_arguments(__doc__.split("\n\n")[0], RESULT)
    args = parser.parse_args(argv)
    repos = load_repos(args.data, args.mirrors)
    used = terms()
    scores: dict[str, dict[str, np.ndarray]] = {}
    for repo in repos:
        others = [r for r in repos if r is not repo]
        x_other = np.concatenate([r.x for r in others])
        y_other = np.concatenate([r.y for r in others])
        test_x = repo.x[repo.test]
        row = {
            WITHIN: fitted_scores(repo.x[repo.train], repo.y[repo.train], test_x, used),
            CROSS: fitted_scores(x_other, y_other, test_x, used),
            LA: repo.la[repo.test],
        }
        for n in CURVE:
            if n <= repo.cut:
                rows = slice(repo.cut - n, repo.cut)
                row[f"n={n}"] = fitted_scores(repo.x[rows], repo.y[rows], test_x, used)
        scores[repo.name] = row
        print(f"bench: {repo.name}: within {auroc(repo.y[repo.test], row[WITHIN]):.3f} "
              f"cross {auroc(repo.y[repo.test], row[CROSS]):.3f}", file=sys.stderr)  # fmt: skip
    write_result(args.output, report(repos, scores, used, mining_time(args.data)))
    return 0


def _cell(y: np.ndarray, s: np.ndarray, picks: list[np.ndarray]) -> tuple[float, str]:
    value = auroc(y, s)
    low, high = interval(bootstrap(y, s, picks))
    return value, f"{value:.3f} [{low:.3f}, {high:.3f}]"


Difference = tuple[float, float, float]  # paired AUROC difference and its 95% interval


def _difference(y: np.ndarray, a: np.ndarray, b: np.ndarray, picks: list[np.ndarray]) -> Difference:
    low, high = interval(bootstrap(y, a, picks) - bootstrap(y, b, picks))
    return auroc(y, a) - auroc(y, b), low, high


def _words(d: Difference) -> str:
    return f"{d[0]:+.3f} [{d[1]:+.3f}, {d[2]:+.3f}]"


def _paired(y: np.ndarray, a: np.ndarray, b: np.ndarray, picks: list[np.ndarray]) -> str:
    return _words(_difference(y, a, b, picks))


Pooled = tuple[np.ndarray, np.ndarray, np.ndarray]


def pooled(repos: list[Repo], scores: dict[str, dict[str, np.ndarray]], key: str,
           names: list[str] | None = None) -> Pooled:  # fmt: skip
    chosen = [r for r in repos if names is None or r.name in names]
    y = np.concatenate([r.y[r.test] for r in chosen])
    s = np.concatenate([scores[r.name][key] for r in chosen])
    groups = np.concatenate([np.full(len(r.y[r.test]), r.name) for r in chosen])
    return y, s, groups


def report(repos: list[Repo], scores: dict[str, dict[str, np.ndarray]],
           used: tuple[str, ...], mining: str) -> str:  # fmt: skip
    rows, numbers = [], {}
    ahead, behind = [], []
    for repo in repos:
        y, row = repo.y[repo.test], scores[repo.name]
        picks = resamples(np.zeros(len(y)))
        _, w_cell = _cell(y, row[WITHIN], picks)
        _, c_cell = _cell(y, row[CROSS], picks)
        _, la_cell = _cell(y, row[LA], picks)
        d = _difference(y, row[WITHIN], row[CROSS], picks)
        ahead += [repo.name] if d[1] > 0 else []
        behind += [repo.name] if d[2] < 0 else []
        train_y = repo.y[repo.train]
        rows.append([repo.name, f"{len(train_y)} ({int(train_y.sum())})",
                     f"{len(y)} ({int(y.sum())})", w_cell, c_cell, la_cell,
                     _words(d)])  # fmt: skip
    y, within, groups = pooled(repos, scores, WITHIN)
    cross, la = pooled(repos, scores, CROSS)[1], pooled(repos, scores, LA)[1]
    picks = resamples(groups)
    for key, s in ((WITHIN, within), (CROSS, cross), (LA, la)):
        numbers[key] = _cell(y, s, picks)
    per = {k: [auroc(r.y[r.test], scores[r.name][k]) for r in repos] for k in (WITHIN, CROSS, LA)}
    rows.append([f"**pooled, {len(repos)} repositories**",
                 f"{sum(r.cut for r in repos)} ({sum(int(r.y[r.train].sum()) for r in repos)})",
                 f"{len(y)} ({int(y.sum())})", numbers[WITHIN][1], numbers[CROSS][1],
                 numbers[LA][1], _paired(y, within, cross, picks)])  # fmt: skip
    rows.append(["median per repository", "", "", *(f"{np.nanmedian(per[k]):.3f}"
                                                   for k in (WITHIN, CROSS, LA)), ""])  # fmt: skip
    table = markdown_table(
        ["repository", "older changes fitted on (buggy)", "newer changes held out (buggy)",
         f"{WITHIN} AUROC [95%]", f"{CROSS} AUROC [95%]", f"{LA} AUROC [95%]",
         "within minus cross [95%, paired]"], rows)  # fmt: skip
    curve_rows, curve = [], {}
    for n in (*CURVE, None):
        key = WITHIN if n is None else f"n={n}"
        names = [r.name for r in repos if key in scores[r.name]]
        if len(names) < 3:
            continue
        cy, cs, cg = pooled(repos, scores, key, names)
        cc, cl = pooled(repos, scores, CROSS, names)[1], pooled(repos, scores, LA, names)[1]
        cp = resamples(cg)
        _, cell = _cell(cy, cs, cp)
        curve[key] = _difference(cy, cs, cc, cp)
        buggy = [
            int(r.y[max(0, r.cut - (n or r.cut)) : r.cut].sum()) for r in repos if r.name in names
        ]
        median = np.nanmedian([auroc(r.y[r.test], scores[r.name][key]) for r in repos
                               if r.name in names])  # fmt: skip
        curve_rows.append([
            "all older changes" if n is None else f"newest {n} older changes",
            f"{len(names)}", f"{int(np.median(buggy))}", cell, f"{median:.3f}",
            _cell(cy, cc, cp)[1], _cell(cy, cl, cp)[1], _words(curve[key]),
        ])  # fmt: skip
    curve_table = markdown_table(
        ["fitted on", "repositories", "median buggy among them", "within AUROC pooled [95%]",
         "within median per repo", "cross AUROC pooled [95%], same repos",
         "lines added AUROC pooled [95%], same repos", "within minus cross [95%, paired]"],
        curve_rows)  # fmt: skip
    sizes = {r.name: r.cut for r in repos}
    pooled_all = _difference(y, within, cross, picks)
    verdict = recommendation(curve, pooled_all, ahead, behind, sizes)
    return page(repos, table, curve_table, numbers, verdict, ahead, behind, used, mining)


def mining_time(data_dir: Path) -> str:
    stats = [json.loads(p.read_text()) for p in sorted(data_dir.glob("*.stats.json"))]
    seconds = [s["extra"]["seconds"] for s in stats]
    changes = [s["changes"] for s in stats]
    return (f"{min(seconds):.0f} to {max(seconds):.0f} seconds for {min(changes):,} to "
            f"{max(changes):,} changes")  # fmt: skip


def page(repos: list[Repo], table: str, curve_table: str, numbers: dict[str, tuple[float, str]],
         verdict: str, ahead: list[str], behind: list[str], used: tuple[str, ...],
         mining: str) -> str:  # fmt: skip
    w, c, la = numbers[WITHIN][0], numbers[CROSS][0], numbers[LA][0]
    return f"""# One's own history: within-project against cross-project (issue 21, part 4)

`nice -n 10 python bench/jit_own_history.py` on the changes `reviewer dataset szz`
mined (docs/data/jit.md), {len(repos)} repositories. Per repository the held-out
changes are the newest {TEST_SHARE:.0%} of its changes that are at least a year older
than its newest commit (the label-maturity rule of the mined data: SZZ needs a
year of later history to find a change's fix), and every column is scored on
those same changes:

- **within-project**: reviewer/jit/fit.py's calibrated logistic regression
  ({len(used)} terms, as the shipped card), fitted on the repository's older
  changes only: what `reviewer train --risk` fits on a user's repository;
- **cross-project**: the same fit on the other {len(repos) - 1} repositories'
  changes (the shipped fit's leave-one-repository-out card for this
  repository): what a user gets from the shipped card;
- **lines added** alone, and chance (AUROC 0.5), as baselines.

Labels come from today's history in every column, as they would for a user
training today: an older change's fix may have landed after the held-out
period began. The cross-project card is fitted on the other repositories'
changes of every date, some newer than this repository's held-out period,
as the shipped card is.

AUROC with a {BOOTSTRAP}-resample 95% interval (changes resampled; pooled:
within each repository); differences are paired on the same resamples.

## Per repository and pooled

{table}

Within-project is ahead of cross-project beyond noise (the paired interval above
0) in {len(ahead)} of {len(repos)} repositories ({", ".join(ahead) or "none"}) and
behind beyond noise in {len(behind)} ({", ".join(behind) or "none"}). Pooled: within
{w:.3f}, cross {c:.3f}, lines added {la:.3f}, chance 0.5.

## Learning curve: within-project AUROC against the history it was fitted on

Each repository's model fitted on only the newest N of its older changes (the
ones just before the held-out period), scored on the same held-out changes;
each row pools the repositories that have at least N older changes, with
cross-project and lines added on the same repositories' changes.

{curve_table}

## What a user should choose

{verdict}

## Extraction on servers

Nothing in this pipeline runs a model: Kamei's 14 metrics come from git alone
(reviewer/history.py), SZZ is git blame, and the fit is a logistic regression
on 14 numbers. Mining a repository took {mining} here (the mined data's
stats files: first-parent changes read, and seconds). The server fan-out the issue asks
for (extraction sent to several OpenAI-compatible servers in parallel,
resumable) therefore does not apply to this model. It would apply to the
model-state features (the frozen model's per-line hidden states over each
change's diff, seconds per change), which were measured to add nothing to the
change risk (issue 21's pilot: 0.488 alone) and are not built into this
pipeline.

{machine_facts()}
"""


def recommendation(curve: dict[str, Difference], pooled_all: Difference, ahead: list[str],
                   behind: list[str], sizes: dict[str, int]) -> str:  # fmt: skip
    """In words, from the learning curve's paired differences (own fit minus
    the cross-project card, on the same changes)."""
    steps = [(int(k[2:]), d) for k, d in curve.items() if k != WITHIN]
    worse = [n for n, d in steps if d[2] < 0]
    ties_from = next((n for n, _ in steps if all(d[2] >= 0 for m, d in steps if m >= n)), None)
    better = [n for n, d in steps if d[1] > 0] + ([0] if pooled_all[1] > 0 else [])
    lines = [
        f"- With all its older changes (median {int(np.median(list(sizes.values())))} per "
        f"repository), a repository's own fit against the shipped kind of card on the same "
        f"newer changes: {_words(pooled_all)} pooled (paired)."
    ]
    if worse:
        lines.append(
            "- Fitted on fewer older changes it is worse beyond noise: at "
            + ", ".join(f"{n} ({_words(d)})" for n, d in steps if n in worse)
            + "."
        )
    if ties_from is not None:
        lines.append(f"- From {ties_from} older changes on it is within noise of the shipped card.")
    lines.append(
        f"- Per repository: ahead beyond noise in {len(ahead)}, behind in {len(behind)}, "
        f"within noise in {len(sizes) - len(ahead) - len(behind)}."
    )
    if better:
        choice = (
            "**Choose your own card** once it is fitted on enough history (above), "
            "and check its measured numbers against the shipped card's."
        )
    else:
        choice = (
            "**Choose the shipped (cross-project) card.** A repository's own history never "
            "beat it beyond noise pooled, at any size measured; below "
            f"{ties_from or 'the largest size measured'} labelled changes it is worse. "
            f"`reviewer train --risk` refuses fewer than {TrainOptions().min_train} older "
            "labelled changes, and prints its card's AUROC on your newest labelled changes "
            "beside the shipped card's on the same changes: switch to your own card "
            '(`[risk] card = "own"`) only when it is ahead there, as it was for the '
            "repositories listed ahead above. Both cards are about as good as lines added alone "
            "on these changes; the risk's gain over lines added is small either way."
        )
    return "\n".join(lines) + "\n\n" + choice


if __name__ == "__main__":
    raise SystemExit(main())

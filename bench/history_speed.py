"""The change's own just-in-time metrics at review time, on a large fetched
repository: the per-repository history cache built cold, the warm cost per
review (the last commits reviewed as --base/--head, and a work-tree
change), the incremental update after new commits, beside the uncached
baseline (`reviewer.history.features_of`, which reads the whole history) in
the same run.

    nice -n 10 python bench/history_speed.py --mirror /work/.mirror/sympy+sympy/repo \\
        --licence BSD-3-Clause

The mirror (a bare git directory, e.g. from the `fetch` tool) is cloned
with --shared (its objects are borrowed, it is never written) into
bench/.work/, with a sparse work tree of one file. Writes
bench/results/history_speed.md. See bench/README.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from _common import WORK_DIR, git
from _report import RESULTS_DIR, machine_facts, markdown_table, millis, seconds, write_result

import reviewer.change_history as change_history_module
from reviewer.change_history import change_history
from reviewer.dataset.heuristics import language_of
from reviewer.diff import ChangeSet
from reviewer.git import ChangeReader, History, open_repo
from reviewer.history import Change, features_of, first_parent_changes
from reviewer.history_store import HistoryStore

TARGET_MS = 200.0
HEADER = ("what", "runs", "median ms", "p95 ms", "faster than uncached")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror/sympy+sympy/repo"))
    parser.add_argument("--licence", default="BSD-3-Clause", help="the repository's licence")
    parser.add_argument("--commits", type=int, default=20, help="last commits reviewed warm")
    parser.add_argument("--repetitions", type=int, default=5, help="warm timings per change")
    parser.add_argument("--baseline", type=int, default=3, help="uncached runs (each reads all)")
    parser.add_argument("--new", type=int, default=10, help="commits for the incremental update")
    parser.add_argument("--work-dir", type=Path, default=WORK_DIR / "history_speed")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "history_speed.md")
    return parser.parse_args(argv)


def timed(call: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = call()
    return time.perf_counter() - start, value


def percentile(times: Sequence[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def prepare(mirror: Path, work: Path, new: int) -> tuple[Path, str, str]:
    """A shared clone at `new` first-parent commits before the mirror's HEAD,
    with one mined source file checked out (sparse). (clone, start, tip)"""
    if work.exists():
        shutil.rmtree(work)
    work.parent.mkdir(parents=True, exist_ok=True)
    git(work.parent, "clone", "--quiet", "--shared", "--no-checkout", str(mirror), work.name)
    tip = git(work, "rev-parse", "HEAD").strip()
    start = git(work, "rev-parse", f"HEAD~{new}").strip()  # ~ follows first parents
    # A file under active work: the first source file of the latest commits.
    files = git(work, "log", "--first-parent", "-50", "--name-only", "--format=", start).split()
    present = set(git(work, "ls-tree", "-r", "--name-only", start).split("\n"))
    target = next(p for p in files if language_of(p) and p.endswith(".py") and p in present)
    git(work, "sparse-checkout", "set", "--no-cone", f"/{target}")
    git(work, "checkout", "--quiet", "--detach", start)
    git(work, "config", "user.email", "bench@example.invalid")
    return work, start, tip


def edit_a_file(clone: Path) -> str:
    """Add a function to the one checked-out file (a work-tree change)."""
    (path,) = [p for p in clone.rglob("*.py") if ".git" not in p.parts]
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n\ndef bench_added(n):\n    if n > 1:\n        return n * 2\n    return n\n")
    return path.relative_to(clone).as_posix()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    history_mirror = History(args.mirror)
    commits = history_mirror.run("rev-list", "--count", "HEAD").strip()
    first_parent = history_mirror.run("rev-list", "--first-parent", "--count", "HEAD").strip()
    clone, start, tip = prepare(args.mirror, args.work_dir / args.mirror.parent.name, args.new)
    reader = ChangeReader(open_repo(clone))
    history = History(clone)
    cache = args.work_dir / "cache" / "history.sqlite3"
    if cache.parent.exists():
        shutil.rmtree(cache.parent)
    last = history.run("rev-list", "--first-parent", f"--max-count={args.commits}", start).split()
    ranges: list[tuple[str, ChangeSet]] = [(sha, reader.between(f"{sha}~1", sha)) for sha in last]

    def review(change_set: ChangeSet) -> dict[str, float] | None:
        return change_history(change_set, cache=cache)

    print(f"bench: cold build on {args.mirror}", file=sys.stderr)
    reading: list[float] = []  # time in git's log (and its parsing) during the cold build
    read = first_parent_changes

    def timed_read(history: History, revisions: str) -> list[Change]:
        elapsed, changes = timed(lambda: read(history, revisions))
        reading.append(elapsed)
        return changes  # type: ignore[return-value]

    setattr(change_history_module, "first_parent_changes", timed_read)  # noqa: B010
    cold, _ = timed(lambda: review(ranges[0][1]))
    setattr(change_history_module, "first_parent_changes", read)  # noqa: B010
    cache_bytes = sum(p.stat().st_size for p in cache.parent.iterdir())
    print(f"bench: cold {cold:.1f} s; uncached baseline x{args.baseline}", file=sys.stderr)
    baseline: list[float] = []
    same: list[bool] = []
    for sha, change_set in ranges[: args.baseline]:
        elapsed, expected = timed(lambda sha=sha: features_of(history, sha))  # type: ignore[misc]
        baseline.append(elapsed)
        same.append(review(change_set) == expected)
    print("bench: warm reviews", file=sys.stderr)
    warm_ranges: list[float] = []
    for _, change_set in ranges:
        warm_ranges += [timed(lambda c=change_set: review(c))[0] for _ in range(args.repetitions)]  # type: ignore[misc]
    path = edit_a_file(clone)
    worktree = reader.working_tree()
    warm_tree = [timed(lambda: review(worktree))[0] for _ in range(args.commits)]
    git(clone, "checkout", "--quiet", "--force", "--detach", tip)  # `new` commits arrive
    edit_a_file(clone)
    moved = reader.working_tree()
    incremental, _ = timed(lambda: review(moved))
    after = [timed(lambda: review(moved))[0] for _ in range(args.commits)]
    with HistoryStore(cache, clone) as store:
        stored = store.tip()
    assert stored is not None and stored[1] == tip, (stored, tip)

    base_median = statistics.median(baseline)
    rows = [
        ["uncached baseline: `features_of(rev)` (reads the whole first-parent history)",
         str(len(baseline)), millis(base_median), "", ""],
        ["cold: the cache built from nothing (first review)", "1", millis(cold), "", ""],
        ["of which reading git's log (whole first-parent history, numstat)", "1",
         millis(sum(reading)), "", ""],
        [f"warm: the last {len(ranges)} commits as --base C~1 --head C",
         str(len(warm_ranges)), millis(statistics.median(warm_ranges)),
         millis(percentile(warm_ranges, 0.95)),
         f"{base_median / statistics.median(warm_ranges):.0f}x"],
        [f"warm: a work-tree change ({path})", str(len(warm_tree)),
         millis(statistics.median(warm_tree)), millis(percentile(warm_tree, 0.95)),
         f"{base_median / statistics.median(warm_tree):.0f}x"],
        [f"incremental: HEAD moved on by {args.new} commits (read and stored)", "1",
         millis(incremental), "", f"{base_median / incremental:.0f}x"],
        ["warm again after the update (work tree)", str(len(after)),
         millis(statistics.median(after)), millis(percentile(after, 0.95)),
         f"{base_median / statistics.median(after):.0f}x"],
    ]  # fmt: skip
    warm_all = warm_ranges + warm_tree + after
    p95 = percentile(warm_all, 0.95) * 1000
    verdict = "met" if p95 <= TARGET_MS else "NOT met"
    text = f"""# The change's history features at review time

**Goal: at most {TARGET_MS:.0f} ms per review with a warm cache: {verdict}** (warm p50
{millis(statistics.median(warm_all))} ms, p95 {p95:.1f} ms over {len(warm_all)} timed reviews;
the uncached baseline takes {seconds(base_median)} s, the cold build {seconds(cold)} s once).

{
        machine_facts(
            {
                "repository": f"{args.mirror} (HEAD {tip[:12]})",
                "licence": args.licence,
                "commits": f"{int(commits):,} ({int(first_parent):,} first-parent changes)",
                "cache file": f"{cache_bytes / 1e6:.1f} MB (SQLite, with its WAL)",
            }
        )
    }

Reproduce (from the repository root, in the venv that has reviewer installed):

```
nice -n 10 python bench/history_speed.py --mirror {args.mirror} --licence {args.licence}
```

## Time for `change_history` (Kamei's 14 metrics of the change under review)

What is timed is `reviewer.change_history.change_history(change_set)` alone:
git's answers it needs (shallow or not, the author, the head commit), the
cache, the metrics; not reading the diff. The uncached baseline computes the
same metrics by `reviewer.history.features_of`, which reads the first-parent
history from the root every time. Same numbers as the baseline:
{sum(same)} of {len(same)} compared commits.

{markdown_table(HEADER, rows)}
"""
    write_result(args.output, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

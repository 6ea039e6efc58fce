"""Mutation testing of the core modules with cosmic-ray: how many
mutants of each module a fast selection of the tests kills
(bench/results/mutation.md).

The committed tree (git archive HEAD) is copied into a work folder and
mutated there, one mutant at a time, so the checkout is never touched. Each
module has its own test selection (SELECTIONS): the tests that exercise it,
run with -x so that a killed mutant costs one failing test.

    pip install -e '.[mutation]'
    nice -n 15 python bench/mutation.py [--modules findings,suppress] [--work DIR]
    python bench/mutation.py --report-only --work DIR   # page from a finished run

A run is resumable: cosmic-ray keeps each module's session (sqlite) in the
work folder and `exec` runs only the mutants still pending.

After tests are added, `--retry` runs a module's survivors again in a fresh
copy of the committed tree: a killed mutant stays killed when tests are only
added, so only the survivors can change. It refuses when the module's own
source changed since its run (the mutants would differ): delete the module's
folder and run it from scratch.
"""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from _common import REPO_ROOT, WORK_DIR, git
from _report import RESULTS_DIR, machine_facts, markdown_table, write_result

# module -> its own unit tests (a fast selection, not the suite: the rest of the
# suite may kill more, so the scores are a floor)
SELECTIONS = {
    "findings": "tests/test_findings.py tests/test_suppress.py",
    "baseline": "tests/test_baseline.py",
    "suppress": "tests/test_suppress.py",
    "filter": "tests/test_filter.py",
    "linediff": "tests/test_linediff.py",
    "scorer/head": "tests/scorer/test_head.py",
    "scorer/metrics": "tests/scorer/test_head.py",
    "scorer/fit": "tests/scorer/test_head.py",
    "pull_request/compose": "tests/test_pr_compose.py tests/test_github.py",
    "formatters/sarif": "tests/formatters/test_formatters.py",
    "formatters/github": "tests/formatters/test_formatters.py",
    "config": "tests/test_config.py",
    "diff": "tests/test_diff.py",
    "engine": "tests/test_engine.py",
}
# module -> the only functions mutated, where the issue names a part of a
# module (the scorer's gate: how its threshold is set and how it is measured)
SCOPES = {
    "scorer/fit": ("flag_threshold", "unit_scores"),
    "scorer/metrics": ("at_threshold",),
}
GOAL = 0.85
# Seconds a selection may run before its mutant counts as killed (a loop that
# never ends): cosmic-ray's 120 unless a module's mutants hang often (the
# summary's binary search) and its selection passes in a tenth of the time.
TIMEOUTS = {"pull_request/compose": 40.0}
# The lines of a module's loops: `--retry` runs a timed-out mutant again unless
# it lies there (a busy machine can push a passing selection past the timeout).
LOOPS = {"pull_request/compose": (72, 74)}
# Plugins no selection uses, off: they cost most of pytest's start, paid once
# per mutant. Each run first checks that its selection passes unmutated.
PYTEST = "-m pytest -x -q -p no:cacheprovider -p no:hypothesispytest -p no:pytest-lsp -p no:asyncio"

# Surviving mutants judged equivalent (no test can tell them apart from the
# original): (module, line, operator) -> why.
_ORDER_ONLY = (
    "equivalent: a Severity is used by its order and its name only (comparisons with "
    "fail_level and min_severity, the label in every output); no output or stored file "
    "holds its number, and 0 < 2 < 3 and 1 < 2 < 4 keep the order"
)
_CACHE = (
    "equivalent: the size or the presence of the cache of a pure function changes its "
    "speed, never its result"
)
_FROZEN = (
    "equivalent: `frozen` only forbids assigning to a field, which no code does (mypy "
    "strict rejects it in the original), and the numpy arrays make the record unhashable "
    "either way; only a test that assigns on purpose could tell"
)
_SOURCE = (
    "equivalent: a finding's source is the literal 'structural' (the default) or 'model' "
    "(the scorer tier), never read from a file: CPython interns both, so `is` agrees with "
    "`==`, and 'model' sorts before 'structural', so the order comparisons agree too"
)
_ONE_RULE = (
    "equivalent: the structural findings of one rule id carry one catalog entry (or none) "
    "and the source 'structural' (test_a_rule_with_several_patterns_has_one_catalog_entry), "
    "so the last of them gives what the first does"
)
_SPAN = (
    "equivalent: no finding ends before its first line (the checks' spans are tree-sitter "
    "nodes', the model tier's are lines), so the comparison agrees with the original"
)
_REPORT_IMPORT = (
    "equivalent: Report is then imported at run time as well as for the type checker; "
    "no import cycle results (tests/test_imports.py), so nothing observable changes"
)
_MODE_IS = (
    "equivalent: pydantic's validation of the Literal gives back the literal's own interned "
    "string, a mode read from a config file included (the engine's tests pass one), so `is` "
    "agrees with `==`"
)
_ANNOTATION = "equivalent: an annotation, never evaluated (`from __future__ import annotations`)"
EQUIVALENT: dict[tuple[str, int, str], str] = {
    ("filter", 27, "core/ReplaceComparisonOperator_Eq_LtE"): (
        "equivalent: the config admits only added, diff_context, file and nofilter, and "
        "of these only `added` sorts at or before 'added'"
    ),
    ("filter", 29, "core/ReplaceComparisonOperator_Eq_LtE"): (
        "equivalent: of the four modes only `added` (handled the line before) and "
        "`diff_context` sort at or before 'diff_context'"
    ),
    ("filter", 84, "core/ReplaceUnaryOperator_USub_Invert"): (
        "equivalent: ~severity is -severity - 1, the same order for the sort"
    ),
    ("findings", 14, "core/NumberReplacer"): _ORDER_ONLY,
    ("findings", 16, "core/NumberReplacer"): _ORDER_ONLY,
    ("findings", 90, "core/NumberReplacer"): _CACHE,
    ("findings", 90, "core/RemoveDecorator"): _CACHE,
    ("findings", 96, "core/NumberReplacer"): _CACHE,
    ("findings", 96, "core/RemoveDecorator"): _CACHE,
    ("pull_request/compose", 20, "core/NumberReplacer"): (
        "equivalent to what is asked of it: the limit is a margin chosen under GitHub's "
        "65,536 characters; one character more or less moves where a summary of thousands "
        "of rows is cut, and a test pinning 60,000 would only restate the constant"
    ),
    ("pull_request/compose", 42, "core/ReplaceComparisonOperator_NotEq_IsNot"): _SOURCE,
    ("pull_request/compose", 42, "core/ReplaceComparisonOperator_NotEq_Lt"): _SOURCE,
    ("pull_request/compose", 58, "core/ReplaceComparisonOperator_Gt_NotEq"): _SPAN,
    ("pull_request/compose", 111, "core/ReplaceComparisonOperator_Lt_NotEq"): (
        "equivalent: `shown` is never above the rows' count (it is the count, or the binary "
        "search's `fits`, below it), so `!=` agrees with `<`"
    ),
    ("formatters/github", 48, "core/ReplaceComparisonOperator_Eq_GtE"): _SPAN,
    ("formatters/github", 52, "core/ReplaceComparisonOperator_NotEq_Lt"): _SOURCE,
    ("engine", 163, "core/ReplaceComparisonOperator_Eq_LtE"): (
        "equivalent: the config admits only added, diff_context, file and nofilter, and "
        "of these only `added` sorts at or before 'added'"
    ),
    ("engine", 165, "core/ReplaceComparisonOperator_Eq_LtE"): (
        "equivalent: of the four modes only `added` (handled the line before) and "
        "`diff_context` sort at or before 'diff_context'"
    ),
    ("engine", 72, "core/ReplaceBinaryOperator_Mul_Div"): (
        "equivalent: `/` in place of `*` lets the options also be passed by position and "
        "the change set and config only so; every caller passes the first two by position "
        "and the options by name, so no call behaves differently"
    ),
    ("engine", 163, "core/ReplaceComparisonOperator_Eq_Is"): _MODE_IS,
    ("engine", 165, "core/ReplaceComparisonOperator_Eq_Is"): _MODE_IS,
    ("formatters/github", 18, "core/AddNot"): _REPORT_IMPORT,
    ("formatters/github", 52, "core/ReplaceComparisonOperator_NotEq_IsNot"): _SOURCE,
    ("formatters/sarif", 16, "core/AddNot"): _REPORT_IMPORT,
    ("formatters/sarif", 63, "core/ReplaceComparisonOperator_NotEq_Gt"): _SOURCE,
    ("formatters/sarif", 63, "core/ReplaceComparisonOperator_NotEq_IsNot"): _SOURCE,
    ("formatters/sarif", 63, "core/ReplaceComparisonOperator_NotEq_GtE"): (
        "equivalent: the model's findings have rule ids of their own (`model/...`), so a rule "
        "id's findings are all the model's or all structural; all the model's taken as "
        "structural have no catalog entry and the source 'model', which gives the same rule"
    ),
    ("formatters/sarif", 64, "core/NumberReplacer"): _ONE_RULE,
    ("formatters/sarif", 66, "core/NumberReplacer"): _ONE_RULE,
    ("formatters/sarif", 67, "core/ReplaceComparisonOperator_Eq_Is"): _SOURCE,
    ("formatters/sarif", 67, "core/ReplaceComparisonOperator_Eq_LtE"): _SOURCE,
    ("formatters/sarif", 73, "core/NumberReplacer"): _ONE_RULE,
    ("scorer/head", 32, "core/ReplaceTrueWithFalse"): _FROZEN,
    ("scorer/head", 51, "core/ReplaceTrueWithFalse"): _FROZEN,
    ("scorer/head", 56, "core/NumberReplacer"): (
        "equivalent in every use: only `fit_head` builds a Head without a calibration, "
        "`calibrate` (training.py) always sets it before the head is saved, and until then "
        "training reads the head's logits, never its probabilities; a loaded head takes "
        "the card's"
    ),
    ("scorer/head", 57, "core/NumberReplacer"): (
        "equivalent in every use: only `fit_head` builds a Head without a threshold, and "
        "`calibrate` (training.py) always sets the gate before the head is saved or scores "
        "anything; a loaded head takes the card's threshold"
    ),
    ("scorer/head", 69, "core/NumberReplacer"): (
        "equivalent: a head's last layer has one output (`fit_head` builds it (h, 1)), so "
        "column -1 is column 0"
    ),
    ("baseline", 15, "core/AddNot"): (
        "equivalent: Config is then imported at run time as well as for the type checker; "
        "no import cycle results (tests/test_imports.py), so nothing observable changes"
    ),
}

# Where one operator makes several mutants on a line and only some are
# equivalent: (module, line, the mutated line) -> why.
_NO_GAP = (
    "equivalent: with no clean unit allowed (`allowed` 0) `ordered[-1]` is the lowest "
    "clean score, never above `kept` (the highest), so the threshold is `kept + 1e-9` as "
    "it is with `above` infinite"
)
_SHARE = (
    "equivalent: every caller passes the share CLEAN_SHARE (0.05), so `allowed`, the floor "
    "of the share times the count, is never negative and never above the count"
)
_SORTED = (
    "equivalent: `ordered` is sorted high to low, so `above` (a score, or infinity) is "
    "never below `kept` nor above infinity, and the two comparisons agree"
)
_LAYER_INDEX = (
    "equivalent: `index` runs over the layers, so it is never above the last one's and "
    "`!=` agrees with `<`; `is not` agrees too, CPython keeping one object per small int"
)
_NO_SUCH_LINE = (
    "equivalent: the lines added to the range (0, or past the end of the file) belong to "
    "no unit, so the units reviewed are the same"
)
EQUIVALENT_LINES: dict[tuple[str, int, str], str] = {
    ("engine", 167, "return frozenset(range( 0, len(parsed.lines) + 1))"): _NO_SUCH_LINE,
    ("engine", 167, "return frozenset(range(1, len(parsed.lines) + 2))"): _NO_SUCH_LINE,
    ("engine", 167, "return frozenset(range(1, len(parsed.lines) << 1))"): _NO_SUCH_LINE,
    ("scorer/head", 67, "if index != len(self.layers) - 1:"): _LAYER_INDEX,
    ("scorer/head", 67, "if index is not len(self.layers) - 1:"): _LAYER_INDEX,
    (
        "scorer/head",
        113,
        'if card.get("format") is not HEAD_FORMAT or card.get("scalar_names") != '
        "list(SCALAR_NAMES):",
    ): (
        "equivalent: a card's format is the int JSON reads back from `save`, and CPython "
        "keeps one object per small int, so `is not` agrees with `!=`"
    ),
    ("scorer/fit", 207, "if allowed == len(ordered):"): _SHARE,
    ("scorer/fit", 209, 'above = float(ordered[allowed - 1]) if allowed != 0 else float("inf")'): (
        _SHARE
    ),
    (
        "scorer/fit",
        211,
        'return (kept + above) / 2 if above < float("inf") and above != kept else kept + 1e-9',
    ): _SORTED,
    (
        "scorer/fit",
        211,
        'return (kept + above) / 2 if above != float("inf") and above > kept else kept + 1e-9',
    ): _SORTED,
    ("scorer/fit", 209, 'above = float(ordered[allowed - 1]) if allowed > -1 else float("inf")'): (
        _NO_GAP
    ),
    ("scorer/fit", 209, 'above = float(ordered[allowed - 1]) if allowed >= 0 else float("inf")'): (
        _NO_GAP
    ),
}


def equivalent(module: str, line: int, operator: str, diff: str) -> str | None:
    """Why a surviving mutant is equivalent, or None when a test should kill it.
    Besides the table: `X | None` in a signature or a variable's annotation
    turned into another operator is an annotation, which these modules never
    evaluate."""
    if (module, line, operator) in EQUIVALENT:
        return EQUIVALENT[(module, line, operator)]
    removed = [d[1:].lstrip() for d in diff.splitlines() if d.startswith("-")]
    added = [d[1:].strip() for d in diff.splitlines() if d.startswith("+")]
    if added[:1] and (module, line, added[0]) in EQUIVALENT_LINES:
        return EQUIVALENT_LINES[(module, line, added[0])]
    if (
        operator.startswith("core/ReplaceBinaryOperator_BitOr_")
        and removed[:1]
        and (removed[0].startswith("def ") or re.match(r"\w+: [^=]+ = ", removed[0]))
    ):
        return _ANNOTATION
    return None


def folder(work: Path, module: str) -> Path:
    """A module's own folder: its copy of the tree, config and session."""
    return work / module.replace("/", ".")


def test_command(work: Path, module: str) -> str:
    source = folder(work, module) / "src"
    return f"env PYTHONPATH={source}:{source}/lsp {sys.executable} {PYTEST} {SELECTIONS[module]}"


def config(work: Path, module: str) -> str:
    command = test_command(work, module)
    return f"""[cosmic-ray]
module-path = "reviewer/{module}.py"
timeout = {TIMEOUTS.get(module, 120.0)}
excluded-modules = []
test-command = "{command}"

[cosmic-ray.distributor]
name = "local"
"""


def prepare(work: Path, module: str) -> None:
    """Each module gets its own copy of the committed tree, made when its run
    starts: a module measured again after new tests (delete its folder) runs
    them, while another module's run goes on undisturbed in its own copy."""
    source = folder(work, module) / "src"
    if not source.is_dir():
        source.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", "HEAD"], cwd=REPO_ROOT, check=True, capture_output=True
        )
        subprocess.run(["tar", "-x", "-C", str(source)], input=archive.stdout, check=True)
        commit = git(REPO_ROOT, "rev-parse", "--short", "HEAD")
        (folder(work, module) / "commit").write_text(commit, encoding="utf-8")
    (folder(work, module) / "config.toml").write_text(config(work, module), encoding="utf-8")


def retry(work: Path, module: str) -> None:
    """Forget the results of the survivors not explained as equivalent (and
    of the timeouts outside loops) and refresh the tree (new tests) so that
    `run` tests them again."""
    here = folder(work, module)
    path = f"reviewer/{module}.py"
    if (here / "src" / path).read_bytes() != (REPO_ROOT / path).read_bytes() or git(
        REPO_ROOT, "status", "--porcelain", "--", path, "tests"
    ):
        sys.exit(f"{path} or the tests differ from the measured tree: run it from scratch")
    shutil.rmtree(here / "src")
    prepare(work, module)
    first, last = LOOPS.get(module, (0, 0))
    with sqlite3.connect(here / "session.sqlite") as db:
        # The survivors not explained as equivalent (an equivalent one cannot die).
        survivors = db.execute(
            "SELECT r.job_id, s.start_pos_row, s.operator_name, r.diff FROM work_results r"
            " JOIN mutation_specs s USING (job_id) WHERE r.test_outcome = 'SURVIVED'"
        ).fetchall()
        again = [
            (job,)
            for job, line, operator, diff in survivors
            if not equivalent(module, line, operator, _changed(diff or ""))
        ]
        db.executemany("DELETE FROM work_results WHERE job_id = ?", again)
        db.execute(
            "DELETE FROM work_results WHERE output = 'timeout' AND job_id IN (SELECT job_id"
            " FROM mutation_specs WHERE start_pos_row NOT BETWEEN ? AND ?)",
            (first, last),
        )


def run(work: Path, module: str) -> None:
    tool = str(Path(sys.executable).with_name("cosmic-ray"))
    here = folder(work, module)
    session = here / "session.sqlite"
    toml = here / "config.toml"
    if not session.exists():
        # A selection that fails unmutated would count every mutant as killed.
        subprocess.run(shlex.split(test_command(work, module)), cwd=here / "src", check=True)
        subprocess.run([tool, "init", str(toml), str(session)], cwd=here / "src", check=True)
        if module in SCOPES:
            keep = ",".join("?" * len(SCOPES[module]))
            with sqlite3.connect(session) as db:
                outside = (
                    "SELECT job_id FROM mutation_specs"
                    f" WHERE definition_name IS NULL OR definition_name NOT IN ({keep})"
                )
                jobs = [row[0] for row in db.execute(outside, SCOPES[module])]
                db.executemany("DELETE FROM mutation_specs WHERE job_id = ?", [(j,) for j in jobs])
                db.executemany("DELETE FROM work_items WHERE job_id = ?", [(j,) for j in jobs])
    subprocess.run([tool, "exec", str(toml), str(session)], cwd=here / "src", check=True)


def _changed(diff: str) -> str:
    """A mutant's diff without its headers and context: the lines it changes."""
    return "\n".join(
        line
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    )


@dataclass
class Tally:
    module: str
    commit: str = ""  # the commit whose tree was mutated
    total: int = 0
    killed: int = 0
    incompetent: int = 0
    timeouts: int = 0  # killed by the timeout
    survivors: list[tuple[int, str, str]] | None = None  # line, operator, diff

    @property
    def done(self) -> int:
        return self.killed + self.incompetent + len(self.survivors or [])


def tally(work: Path, module: str) -> Tally:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome

    commit = (folder(work, module) / "commit").read_text(encoding="utf-8").strip()
    result = Tally(module, commit, survivors=[])
    with use_db(str(folder(work, module) / "session.sqlite"), WorkDB.Mode.open) as db:
        result.total = db.num_work_items
        for item, outcome in db.completed_work_items:
            spec = item.mutations[0]
            if outcome.test_outcome == TestOutcome.SURVIVED:
                diff = _changed(outcome.diff or "")
                assert result.survivors is not None
                result.survivors.append((spec.start_pos[0], spec.operator_name, diff))
            elif outcome.test_outcome == TestOutcome.INCOMPETENT:
                result.incompetent += 1
            else:
                result.killed += 1
                result.timeouts += outcome.output == "timeout"
    assert result.survivors is not None
    result.survivors.sort()
    return result


def page(tallies: list[Tally], missing: dict[str, str]) -> str:
    rows = []
    for t in tallies:
        survived = len(t.survivors or [])
        equivalents = sum(
            1 for line, op, diff in t.survivors or [] if equivalent(t.module, line, op, diff)
        )
        killed = t.killed + t.incompetent
        score = killed / t.done if t.done else 0.0
        # Equivalent mutants cannot be killed: the score over the others.
        adjusted = killed / (t.done - equivalents) if t.done - equivalents else 0.0
        if score >= GOAL:
            verdict = "met"
        elif adjusted >= GOAL:
            verdict = "**not met** counting every mutant; met without the equivalent ones"
        else:
            verdict = "**not met**"
        if t.done < t.total:
            verdict = f"**not reached** ({t.total - t.done} mutants not run)"
        scope = ", ".join(f"`{name}`" for name in SCOPES.get(t.module, ()))
        rows.append(
            [
                f"`reviewer/{t.module}.py`" + (f" ({scope} only)" if scope else ""),
                str(t.total),
                str(t.done),
                f"{killed} ({t.incompetent} incompetent, {t.timeouts} by the timeout)",
                str(survived),
                str(equivalents),
                f"{100 * score:.1f}%",
                f"{100 * adjusted:.1f}%",
                verdict,
            ]
        )
    header = [
        "module",
        "mutants",
        "run",
        "killed",
        "survived",
        "of them equivalent",
        "score (killed / run)",
        "score without equivalent",
        f"goal >= {100 * GOAL:.0f}%",
    ]
    parts = [
        "# Mutation testing of the core modules (cosmic-ray)",
        "",
        machine_facts({"cosmic-ray": _version()}),
        "",
        "Each module is mutated alone in a copy of the committed tree, one mutant at "
        "a time, and its test selection (below) runs with `-x`. Killed: a test failed "
        "(incompetent: the mutant did not even import, counted as killed, as cosmic-ray "
        "does; by the timeout: the selection ran past "
        f"{', '.join(f'{v:.0f} s for {k}' for k, v in TIMEOUTS.items())}, else 120 s, "
        "as a mutant that loops forever does). Survived: every selected test passed. "
        "After tests were added, a module's unexplained survivors (and its timeouts outside "
        "loops) "
        "ran again on the newer tree (`--retry`; the commit is the one shown beside its "
        "selection): tests were only added or made stricter, so a killed mutant stays killed. "
        "The plugins no selection uses "
        f"are off (`python {PYTEST} SELECTION`).",
        "",
        markdown_table(header, rows),
        "",
        "Test selections:",
        "",
        *[f"- `{t.module}`: `{SELECTIONS[t.module]}` (tree at {t.commit})" for t in tallies],
    ]
    if missing:
        parts += ["", "Not measured:", ""]
        parts += [f"- {m}: {why}" for m, why in missing.items()]
    for t in tallies:
        if not t.survivors:
            continue
        parts += ["", f"## Surviving mutants of `reviewer/{t.module}.py`", ""]
        for line, op, diff in t.survivors:
            why = equivalent(t.module, line, op, diff) or "**not explained: a test to add**"
            parts += [f"- line {line}, `{op}`: {why}", "", "  ```diff"]
            parts += [f"  {d}" for d in diff.splitlines()] + ["  ```", ""]
    parts += ["", "Reproduce: `nice -n 15 python bench/mutation.py` (resumable)."]
    return "\n".join(parts)


def _version() -> str:
    from importlib.metadata import version

    return version("cosmic-ray")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", default=",".join(SELECTIONS))
    parser.add_argument("--work", type=Path, default=WORK_DIR / "mutation")
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument(
        "--retry", action="store_true", help="run the survivors again with the committed tests"
    )
    parser.add_argument(
        "--not-measured",
        action="append",
        default=[],
        metavar="WHAT=WHY",
        help="a module left out of the page's table, and why",
    )
    args = parser.parse_args()
    modules = [m for m in args.modules.split(",") if m]
    if not args.report_only:
        for module in modules:
            if args.retry:
                retry(args.work, module)
            prepare(args.work, module)
            run(args.work, module)
    tallies = [
        tally(args.work, m) for m in modules if (folder(args.work, m) / "session.sqlite").exists()
    ]
    missing = dict(item.split("=", 1) for item in args.not_measured)
    write_result(RESULTS_DIR / "mutation.md", page(tallies, missing))
    return 0


if __name__ == "__main__":
    sys.exit(main())

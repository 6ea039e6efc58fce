"""Robustness at volume: generated repositories through `reviewer diff`,
random edit sessions through the language server, a flaky GitHub, damaged
caches and configs. Writes bench/results/robustness.md: per category the
cases tried, crashes, wrong outputs, duplicates and data lost.

The properties and generators are the ones the bounded tests in tests/fuzz
use; this script runs the full counts (a script, never a timed test):

    python bench/fuzz.py                      # 10,000 changes, 1,000 sessions
    python bench/fuzz.py --changes 500 --lsp 50 --github 20   # a quick look

--minutes stops each category at its share of the budget; the table then
says how many cases really ran."""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.fuzz, reviewer
sys.path.insert(1, str(Path(__file__).resolve().parent.parent / "lsp"))

from _report import RESULTS_DIR, machine_facts, markdown_table, write_result

from tests.fuzz.cases import build, generate, git
from tests.fuzz.properties import check_case, run_cli

WRONG = (
    "misplaced", "missed", "units", "json", "sarif", "exit-code", "nondeterministic",
    "lsp-mismatch",
)  # fmt: skip


@dataclass
class Tally:
    name: str
    what: str  # what one case is
    cases: int = 0
    units: int = 0  # e.g. file changes inside the cases
    crashes: int = 0
    wrong: int = 0
    duplicates: int = 0
    lost: int = 0
    seconds: float = 0.0
    examples: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if len(self.examples) < 5:
            self.examples.append(text)


def _isolate(home: Path) -> None:
    """No run touches the user's HOME, caches or git config."""
    for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        os.environ[var] = str(home / var.lower())
    os.environ["HOME"] = str(home)
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
    os.environ["GIT_CONFIG_GLOBAL"] = os.devnull
    os.environ["REVIEWER_MODEL_ENABLED"] = "off"
    os.environ.pop("REVIEWER_MODEL", None)


# -- categories --------------------------------------------------------------------


def fuzz_changes(target: int, seed: int, deadline: float, big_every: int, work: Path) -> Tally:
    tally = Tally("generated changes, `reviewer diff`", "repositories")
    started = time.monotonic()
    index = 0
    while tally.units < target and time.monotonic() < deadline:
        case_seed = seed + index
        case = generate(random.Random(case_seed), big=big_every > 0 and index % big_every == 0)
        index += 1
        root = work / f"case{case_seed}"
        build(case, root)
        problems = check_case(case, root, formats=(("text", "github", "rdjson")[index % 3],))
        shutil.rmtree(root, ignore_errors=True)
        tally.cases += 1
        tally.units += case.changed_paths()
        for problem in problems:
            if problem.category == "crash":
                tally.crashes += 1
            else:
                tally.wrong += 1
            tally.note(f"seed {case_seed}: {problem.category}: {problem.detail[:160]}")
    tally.seconds = time.monotonic() - started
    return tally


def fuzz_lsp(target: int, seed: int, deadline: float, work: Path) -> Tally:
    from tests.fuzz.lsp_sequences import Session

    tally = Tally("language server edit sessions", "sequences")
    started = time.monotonic()
    session = Session.start(work / "lsp")
    deaths = 0
    try:
        for index in range(target):
            if time.monotonic() >= deadline:
                break
            problems = session.sequence(random.Random(seed + index))
            tally.cases += 1
            for problem in problems:
                if problem.category in ("lsp-death", "crash"):
                    tally.crashes += 1
                else:
                    tally.wrong += 1
                tally.note(f"seed {seed + index}: {problem.category}: {problem.detail[:160]}")
            if index % 50 == 49 and not session.alive():
                deaths += 1
                tally.crashes += 1
                tally.note(f"the server died by sequence {index}")
                session = Session.start(work / f"lsp{index}")
        if not session.alive():
            tally.crashes += 1
            tally.note("the server was dead at the end")
    finally:
        session.close()
    tally.seconds = time.monotonic() - started
    return tally


def fuzz_github(target: int, seed: int, deadline: float, work: Path) -> Tally:
    """Random faults on a pull request's requests; then a healthy re-run.
    Duplicates: a finding commented twice, or two reviews; lost: a finding
    in neither the review nor the job summary after a failed run."""
    from reviewer.pull_request import api
    from reviewer.pull_request.markers import fingerprints
    from tests.github_fake import WRITE_TOKEN, FakeGitHub, serve

    api.SLEEP = lambda _seconds: None  # waits are the client's business, not the bench's
    api.TIMEOUT_SECONDS = 0.3
    tally = Tally("flaky GitHub, `reviewer github`", "pull-request runs (each then re-run)")
    started = time.monotonic()
    head_text = "def price(t, r):\n    if r is 1.0:\n        return t\n    return t == None\n"
    for index in range(target):
        if time.monotonic() >= deadline:
            break
        r = random.Random(seed + index)
        root = work / f"pr{index}"
        root.mkdir(parents=True)
        git(root, "init", "-q", "-b", "main")
        (root / "shop.py").write_text("def price(t, r):\n    return t * r\n")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "base")
        base = git(root, "rev-parse", "HEAD").strip()
        git(root, "checkout", "-q", "-b", "topic")
        (root / "shop.py").write_text(head_text)
        git(root, "commit", "-q", "-am", "head")
        head = git(root, "rev-parse", "HEAD").strip()
        patch = git(root, "diff", f"{base}...{head}", "--", "shop.py")
        files = [{"filename": "shop.py", "status": "modified", "patch": patch[patch.index("@@") :]}]
        fake = FakeGitHub("o/r", 7, head, files, page_size=r.choice((1, 2, 100)))
        fake.faults = [_random_fault(r) for _ in range(r.randrange(1, 6))]
        if r.random() < 0.1:
            fake.loop_pages = {"comments"}
        server, _ = serve(fake)
        event = root.parent / f"event{index}.json"
        summary = root.parent / f"summary{index}.md"
        pull = {
            "number": 7,
            "head": {"sha": head, "repo": {"full_name": "o/r"}},
            "base": {"sha": base, "repo": {"full_name": "o/r"}},
            "url": "https://api.github.com/repos/o/r/pulls/7",
        }
        event.write_text(json.dumps({"number": 7, "pull_request": pull}))
        os.environ.update(
            GITHUB_API_URL=fake.url,
            GITHUB_REPOSITORY="o/r",
            GITHUB_EVENT_NAME="pull_request",
            GITHUB_EVENT_PATH=str(event),
            GITHUB_TOKEN=WRITE_TOKEN,
            GITHUB_STEP_SUMMARY=str(summary),
        )
        try:
            for attempt in ("faulty", "healthy"):
                run = run_cli("github", "--no-model", "-C", str(root))
                if not hasattr(run, "code"):
                    tally.crashes += 1
                    tally.note(f"seed {seed + index} {attempt}: {run}")
                    break
                code = run.code  # type: ignore[union-attr]
                if code not in (1, 2) or "Traceback" in run.err:  # type: ignore[union-attr]
                    tally.wrong += 1
                    tally.note(f"seed {seed + index} {attempt}: exit {code}")
                marked = [fp for c in fake.comments for fp in fingerprints(c.get("body", ""))]
                if len(fake.reviews) > 1 or len(marked) != len(set(marked)):
                    tally.duplicates += 1
                    tally.note(f"seed {seed + index} {attempt}: {len(fake.reviews)} reviews")
                    break
                if code == 2:
                    kept = summary.read_text() if summary.exists() else ""
                    if not all(f"`shop.py:{n}`" in kept for n in (2, 4)):
                        tally.lost += 1
                        tally.note(f"seed {seed + index}: a finding in neither review nor summary")
                elif len(fake.comments) != 2:
                    tally.lost += 1
                    tally.note(f"seed {seed + index}: {len(fake.comments)} comments, 2 expected")
                fake.faults = []
                fake.loop_pages = set()
        finally:
            server.shutdown()
            shutil.rmtree(root, ignore_errors=True)
        tally.cases += 1
    tally.seconds = time.monotonic() - started
    return tally


def _random_fault(r: random.Random) -> Any:
    from tests.github_fake import Fault, rate_limited

    kind = r.randrange(7)
    if kind == 0:
        method = r.choice(("GET", "POST"))
        return Fault(method, "reviews", "status", r.choice((500, 502, 503)))
    if kind == 1:
        endpoint = r.choice(("files", "comments", "reviews"))
        return Fault("GET", endpoint, r.choice(("truncated", "cut", "lost")))
    if kind == 2:
        return Fault("POST", "reviews", r.choice(("lost", "cut", "truncated")), after=True)
    if kind == 3:
        return Fault("POST", "reviews", "status", 502, after=True)
    if kind == 4:
        return Fault("POST", "reviews", "slow", after=True, delay=0.6)
    if kind == 5:
        wait = str(r.randrange(0, 3))
        return rate_limited(r.choice(("GET", "POST")), "reviews", r.choice((429, 403)), wait)
    return rate_limited("GET", "comments", 429, "3600")  # longer than the cap: fail


def fuzz_caches(target: int, seed: int, work: Path) -> Tally:
    """Damaged answer-cache files: never an answer from a damaged file,
    never an exception."""
    from reviewer.model.cache import AnswerCache, CachedAnswer

    tally = Tally("damaged answer cache", "damaged files")
    started = time.monotonic()
    r = random.Random(seed)
    cache = AnswerCache(work / "answers")
    for index in range(target):
        key = f"{index:064x}"
        answer = CachedAnswer(f'{{"line": {index}, "message": "{r.random()}"}}')
        cache.put(key, answer)
        path = work / "answers" / key[:2] / f"{key}.json"
        data = bytearray(path.read_bytes())
        how = r.choice(("flip", "cut", "append", "empty"))
        if how == "flip" and data:
            data[r.randrange(len(data))] ^= 1 << r.randrange(8)
        elif how == "cut":
            data = data[: r.randrange(len(data))]
        elif how == "append":
            data += r.randbytes(r.randrange(1, 16))
        else:
            data = bytearray()
        path.write_bytes(bytes(data))
        try:
            got = cache.get(key)
        except Exception as error:
            tally.crashes += 1
            tally.note(f"{type(error).__name__}: {error}")
            continue
        tally.cases += 1
        if got is not None and got != answer:
            tally.wrong += 1
            tally.note(f"answer {index}: a damaged file was used")
    tally.seconds = time.monotonic() - started
    return tally


def fuzz_config(work: Path) -> Tally:
    """Every key of the config with wrong values, unknown keys, bad TOML:
    one line naming the key and the file, exit 2, never a traceback."""
    from reviewer.config import Config, ModelConfig

    tally = Tally("config files, `reviewer diff`", "config files")
    started = time.monotonic()
    root = work / "config"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "m.py").write_text("x = 1\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    (root / "m.py").write_text("x = 2\n")
    values = ["{ wrong = 1 }", "[1, 2]", '"text"', "-5", "true", "1e999", "[[1]]"]
    texts = [(f"{key} = {value}\n", key) for key in Config.model_fields for value in values] + [
        (f"[model]\n{key} = {value}\n", key) for key in ModelConfig.model_fields for value in values
    ]
    texts += [("nope = 1\n", "nope"), ("[model]\nnope = 1\n", "nope"), ("[model\n", "TOML")]
    for text, needle in texts:
        (root / ".reviewer.toml").write_text(text)
        run = run_cli("diff", "-C", str(root), "--no-model")
        tally.cases += 1
        if not hasattr(run, "code"):
            tally.crashes += 1
            tally.note(f"{text.strip()}: {run}")
            continue
        err = run.err  # type: ignore[union-attr]
        if run.code == 2 and (err.count("\n") != 1 or needle not in err):  # type: ignore[union-attr]
            tally.wrong += 1
            tally.note(f"{text.strip()!r}: {err.strip()[:120]}")
        elif run.code not in (0, 1, 2):  # type: ignore[union-attr]
            tally.wrong += 1
    tally.seconds = time.monotonic() - started
    return tally


# -- the page --------------------------------------------------------------------------


def page(tallies: list[Tally], args: argparse.Namespace) -> str:
    rows = [
        [
            t.name,
            f"{t.cases:,} {t.what}" + (f" ({t.units:,} file changes)" if t.units else ""),
            str(t.crashes),
            str(t.wrong),
            str(t.duplicates),
            str(t.lost),
            f"{t.seconds:.0f}",
        ]
        for t in tallies
    ]
    header = ["category", "cases tried", "crashes", "wrong outputs", "duplicates", "data lost", "s"]
    notes = [f"- {t.name}: " + "; ".join(t.examples) for t in tallies if t.examples] or [
        "- none: every case kept every property"
    ]
    targets = (
        f"targets: {args.changes:,} generated file changes, {args.lsp:,} LSP sessions, "
        f"{args.github:,} GitHub runs; budget {args.minutes:g} min"
    )
    return "\n".join(
        [
            "# Robustness: fuzzing, fault injection, damaged files",
            "",
            "Written by `python bench/fuzz.py` (" + " ".join(sys.argv[1:]) + "). "
            "The properties are those of tests/fuzz (which run them with bounded "
            "example counts in CI):",
            "",
            "- generated changes: real git repositories from generated trees (the check "
            "tables' examples spoiled with random bytes, invalid UTF-8, NUL, CR/CRLF/mixed "
            "endings, no final newline, long lines up to 1 MB, deep nesting, BOMs, binary "
            "files; edits, deletions, renames, mode changes, symlinks; every supported "
            "language plus unknown extensions), reviewed as work tree, staged and "
            "commit range: exit 0/1 as the report says, never a traceback, JSON round-trips, "
            "the same report twice, SARIF valid against the official schema, every non-blank "
            "changed line of a supported file in exactly one review unit, every finding on "
            "a line git calls added.",
            "- LSP sessions: one server, random incremental edits (UTF-16 positions, "
            "surrogate pairs, CRLF and lone CR, ranges past line and text ends, empty and "
            "several changes per notification, whole-document changes); after each session "
            "the published diagnostics must equal a fresh `reviewer diff` of the buffer.",
            "- GitHub: 1-5 random faults per run (5xx, 429 and secondary limits with "
            "Retry-After, answers cut short or lost, a review created but its answer lost, "
            "slow answers, pagination loops), then a healthy re-run: a duplicate is a second "
            "review or a finding commented twice; data lost is a finding neither posted nor "
            "in the job summary.",
            "",
            targets,
            "",
            markdown_table(header, rows),
            "",
            "Examples of problems (first five per category):",
            "",
            *notes,
            "",
            "## Environment",
            "",
            machine_facts(),
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=10_000, help="generated file changes")
    parser.add_argument("--lsp", type=int, default=1_000, help="LSP edit sessions")
    parser.add_argument("--github", type=int, default=200, help="pull-request runs with faults")
    parser.add_argument("--caches", type=int, default=1_000, help="damaged cache files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--big-every", type=int, default=25, help="1 MB lines every Nth case")
    parser.add_argument("--minutes", type=float, default=60.0, help="time budget, all categories")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "robustness.md")
    args = parser.parse_args()
    start = time.monotonic()
    budget = args.minutes * 60
    with tempfile.TemporaryDirectory(prefix="reviewer-fuzz-") as scratch:
        work = Path(scratch)
        _isolate(work / "home")
        tallies = [fuzz_config(work), fuzz_caches(args.caches, args.seed, work)]
        tallies.append(fuzz_lsp(args.lsp, args.seed, start + budget * 0.25, work))
        tallies.append(fuzz_github(args.github, args.seed, start + budget * 0.4, work))
        tallies.append(fuzz_changes(args.changes, args.seed, start + budget, args.big_every, work))
    write_result(args.out, page(tallies, args))
    failed = any(t.crashes or t.wrong or t.duplicates or t.lost for t in tallies)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

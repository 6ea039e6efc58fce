"""Editor latency of `reviewer lsp`, side by side with `ruff server`.

    python bench/lsp_latency.py --ruff /tmp/benchtools/bin/ruff [--model]

1. Latency: a 2,000-line Python file, committed in a scratch repository, is
   opened in both servers; 200 scripted edits (insert a line holding a
   defect into a function, then delete it again, at spread-out places) go to
   both, alternating which server gets each edit first. Measured per edit:
   didChange sent -> publishDiagnostics for that version received. ruff runs
   the pinned bug-finding rule set (`_common.RUFF_RULES`).
2. Storm: 1,000 edits in 10 s to `reviewer lsp` without waiting; then one
   request's response time, whether the final diagnostics equal a fresh
   in-process review of the final text, and resident memory at edit 100 and
   edit 1,000.
3. With --model: time from the last edit to the model's diagnostics (default
   model and shipped head, its gate at 0 so every new function is flagged;
   2 cores), over a few edits that each add a new function: the publish of
   the flagged line (scored), and the one after the model's run (explained).

Writes bench/results/lsp_latency.md.
"""

from __future__ import annotations

import argparse
import os
import queue
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _common import RUFF_RULES, WORK_DIR, find_tool, git, report_missing, tool_version
from _lsp_client import LspProcess
from _lsp_scenarios import (
    FUNCTIONS,
    Scenario,
    full_sync,
    head_text,
    incremental,
    insert_delete,
    large_change,
    spreading,
)
from _report import RESULTS_DIR, machine_facts, markdown_table, write_result

EDITS = 200
SCENARIO_EDITS = 100
STORM_EDITS = 1000
STORM_SECONDS = 10.0
MODEL_SAMPLES = 5
TARGET_P95_MS = 15.0


def make_repository() -> tuple[Path, Path, str]:
    root = WORK_DIR / "lsp_latency"
    if root.exists():
        import shutil

        shutil.rmtree(root)
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    text = head_text()
    file = root / "big.py"
    file.write_text(text)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "start")
    return root, file, text


def edit_script(count: int) -> list[tuple[tuple[int, int], tuple[int, int], str]]:
    """The incremental scenario's edits as (start, end, text)."""
    edits = []
    for (change,) in insert_delete(count):
        span = change["range"]
        start = (span["start"]["line"], span["start"]["character"])
        end = (span["end"]["line"], span["end"]["character"])
        edits.append((start, end, change["text"]))
    return edits


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def start_reviewer(
    root: Path, env: dict[str, str] | None = None, options: Any = None
) -> LspProcess:
    server = LspProcess([sys.executable, "-m", "reviewer", "lsp"], root, env)
    server.initialize(root, options)
    return server


def start_ruff(ruff: str, root: Path) -> LspProcess:
    server = LspProcess([ruff, "server"], root)
    server.initialize(root, {"settings": {"lint": {"select": RUFF_RULES.split(",")}}})
    return server


def latency(ruff: str | None, root: Path, file: Path, scenario: Scenario) -> dict[str, list[float]]:
    """Both servers open the scenario's text and get its edits, alternating
    which goes first; per edit, didChange sent -> publishDiagnostics of it."""
    servers = {
        "reviewer lsp": start_reviewer(root, {**os.environ, "REVIEWER_MODEL_ENABLED": "off"})
    }
    if ruff:
        servers["ruff server"] = start_ruff(ruff, root)
    for server in servers.values():
        server.open(file, scenario.opened)
        server.diagnostics_after(file, 1)
    times: dict[str, list[float]] = {name: [] for name in servers}
    names = list(servers)
    for number, changes in enumerate(scenario.edits, start=2):
        order = names if number % 2 else names[::-1]
        for name in order:
            server = servers[name]
            sent = server.change_content(file, number, changes)
            published = server.diagnostics_after(file, number)
            times[name].append((published["_received"] - sent) * 1000)
    for server in servers.values():
        server.close()
    return times


def storm(root: Path, file: Path, text: str) -> dict[str, Any]:
    server = start_reviewer(root, {**os.environ, "REVIEWER_MODEL_ENABLED": "off"})
    server.open(file, text)
    server.diagnostics_after(file, 1)
    edits = edit_script(STORM_EDITS)
    gap = STORM_SECONDS / STORM_EDITS
    rss: dict[int, int] = {}
    started = time.perf_counter()
    current = text
    for number, (start, end, new) in enumerate(edits, start=2):
        server.change(file, number, start, end, new)
        current = apply(current, start, end, new)
        if number - 1 in (100, STORM_EDITS):
            rss[number - 1] = server.rss_kib()
        time.sleep(max(0.0, started + (number - 1) * gap - time.perf_counter()))
    sent_all = time.perf_counter() - started
    asked = time.perf_counter()
    server.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": file.as_uri()},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": []},
        },
    )
    answered_ms = (time.perf_counter() - asked) * 1000
    final_version = STORM_EDITS + 1
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the publish may have come before the answer
        latest = server.latest.get(file.as_uri())
        if latest is not None and latest["params"].get("version") == final_version:
            break
        time.sleep(0.05)
    final = server.latest[file.as_uri()]
    time.sleep(1.0)
    rss_after = server.rss_kib()
    server.close()
    got = sorted(
        (d["range"]["start"]["line"] + 1, d["code"]) for d in final["params"]["diagnostics"]
    )
    expected = fresh_review(root, text, current)
    return {
        "sent_seconds": sent_all,
        "answered_ms": answered_ms,
        "final_matches": got == expected,
        "final_count": len(got),
        "rss": rss,
        "rss_after": rss_after,
    }


def apply(text: str, start: tuple[int, int], end: tuple[int, int], new: str) -> str:
    lines = text.split("\n")
    offset = lambda row, col: sum(len(line) + 1 for line in lines[:row]) + col  # noqa: E731
    return text[: offset(*start)] + new + text[offset(*end) :]


def fresh_review(root: Path, head: str, current: str) -> list[tuple[int, str]]:
    from reviewer.config import Config
    from reviewer.diff import ChangeSet, ChangeStatus, FileChange, hunks_between
    from reviewer.engine import review

    change = FileChange(
        "big.py", ChangeStatus.MODIFIED, current, hunks_between(head, current), old_text=head
    )
    report = review(ChangeSet(root, "fresh", (change,)), Config())
    return sorted((f.line, f.rule_id) for f in report.findings)


def model_latency(root: Path, file: Path, text: str) -> tuple[list[float], list[float], int]:
    """Seconds from each edit to the publish of its flagged line, and to the
    publish after the model's run (the line with its sentence, or with the
    scorer's placeholder when the explanation was not valid)."""
    env = {**os.environ, "REVIEWER_MODEL_ENABLED": "on"}
    server = start_reviewer(root, env, {"model": {"threshold": 0.0}})
    server.open(file, text)
    server.diagnostics_after(file, 1)
    flagged: list[float] = []
    explained: list[float] = []
    misses = 0
    rows = text.count("\n")
    for number in range(2, 2 + MODEL_SAMPLES):
        new = f"def added_{number}(values):\n    return values[len(values)]\n\n\n"
        sent = server.change(file, number, (rows, 0), (rows, 0), new)
        added = (rows, rows + 1)  # the new function's two lines (0-based)
        rows += new.count("\n")

        def has_flag(
            message: dict[str, Any], version: int = number, lines: tuple[int, int] = added
        ) -> bool:
            """A publish for `version` holding the new function's model diagnostic."""
            if message.get("method") != "textDocument/publishDiagnostics":
                return False
            params = message["params"]
            return params.get("version") == version and any(
                str(d.get("code", "")).startswith("model/") and d["range"]["start"]["line"] in lines
                for d in params["diagnostics"]
            )

        def run_ended(message: dict[str, Any], version: int = number) -> bool:
            """The model run for `version` reported done (its last publish follows)."""
            params = message.get("params") or {}
            return (
                message.get("method") == "$/progress"
                and params.get("token") == f"reviewer-model-{file.as_uri()}-{version}"
                and (params.get("value") or {}).get("kind") == "end"
            )

        try:
            flagged.append(server.wait(has_flag, timeout=180)["_received"] - sent)
            server.wait(run_ended, timeout=180)
            explained.append(server.wait(has_flag, timeout=60)["_received"] - sent)
        except (TimeoutError, queue.Empty):
            misses += 1
    server.close()
    return flagged, explained, misses


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ruff", help="ruff executable (ruff server is the peer)")
    parser.add_argument("--model", action="store_true", help="also time the model's diagnostics")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "lsp_latency.md")
    args = parser.parse_args(argv)
    ruff = find_tool("ruff", args.ruff)
    if ruff is None:
        report_missing("ruff", "--ruff", "pip install ruff")
    root, file, text = make_repository()
    scenarios = [
        incremental(EDITS),
        full_sync(SCENARIO_EDITS),
        spreading(SCENARIO_EDITS),
        large_change(SCENARIO_EDITS),
    ]
    rows, verdicts = [], []
    for scenario in scenarios:
        times = latency(ruff, root, file, scenario)
        for name, values in times.items():
            rows.append(
                [
                    scenario.name,
                    name,
                    f"{statistics.median(values):.2f}",
                    f"{percentile(values, 0.95):.2f}",
                    f"{max(values):.2f}",
                    str(len(values)),
                ]
            )
        reviewer_p95 = percentile(times["reviewer lsp"], 0.95)
        verdict = f"- {scenario.name}: reviewer p95 {reviewer_p95:.2f} ms"
        if "ruff server" in times:
            ruff_p95 = percentile(times["ruff server"], 0.95)
            ratio = reviewer_p95 / ruff_p95
            verdict += f", {ratio:.2f}x ruff server's {ruff_p95:.2f} ms: " + (
                "met (at most ruff's)."
                if ratio <= 1
                else "within 2x, **NOT met** (slower than ruff)."
                if ratio <= 2
                else "**NOT met** (more than 2x ruff)."
            )
        verdicts.append(verdict)
    result = storm(root, file, text)
    growth = result["rss"][STORM_EDITS] / result["rss"][100] - 1
    storm_rows = [
        ["edits sent", f"{STORM_EDITS} in {result['sent_seconds']:.1f} s"],
        ["a request answered after the storm", f"{result['answered_ms']:.1f} ms (goal < 100 ms)"],
        ["final diagnostics = a fresh review of the final text", str(result["final_matches"])],
        ["RSS at edit 100 / 1,000", f"{result['rss'][100]:,} / {result['rss'][STORM_EDITS]:,} KiB"],
        ["RSS growth, edit 100 -> 1,000", f"{growth:+.1%} (goal < 10%)"],
        ["RSS one second after the storm", f"{result['rss_after']:,} KiB"],
    ]
    sections = [
        "# Language server latency: reviewer lsp against ruff server",
        "Written by `python bench/lsp_latency.py`. One stdio client harness "
        "(`bench/_lsp_client.py`) drives both servers with the same edits in the "
        f"same run, alternating which server goes first, on a {FUNCTIONS * 8:,}-line "
        "Python file committed in a scratch repository. Latency: didChange sent -> "
        "publishDiagnostics for that version. Goal: reviewer's p95 at most ruff "
        "server's in every scenario, never more than 2x. Scenarios "
        "(`bench/_lsp_scenarios.py`):\n\n"
        + "\n".join(f"- {s.name}: {s.description}." for s in scenarios),
        machine_facts({"ruff": tool_version([ruff, "--version"]) if ruff else "not installed"}),
        "## Structural diagnostics per edit (ms)",
        markdown_table(["scenario", "server", "p50", "p95", "max", "edits"], rows),
        "\n".join(verdicts),
        "## Storm: 1,000 edits in 10 s (reviewer lsp)",
        markdown_table(["measure", "result"], storm_rows),
    ]
    if args.model:
        flagged, explained, misses = model_latency(root, file, text)
        if explained:
            line = (
                f"Time from the last edit to the model's diagnostics (default model and "
                f"head, gate 0, debounce 750 ms, one new function per edit): the flagged "
                f"line p50 {statistics.median(flagged):.1f} s, explained p50 "
                f"{statistics.median(explained):.1f} s, over {len(explained)} edits "
                f"({misses} without both within 180 s)."
            )
        else:
            line = f"No model diagnostics arrived ({misses} edits timed out)."
        sections += ["## Model diagnostics", line]
    write_result(args.output, "\n\n".join(sections))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The model's sentences about flagged lines, judged against the actual fix
(issue 22: at most 10% of the sentences shown may be wrong).

Two steps, so that the judging is a human's and the numbers are the script's:

  sample  Reviews buggy changes that SZZ found (`reviewer dataset szz`
          records and the bare mirrors they came from) file by file, at
          parent..commit, with the default model and the shipped head, the
          gate at 0 so that each scored unit holding a later-fixed line gives
          its best line; the model explains it, and the sentence check
          (reviewer/scorer/sentence_check.py) says whether it would be shown.
          Writes one JSONL line per flagged line, with the later fix's hunks
          of that file for the judge.
  table   Reads the judge's verdicts (a JSON object: id -> "right" | "vague"
          | "wrong") and writes the table: each sentence right, vague or
          wrong, shown or withheld, and each line's reason as pointing at the
          defect (within 3 lines of a later-fixed line) or not.

    python bench/explain_judged.py sample --data DIR --mirrors DIR --repos a/b c/d \\
        --lines 40 --out /tmp/explain_sample.jsonl
    python bench/explain_judged.py table --sample /tmp/explain_sample.jsonl \\
        --verdicts bench/results/explain_verdicts.json --out bench/results/explain_judged.md
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from reviewer.diff import ChangeSet, ChangeStatus, FileChange, hunks_between, split_lines
from reviewer.languages import language_for_path

NEAR = 3  # a flag within this many lines of a later-fixed line points at the defect


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    steps = parser.add_subparsers(dest="step", required=True)
    sample = steps.add_parser("sample")
    sample.add_argument("--data", type=Path, required=True)
    sample.add_argument("--mirrors", type=Path, required=True)
    sample.add_argument("--repos", nargs="+", required=True)
    sample.add_argument("--lines", type=int, default=40)
    sample.add_argument("--out", type=Path, required=True)
    table = steps.add_parser("table")
    table.add_argument("--sample", type=Path, required=True)
    table.add_argument("--verdicts", type=Path, required=True)
    table.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.step == "sample":
        return _sample(args)
    return _table(args)


# -- sample -----------------------------------------------------------------------


def _sample(args: argparse.Namespace) -> int:
    from reviewer.config import Config, ModelConfig
    from reviewer.engine import review
    from reviewer.scorer.assemble import build_scorer, tier_for

    # Two units a file at most: each flagged unit is also explained (seconds each).
    settings = ModelConfig(enabled="on", threshold=0.0, cache=False, max_units=2)
    config = Config(model=settings)
    scorer, notices = build_scorer(config, flag=True)
    if scorer is None:
        raise SystemExit(f"no model: {notices}")
    done = {json.loads(line)["id"] for line in _lines(args.out)}
    written = len(done)
    with args.out.open("a", encoding="utf-8") as out:
        for record, file in _candidates(args):
            if written >= args.lines:
                break
            mirror = _git_dir(args.mirrors / record["repo"].replace("/", "+"))
            old = _show(mirror, record["parent"], file["path"])
            new = _show(mirror, record["sha"], file["path"])
            if old is None or new is None or len(new) > 60_000:
                continue
            buggy = set(file["buggy"])
            # Only the hunks that added a later-fixed line: their units are the buggy ones.
            hunks = tuple(h for h in hunks_between(old, new) if buggy & set(h.new_lines))
            if not hunks:
                continue
            change = FileChange(
                path=file["path"], status=ChangeStatus.MODIFIED, new_text=new,
                hunks=hunks, old_text=old,
            )  # fmt: skip
            tier = tier_for(scorer, settings)
            report = review(ChangeSet(mirror, record["id"], (change,)), config, producers=(tier,))
            lines = split_lines(new)
            for finding in report.findings:
                if finding.source == "structural":
                    continue
                item = _item(record, file, finding, lines, mirror)
                if item["id"] in done:
                    continue
                # The sentence as written, shown or withheld by the check (none
                # when the model's answer was not valid).
                sentence, problem = tier.sentences.get((file["path"], finding.line), ("", None))
                item["sentence"] = sentence
                item["shown"] = bool(sentence) and problem is None
                item["withheld_because"] = problem
                out.write(json.dumps(item) + "\n")
                out.flush()
                done.add(item["id"])
                written += 1
                print(f"{written}: {item['id']}", file=sys.stderr)
                if written >= args.lines:
                    break
    scorer.close()
    return 0


def _candidates(args: argparse.Namespace) -> Any:
    """Buggy changes' files that hold a later-fixed line in a known language,
    in a seeded random order, one file per change."""
    records = []
    for repo in args.repos:
        path = args.data / f"{repo.replace('/', '+')}.jsonl"
        if not path.is_file():
            raise SystemExit(f"no SZZ records for {repo}: {path} (reviewer dataset szz)")
        records += [r for r in map(json.loads, _lines(path)) if r["label"] == "buggy"]
    random.Random(0).shuffle(records)
    for record in records:
        files = [f for f in record["files"] if f["buggy"] and language_for_path(f["path"])]
        if files:
            yield record, files[0]


def _item(
    record: dict[str, Any], file: dict[str, Any], finding: Any, lines: list[str], mirror: Path
) -> dict[str, Any]:
    buggy = sorted(file["buggy"])
    return {
        "id": f"{record['id']}:{file['path']}:{finding.line}",
        "repo": record["repo"],
        "path": file["path"],
        "line": finding.line,
        "code": lines[finding.line - 1] if finding.line <= len(lines) else "",
        "message": finding.message,
        "buggy_lines": buggy,
        "points_at_defect": any(abs(finding.line - b) <= NEAR for b in buggy),
        "fix": _fix_hunks(mirror, record.get("fixes") or [], file["path"]),
    }


def _fix_hunks(mirror: Path, fixes: list[str], path: str) -> str:
    """The later fix's change to the file, for the judge (first fix, capped)."""
    for fix in fixes[:1]:
        shown = _git(mirror, "show", "--format=%h %s", "-U2", fix, "--", path)
        if shown:
            return shown[:3000]
    return ""


def _git_dir(mirror: Path) -> Path:
    """fetch's mirrors keep the bare repository in a `repo` folder."""
    return mirror / "repo" if (mirror / "repo" / "HEAD").is_file() else mirror


def _show(mirror: Path, revision: str, path: str) -> str | None:
    return _git(mirror, "show", f"{revision}:{path}")


def _git(mirror: Path, *args: str) -> str | None:
    done = subprocess.run(
        ["git", "--git-dir", str(mirror), *args], capture_output=True, check=False
    )
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", errors="replace")


def _lines(path: Path) -> list[str]:
    if not path.is_file():
        return []
    return [line for line in path.read_text("utf-8").splitlines() if line.strip()]


# -- table ------------------------------------------------------------------------


def _table(args: argparse.Namespace) -> int:
    items = [json.loads(line) for line in _lines(args.sample)]
    verdicts: dict[str, str] = json.loads(args.verdicts.read_text("utf-8"))
    missing = [item["id"] for item in items if item["sentence"] and item["id"] not in verdicts]
    if missing:
        raise SystemExit(f"{len(missing)} sentences have no verdict, e.g. {missing[0]}")
    rows: Counter[tuple[str, str]] = Counter()
    for item in items:
        shown = "shown" if item["shown"] else "withheld" if item["sentence"] else "none written"
        rows[(shown, verdicts.get(item["id"], "-"))] += 1
    pointing = sum(item["points_at_defect"] for item in items)
    shown_items = [item for item in items if item["shown"]]
    wrong_shown = sum(verdicts[item["id"]] == "wrong" for item in shown_items)
    text = [
        "# The model's sentences about flagged lines, judged against the fix",
        "",
        f"`python bench/explain_judged.py table --sample ... --verdicts {args.verdicts}`; the",
        "sample from `bench/explain_judged.py sample` (see its docstring); verdicts by hand,",
        "reading the flagged line, the sentence and the later fix's change to the file.",
        "",
        f"{len(items)} flagged lines of buggy changes; "
        f"{pointing} of them ({pointing / max(len(items), 1):.0%}) within {NEAR} lines of a "
        "later-fixed line (the reason points at the defect). Not against chance: only the",
        "hunks that added a later-fixed line were reviewed, so most candidate lines lie",
        "near one too; the line ranking's own measure against chance is issue 21's table.",
        "",
        "| sentence | right | vague | wrong | no verdict |",
        "|---|---|---|---|---|",
    ]
    for state in ("shown", "withheld", "none written"):
        counts = [rows[(state, verdict)] for verdict in ("right", "vague", "wrong", "-")]
        text.append(f"| {state} | " + " | ".join(str(n) for n in counts) + " |")
    share = wrong_shown / len(shown_items) if shown_items else 0.0
    verdict = "met" if share <= 0.10 else "missed"
    text += [
        "",
        f"Wrong among the sentences shown: {wrong_shown} of {len(shown_items)} "
        f"({share:.0%}); goal at most 10%: {verdict}.",
        "",
        "| id | line code | sentence | shown | verdict | points at defect |",
        "|---|---|---|---|---|---|",
    ]
    for item in items:
        code = item["code"].strip().replace("|", "\\|")[:70]
        sentence = item["sentence"].replace("|", "\\|") or "(none)"
        text.append(
            f"| {item['id']} | `{code}` | {sentence} | {'yes' if item['shown'] else 'no'} | "
            f"{verdicts.get(item['id'], '-')} | {'yes' if item['points_at_defect'] else 'no'} |"
        )
    args.out.write_text("\n".join(text) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

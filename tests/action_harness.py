"""Runs action.yml's `run:` steps as a GitHub runner does, and evaluates the
`if:` conditions of its `uses:` steps (the caches, which are GitHub's own
actions and are not run here).

A runner gives each step its own GITHUB_OUTPUT file, substitutes `${{ }}`
in the step's `env:` before bash starts, runs `bash --noprofile --norc -eo
pipefail` and stops the job at the first failing step (later steps run only
when their `if:` says always())."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
_EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def load_action(action_path: Path = ROOT) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((action_path / "action.yml").read_text())
    return loaded


def steps(action: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
    return [step for step in action["runs"]["steps"] if kind in step]


def substitute(text: str, context: Mapping[str, str]) -> str:
    """`${{ ... }}` for the plain lookups the action uses: a step output
    nobody set is empty (as on GitHub), any other unknown name is a mistake
    in action.yml and fails loudly."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("steps."):
            return context.get(name, "")
        return context[name]

    return _EXPRESSION.sub(value, text)


def read_outputs(path: Path) -> dict[str, str]:
    """A GITHUB_OUTPUT file: `name=value` lines and `name<<DELIMITER` blocks."""
    outputs: dict[str, str] = {}
    lines = path.read_text().splitlines() if path.exists() else []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            while lines[index] != delimiter:
                block.append(lines[index])
                index += 1
            index += 1
            outputs[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


@dataclass(frozen=True)
class StepRun:
    id: str
    name: str
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]

    @property
    def text(self) -> str:
        return self.stdout + self.stderr


@dataclass(frozen=True)
class Runner:
    """What a runner sets for every step: the directories and variables."""

    workspace: Path
    temp: Path
    environ: Mapping[str, str]
    action_path: Path = ROOT

    def environment(self) -> dict[str, str]:
        # The runner's environment: none of the test run's reviewer settings.
        base = {k: v for k, v in self.environ.items() if not k.startswith("REVIEWER_")}
        base.pop("VIRTUAL_ENV", None)
        base.pop("GITHUB_TOKEN", None)  # only the step's env may set it
        self.temp.mkdir(parents=True, exist_ok=True)
        return {
            **base,
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_ACTION_PATH": str(self.action_path),
            "RUNNER_TEMP": str(self.temp),
            "RUNNER_OS": "Linux",
        }


def run_steps(
    runner: Runner,
    inputs: Mapping[str, str],
    *,
    only: set[str] | None = None,
    context: Mapping[str, str] | None = None,
) -> list[StepRun]:
    """The action's run steps in order (or only those whose id is in
    `only`), with `inputs` over the defaults; stops after a failing step.
    `context` adds step outputs of steps that are not run."""
    action = load_action(runner.action_path)
    values = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    unknown = set(inputs) - set(values)
    assert not unknown, f"action.yml has no inputs {unknown}"
    values.update(inputs)
    lookups = {f"inputs.{name}": value for name, value in values.items()}
    lookups["github.action_path"] = str(runner.action_path)
    lookups.update(context or {})
    runs: list[StepRun] = []
    for number, step in enumerate(steps(action, "run")):
        if only is not None and step["id"] not in only:
            continue
        output = runner.temp / f"github-output-{number}"
        env = {key: substitute(str(value), lookups) for key, value in step.get("env", {}).items()}
        done = subprocess.run(  # how GitHub runs a bash step
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=runner.workspace,
            env={**runner.environment(), "GITHUB_OUTPUT": str(output), **env},
            capture_output=True,
            text=True,
            timeout=900,
        )
        outputs = read_outputs(output)
        runs.append(
            StepRun(step["id"], step["name"], done.returncode, done.stdout, done.stderr, outputs)
        )
        lookups.update({f"steps.{step['id']}.outputs.{k}": v for k, v in outputs.items()})
        if done.returncode != 0:
            break
    return runs


# --- `if:` conditions -------------------------------------------------------

_TOKEN = re.compile(r"\s*(\|\||&&|==|!=|!|\(|\)|'(?:[^']|'')*'|[A-Za-z_][\w.\-]*(?:\(\))?)")
_STATUS = ("always()", "success()", "failure()", "cancelled()")


def condition(expression: str, context: Mapping[str, str], *, job_failed: bool) -> bool:
    """Evaluate an `if:` as GitHub does, for the subset action.yml uses:
    ||, &&, !, ==, != (strings compared case-insensitively), parentheses,
    the status functions, literals and context lookups (absent: empty).
    Without a status function the condition is `success() && (...)`."""
    text = expression.strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    tokens: list[str] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            if text[position:].strip():
                raise ValueError(f"cannot read {text[position:]!r} in {expression!r}")
            break
        tokens.append(match.group(1))
        position = match.end()
    if not any(token in _STATUS for token in tokens):
        tokens = ["success()", "&&", "(", *tokens, ")"]
    parser = _Parser(tokens, context, job_failed)
    value = parser.expression()
    if parser.position != len(tokens):
        raise ValueError(f"unexpected {tokens[parser.position]!r} in {expression!r}")
    return _truthy(value)


def _truthy(value: str | bool) -> bool:
    return value if isinstance(value, bool) else value != ""


def _equal(left: str | bool, right: str | bool) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return _truthy(left) == _truthy(right)
    return left.lower() == right.lower()


class _Parser:
    def __init__(self, tokens: list[str], context: Mapping[str, str], job_failed: bool) -> None:
        self.tokens, self.context, self.job_failed = tokens, context, job_failed
        self.position = 0

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self) -> str:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def expression(self) -> str | bool:
        value = self._and()
        while self._peek() == "||":
            self._take()
            right = self._and()
            value = value if _truthy(value) else right
        return value

    def _and(self) -> str | bool:
        value = self._not()
        while self._peek() == "&&":
            self._take()
            right = self._not()
            value = right if _truthy(value) else value
        return value

    def _not(self) -> str | bool:
        if self._peek() == "!":
            self._take()
            return not _truthy(self._not())
        return self._comparison()

    def _comparison(self) -> str | bool:
        left = self._primary()
        if self._peek() in ("==", "!="):
            operator = self._take()
            right = self._primary()
            return _equal(left, right) == (operator == "==")
        return left

    def _primary(self) -> str | bool:
        token = self._take()
        if token == "(":
            value = self.expression()
            assert self._take() == ")", "unbalanced parentheses"
            return value
        if token in _STATUS:
            return {
                "always()": True,
                "success()": not self.job_failed,
                "failure()": self.job_failed,
                "cancelled()": False,
            }[token]
        if token.startswith("'"):
            return token[1:-1].replace("''", "'")
        if token in ("true", "false"):
            return token == "true"
        return self.context.get(token, "")


def runner_for(workspace: Path, temp: Path, action_path: Path = ROOT) -> Runner:
    return Runner(workspace, temp, dict(os.environ), action_path)

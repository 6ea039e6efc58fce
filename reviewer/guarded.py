"""Settings with the power to send code, features or keys off the machine,
or to load a native file: honoured only from the user's own sources.

Trusted: command-line flags, REVIEWER_* environment variables, the user's
config file (platformdirs), a `--config` given explicitly and the editor's
settings. Untrusted: a repository's config file, until `reviewer trust`
(SECURITY.md). Works on raw config tables, before validation."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# [model] keys that choose where code and keys go, or what native file loads.
# Anything added later with the same power belongs here.
GUARDED_MODEL_KEYS = ("backend", "url", "name", "api_key_env", "path")

# The environment's say over them (the model's file also has $REVIEWER_MODEL,
# read where the model is resolved).
GUARDED_ENV = {
    "backend": "REVIEWER_MODEL_BACKEND",
    "url": "REVIEWER_MODEL_URL",
    "name": "REVIEWER_MODEL_NAME",
    "api_key_env": "REVIEWER_MODEL_API_KEY_ENV",
}


def guarded_in(table: Mapping[str, Any]) -> list[str]:
    """The guarded keys a (normalized) config table sets, as `model.key`;
    with them, an `enabled = "on"` that asked for them (without_guarded)."""
    model = table.get("model")
    if not isinstance(model, Mapping):
        return []
    keys = [f"model.{key}" for key in GUARDED_MODEL_KEYS if key in model]
    if keys and model.get("enabled") == "on":
        keys.append("model.enabled")
    return keys


def without_guarded(table: Mapping[str, Any]) -> dict[str, Any]:
    """The table with its guarded keys left out.

    A repository that asked for its own server with `enabled = "on"` asked
    for that server, not for the in-process model: its "on" goes with the
    server, and the user's own setting (or "auto") applies, so that a hook
    or a CI job without the model installed does not fail because of it."""
    stripped = dict(table)
    model = table.get("model")
    if not isinstance(model, Mapping):
        return stripped
    dropped = set(GUARDED_MODEL_KEYS)
    if "model.enabled" in guarded_in(table):
        dropped.add("enabled")
    stripped["model"] = {key: value for key, value in model.items() if key not in dropped}
    return stripped


def baseline_outside(table: Mapping[str, Any], root: Path) -> bool:
    """A repository's config may name a baseline inside the repository only."""
    value = table.get("baseline")
    if not isinstance(value, str):
        return False
    target = (root / value).resolve()
    return not target.is_relative_to(root.resolve())


def risk_card_outside(table: Mapping[str, Any], root: Path) -> bool:
    """A repository's config may name a risk card inside the repository only
    (`"own"`, the user's own card for this repository, is not a path)."""
    risk = table.get("risk")
    value = risk.get("card") if isinstance(risk, Mapping) else None
    if not isinstance(value, str) or value == "own":
        return False
    target = (root / Path(value).expanduser()).resolve()
    return not target.is_relative_to(root.resolve())


def environment_table(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The guarded settings the environment gives, as a config table."""
    env = os.environ if environ is None else environ
    model = {key: env[name] for key, name in GUARDED_ENV.items() if env.get(name, "").strip()}
    return {"model": model} if model else {}


def untrusted_notice(source: str, keys: list[str], *, from_inputs: bool = False) -> str:
    """The one notice a run gives when it left a repository's settings out."""
    named = ", ".join(keys)
    if from_inputs:
        how = (
            "`reviewer github` takes model settings only from its inputs (the Action's "
            "model-backend, model-url, model-name, model-api-key) or REVIEWER_MODEL_* variables"
        )
    else:
        how = "read it, then run `reviewer trust` to honour them (SECURITY.md)"
    return f"config: {source} sets {named}, which a repository cannot set untrusted; ignored: {how}"

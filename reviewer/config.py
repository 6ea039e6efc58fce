"""Configuration: `[tool.reviewer]` in pyproject.toml or a `.reviewer.toml`,
validated by pydantic; CLI flags override the file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from reviewer.config_files import find_config_file, reviewer_table
from reviewer.errors import ConfigError
from reviewer.findings import Severity
from reviewer.guarded import (
    GUARDED_ENV,
    GUARDED_MODEL_KEYS,
    baseline_outside,
    environment_table,
    guarded_in,
    risk_card_outside,
    untrusted_notice,
    without_guarded,
)

SEVERITY_NAMES = tuple(severity.label for severity in Severity)

FilterMode = Literal["added", "diff_context", "file", "nofilter"]
# "recorded": a repository's config is trusted when `reviewer trust` recorded
# it as it is now; "never": not even then (a pull request's head).
RepositoryTrust = Literal["recorded", "never"]
USER_CONFIG_FILE = "config.toml"


class ModelConfig(BaseModel):
    """The `[tool.reviewer.model]` table: which model scores and explains,
    its scoring head and gate, and its limits."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: Literal["auto", "on", "off"] = "auto"  # auto: on when a model is found
    # llama: in-process; openai: the scoring pass and the explanation on a
    # server (llama-cpp-python's, started with --embedding true)
    backend: Literal["llama", "openai"] = "llama"
    path: str | None = None  # a GGUF file (llama backend)
    # The LoRA adapter was removed: still accepted so that existing config
    # files load, but ignored, and a run with the model says so once.
    adapter: str | None = None
    url: str | None = None  # OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1
    name: str | None = None  # the model's name on that server
    api_key_env: str = "REVIEWER_API_KEY"  # environment variable holding the key
    # The line scorer: a head file (default: the shipped one for the model;
    # "none": off), the gate on a unit's best line probability (default: the
    # head's calibrated threshold) and whether flagged lines get a sentence.
    head: str | None = None
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    # Off by default: judged against the later fix, 22 of the 30 sentences that
    # passed the sentence check were wrong, none right (bench/results/explain_judged.md);
    # the scorer's reasons say why a line was picked without the model's words.
    explain: bool = False
    # Settings of the generate-first review, removed: still accepted (with
    # their old bounds) so that existing config files load, but ignored, and
    # a run with the model says so once (RETIRED_MODEL_KEYS).
    min_confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    max_comments_per_unit: int | None = Field(default=None, ge=0, le=10)
    max_tokens_per_unit: int | None = Field(default=None, ge=16)
    max_units: int = Field(default=40, ge=0)  # per run
    max_seconds: float = Field(default=300.0, gt=0)  # per run
    timeout: float = Field(default=120.0, gt=0)  # per request
    retries: int = Field(default=2, ge=0)
    context: int = Field(default=4096, ge=512)
    threads: int | None = Field(default=None, ge=1)
    cache: bool = True


class RiskConfig(BaseModel):
    """The `[tool.reviewer.risk]` table: which learned card scores a change's
    risk. `card`: a card's path (relative to the repository root), or "own":
    the one `reviewer train --risk` wrote for this repository; unset: the
    shipped card. A repository's config may name a card inside the
    repository only (guarded.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    card: str | None = None


RETIRED_MODEL_KEYS = ("min_confidence", "max_comments_per_unit", "max_tokens_per_unit")


def retired_keys_notice(settings: ModelConfig) -> str | None:
    """One line naming the retired keys a config sets, or None."""
    keys = [f"model.{key}" for key in RETIRED_MODEL_KEYS if getattr(settings, key) is not None]
    if not keys:
        return None
    return (
        f"model: {', '.join(keys)} ignored: set for the generate-first review, which was "
        "removed (the line scorer's gate is model.threshold)"
    )


def removed_adapter_notice(settings: ModelConfig, flag: bool = False) -> str | None:
    """One line naming what still asks for the removed LoRA adapter (the
    `model.adapter` key, the `--no-adapter` flag), or None."""
    names = [*(["model.adapter"] if settings.adapter is not None else []),
             *(["--no-adapter"] if flag else [])]  # fmt: skip
    if not names:
        return None
    return f"model: {' and '.join(names)} ignored: the LoRA adapter was removed"


def _severity(value: object) -> Severity:
    """A severity from a config file or the editor ("error"), or one the
    command line already parsed: strings stop here."""
    if isinstance(value, Severity):
        return value
    if isinstance(value, str) and value in SEVERITY_NAMES:
        return Severity.parse(value)
    # The message pydantic gave when these were Literal strings.
    raise PydanticCustomError("literal_error", "Input should be 'info', 'warning' or 'error'")


SeverityValue = Annotated[
    Severity, BeforeValidator(_severity), PlainSerializer(lambda s: s.label, return_type=str)
]


class Config(BaseModel):
    """Every setting a review reads. Field names are the config-file keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    filter_mode: FilterMode = "added"
    fail_level: SeverityValue = Severity.ERROR
    min_severity: SeverityValue = Severity.INFO
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    # Fail the run when the change's risk reaches this (None: never).
    fail_risk: float | None = Field(default=None, ge=0.0, le=1.0)
    max_findings: int | None = Field(default=None, ge=0)
    exclude: tuple[str, ...] = ()  # path globs never reviewed
    disable: tuple[str, ...] = ()  # check ids switched off
    # Relative to the repository root (load_config resolves it); defaults to
    # .reviewer-baseline.json when that file is present.
    baseline: Path | None = None
    max_file_bytes: int = Field(default=1_000_000, gt=0)
    untracked: bool = True
    model: ModelConfig = ModelConfig()
    risk: RiskConfig = RiskConfig()


# The keys whose command-line values add to the file's instead of replacing it.
LIST_KEYS = ("exclude", "disable")


@dataclass(frozen=True)
class LoadedConfig:
    """A configuration and where its guarded settings (guarded.py) came from."""

    config: Config
    # The repository's config file that was read (not one given with --config).
    repository_file: Path | None = None
    trusted: bool = False  # that file's guarded settings were honoured
    ignored: tuple[str, ...] = ()  # guarded keys it asked for and did not get
    origins: Mapping[str, str] = field(default_factory=dict)  # guarded key -> source
    notice: str | None = None  # one line naming what was ignored, and how to trust


def user_config_file() -> Path:
    """The user's own config file (trusted): same keys as `.reviewer.toml`."""
    import platformdirs

    return Path(platformdirs.user_config_dir("reviewer")) / USER_CONFIG_FILE


def load_config(
    root: Path,
    explicit: Path | None = None,
    overrides: dict[str, Any] | None = None,
    *,
    extend_lists: bool = False,
) -> Config:
    """The configuration for a repository at `root`: the user's config file,
    the repository's (or `explicit`), the environment, then `overrides`
    (CLI flags that were given) on top. With `extend_lists`, the list keys
    of `overrides` add to the files' lists."""
    return load_sources(root, explicit, overrides, extend_lists=extend_lists).config


def load_sources(
    root: Path,
    explicit: Path | None = None,
    overrides: dict[str, Any] | None = None,
    *,
    extend_lists: bool = False,
    repository_trust: RepositoryTrust = "recorded",
    overrides_source: str = "the command line",
) -> LoadedConfig:
    """`load_config`, and where each guarded setting came from.

    The repository's config file gets its guarded settings only when the
    user trusted it (`repository_trust="recorded"`, see trust.py); with
    "never" (a pull request's head) not even a `--config` file inside the
    repository does. A `--config` outside it is the user's own choice."""
    from reviewer import trust

    user_file = user_config_file()
    user_values = _file_values(user_file) if user_file.is_file() else {}
    path = explicit or find_config_file(root)
    file_values = _file_values(path) if path is not None else {}
    from_repository = path is not None and (
        explicit is None or (repository_trust == "never" and _inside(path, root))
    )
    trusted = not from_repository
    if from_repository and repository_trust == "recorded":
        trusted = trust.is_trusted(root)
    ignored: list[str] = []
    if not trusted:
        ignored = guarded_in(file_values)
        if baseline_outside(file_values, root):
            ignored.append("baseline (outside the repository)")
            file_values = {k: v for k, v in file_values.items() if k != "baseline"}
        if risk_card_outside(file_values, root):
            ignored.append("risk.card (outside the repository)")
            risk = {k: v for k, v in file_values["risk"].items() if k != "card"}
            file_values = {**file_values, "risk": risk}
        file_values = without_guarded(file_values)
    env_values = environment_table()
    flag_values = _normalized(overrides or {})
    layers = [
        (user_values, f"user config {user_file}"),
        (file_values, _file_label(path, from_repository)),
        (env_values, "environment"),
        (flag_values, overrides_source),
    ]
    merged: dict[str, Any] = {}
    for values, _ in layers[:3]:
        merged = _merged(merged, values)
    source = str(path) if path else str(user_file) if user_values else "defaults"
    if extend_lists and flag_values:
        # Validate the files alone first, so a bad file value is reported as the
        # file's (and the lists below are known to be sequences).
        file_config = validate_config(merged, source=source)
        for key in LIST_KEYS:
            if key in flag_values:
                flag_values[key] = (*getattr(file_config, key), *flag_values[key])
    config = validate_config(_merged(merged, flag_values), source=source)
    if config.baseline is not None and not config.baseline.is_absolute():
        config = config.model_copy(update={"baseline": root / config.baseline})
    notice = None
    if ignored:
        notice = untrusted_notice(
            str(path.name if path else ""), ignored, from_inputs=repository_trust == "never"
        )
    return LoadedConfig(
        config,
        repository_file=path if from_repository else None,
        trusted=from_repository and trusted,
        ignored=tuple(ignored),
        origins=_origins(layers, env_values),
        notice=notice,
    )


def _file_values(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    values = reviewer_table(path)
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: [tool.reviewer] must be a table")
    normalized = _normalized(values)
    validate_config(normalized, source=str(path))  # a bad value is reported as this file's
    return normalized


def _file_label(path: Path | None, from_repository: bool) -> str:
    if path is None:
        return ""
    return f"{path.name} (trusted repository)" if from_repository else f"--config {path}"


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def _merged(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """`top` over `base`, table by table (a [model] key in one file does
    not wipe the other file's [model] table)."""
    result = dict(base)
    for key, value in top.items():
        below = result.get(key)
        if isinstance(value, dict) and isinstance(below, dict):
            result[key] = _merged(below, value)
        else:
            result[key] = value
    return result


def _origins(layers: list[tuple[dict[str, Any], str]], env: dict[str, Any]) -> dict[str, str]:
    """Where each guarded setting that is set came from (the last layer wins)."""
    origins: dict[str, str] = {}
    for values, label in layers:
        model = values.get("model")
        if not isinstance(model, dict):
            continue
        for key in GUARDED_MODEL_KEYS:
            if key in model:
                origins[f"model.{key}"] = f"${GUARDED_ENV[key]}" if values is env else label
    return origins


def validate_config(values: dict[str, Any], source: str) -> Config:
    try:
        return Config.model_validate(_normalized(values))
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "(top level)"
        if first["type"] == "extra_forbidden":
            raise ConfigError(f"{source}: unknown key {key!r}") from None
        message = " ".join(str(first["msg"]).split())  # one line
        raise ConfigError(f"{source}: bad value for {key!r}: {message}") from None


def _normalized(values: dict[str, Any]) -> dict[str, Any]:
    """Config files spell keys with dashes or underscores, at every level."""
    return {
        str(key).replace("-", "_"): _normalized(value) if isinstance(value, dict) else value
        for key, value in values.items()
    }

"""Baselines: the fingerprints of findings accepted as they are, so a legacy
codebase starts clean and only new findings are shown."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.config_files import DEFAULT_BASELINE
from reviewer.errors import ConfigError
from reviewer.findings import Finding

if TYPE_CHECKING:
    from reviewer.config import Config

FORMAT_VERSION = 1


def baseline_path(root: Path, config: Config) -> Path:
    """The configured baseline (load_config made it absolute), else the default."""
    return root / (config.baseline or DEFAULT_BASELINE)


def active_baseline(root: Path, config: Config, disabled: bool = False) -> frozenset[str]:
    """The fingerprints to hide: the configured baseline (which must exist), or
    the default file when present."""
    if disabled:
        return frozenset()
    path = baseline_path(root, config)
    if config.baseline is None and not path.is_file():
        return frozenset()
    return load_baseline(path)


def load_baseline(path: Path) -> frozenset[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"unsupported version {data.get('version')!r}")
        return frozenset(str(item["fingerprint"]) for item in data["findings"])
    except FileNotFoundError:
        raise ConfigError(f"baseline file not found: {path}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ConfigError(f"{path}: not a reviewer baseline ({error})") from None


def write_baseline(path: Path, findings: Iterable[Finding]) -> int:
    """Record findings (fingerprint plus enough to read the file by eye)."""
    rows = sorted(
        {
            f.fingerprint: {"fingerprint": f.fingerprint, "rule": f.rule_id, "path": f.path}
            for f in findings
        }.values(),
        key=lambda row: (row["path"], row["rule"], row["fingerprint"]),
    )
    document = {"version": FORMAT_VERSION, "findings": rows}
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return len(rows)

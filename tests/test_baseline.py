"""Baseline files: the format on disk (version 1, stable bytes), which file
is active, and a clear error for every way a file can be wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.baseline import active_baseline, load_baseline, write_baseline
from reviewer.config import Config
from reviewer.errors import ConfigError
from reviewer.findings import Finding, Severity

# A baseline as version 1 writes it: files written by earlier releases must load.
V1 = """{
  "findings": [
    {
      "fingerprint": "91e4888fb7a9c439:0",
      "path": "pkg/app.py",
      "rule": "py-none-equality"
    }
  ],
  "version": 1
}
"""


def _finding(path: str, rule: str, fingerprint: str) -> Finding:
    return Finding(path, 1, 1, 1, 2, Severity.WARNING, rule, "m", fingerprint=fingerprint)


def test_the_written_file_is_version_1_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    fingerprint = "91e4888fb7a9c439:0"
    twice = [_finding("pkg/app.py", "py-none-equality", fingerprint)] * 2
    assert write_baseline(path, twice) == 1  # one row per fingerprint
    assert path.read_text(encoding="utf-8") == V1


def test_rows_are_sorted_by_path_rule_and_fingerprint(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    findings = [
        _finding("b.py", "r", "3:0"),
        _finding("a.py", "z", "2:0"),
        _finding("a.py", "a", "1:1"),
        _finding("a.py", "a", "1:0"),
    ]
    write_baseline(path, findings)
    rows = json.loads(path.read_text())["findings"]
    assert [r["fingerprint"] for r in rows] == ["1:0", "1:1", "2:0", "3:0"]


def test_a_version_1_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(V1)
    assert load_baseline(path) == frozenset({"91e4888fb7a9c439:0"})
    # JSON does not tell 1 from 1.0: a tool that rewrote the number keeps it valid.
    path.write_text(V1.replace('"version": 1', '"version": 1.0'))
    assert load_baseline(path) == frozenset({"91e4888fb7a9c439:0"})


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('{"version": 0, "findings": []}', "unsupported version 0"),
        ('{"version": 2, "findings": []}', "unsupported version 2"),
        ('{"version": "1", "findings": []}', "unsupported version '1'"),
        ("{not json", "Expecting property name"),  # ValueError
        ('{"version": 1}', "'findings'"),  # KeyError
        ('{"version": 1, "findings": [3]}', "not subscriptable"),  # TypeError
        ('[{"version": 1}]', "has no attribute 'get'"),  # AttributeError
    ],
)
def test_a_damaged_file_is_a_config_error_naming_it(tmp_path: Path, text: str, why: str) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match="not a reviewer baseline") as raised:
        load_baseline(path)
    assert str(path) in str(raised.value) and why in str(raised.value)


def test_which_baseline_is_active(tmp_path: Path) -> None:
    default = tmp_path / ".reviewer-baseline.json"
    # No file, none configured: nothing hidden.
    assert active_baseline(tmp_path, Config()) == frozenset()
    # The default file, when present, is read without being configured.
    default.write_text(V1)
    assert active_baseline(tmp_path, Config()) == frozenset({"91e4888fb7a9c439:0"})
    assert active_baseline(tmp_path, Config(), disabled=True) == frozenset()
    # A configured file must exist.
    missing = tmp_path / "gone.json"
    with pytest.raises(ConfigError, match=r"baseline file not found: .*gone\.json"):
        active_baseline(tmp_path, Config(baseline=missing))
    other = tmp_path / "other.json"
    other.write_text(V1.replace("91e4888fb7a9c439:0", "0000000000000000:0"))
    assert active_baseline(tmp_path, Config(baseline=other)) == frozenset({"0000000000000000:0"})

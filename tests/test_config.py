from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.config import Config, find_config_file, load_config
from reviewer.errors import ConfigError


def test_defaults_without_any_file(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config == Config()
    assert config.filter_mode == "added"
    assert config.fail_level == "error"


def test_reads_tool_reviewer_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.reviewer]\nfail-level = "warning"\nexclude = ["vendor"]\n'
    )
    config = load_config(tmp_path)
    assert config.fail_level == "warning"
    assert config.exclude == ("vendor",)


def test_pyproject_without_table_is_not_a_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_config_file(tmp_path) is None


def test_dedicated_file_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.reviewer]\nfail_level = "warning"\n')
    (tmp_path / ".reviewer.toml").write_text('fail_level = "info"\n')
    assert find_config_file(tmp_path) == tmp_path / ".reviewer.toml"
    assert load_config(tmp_path).fail_level == "info"


def test_unknown_key_names_key_and_file(tmp_path: Path) -> None:
    path = tmp_path / ".reviewer.toml"
    path.write_text("fial_level = 'error'\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    message = str(caught.value)
    assert "fial_level" in message and str(path) in message
    assert "\n" not in message


def test_bad_value_names_key_and_file(tmp_path: Path) -> None:
    path = tmp_path / ".reviewer.toml"
    path.write_text("max_findings = -3\n")
    with pytest.raises(ConfigError, match=r"max_findings") as caught:
        load_config(tmp_path)
    assert str(path) in str(caught.value)


def test_bad_severity_value(tmp_path: Path) -> None:
    (tmp_path / ".reviewer.toml").write_text("fail_level = 'fatal'\n")
    with pytest.raises(ConfigError, match="fail_level"):
        load_config(tmp_path)


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / ".reviewer.toml").write_text("fail_level = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(tmp_path)


def test_overrides_beat_the_file(tmp_path: Path) -> None:
    (tmp_path / ".reviewer.toml").write_text("fail_level = 'info'\nmax_findings = 3\n")
    config = load_config(tmp_path, overrides={"fail_level": "error"})
    assert config.fail_level == "error"
    assert config.max_findings == 3


def test_explicit_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path, tmp_path / "nope.toml")

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.config import (
    Config,
    ModelConfig,
    find_config_file,
    load_config,
    removed_adapter_notice,
    retired_keys_notice,
)
from reviewer.errors import ConfigError
from reviewer.findings import Severity
from tests.conftest import GitRepo


def test_defaults_without_any_file(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config == Config()
    assert config.filter_mode == "added"
    assert config.fail_level == Severity.ERROR


def test_reads_tool_reviewer_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.reviewer]\nfail-level = "warning"\nexclude = ["vendor"]\n'
    )
    config = load_config(tmp_path)
    assert config.fail_level == Severity.WARNING
    assert config.exclude == ("vendor",)


def test_pyproject_without_table_is_not_a_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_config_file(tmp_path) is None


def test_dedicated_file_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.reviewer]\nfail_level = "warning"\n')
    (tmp_path / ".reviewer.toml").write_text('fail_level = "info"\n')
    assert find_config_file(tmp_path) == tmp_path / ".reviewer.toml"
    assert load_config(tmp_path).fail_level == Severity.INFO


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
    assert config.fail_level == Severity.ERROR
    assert config.max_findings == 3


def test_explicit_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path, tmp_path / "nope.toml")


# --- every key, wrong types, unknown keys, both places ------------------------

TOP_KEYS = sorted(Config.model_fields)
MODEL_KEYS = sorted(ModelConfig.model_fields)


def _wrong_values(key: str, nested: bool) -> list[str]:
    """TOML values no field of that name accepts: a table for a scalar or
    list, an array of numbers for a string, number, flag or list of
    strings; for a table (`model`, `risk`), a number and a string."""
    if key in ("model", "risk") and not nested:
        return ["3", '"llama"']
    return ["{ wrong = 1 }", "[1, 2]"]


CASES = [
    *((key, value, False) for key in TOP_KEYS for value in _wrong_values(key, False)),
    *((key, value, True) for key in MODEL_KEYS for value in _wrong_values(key, True)),
]


def _toml(key: str, value: str, nested: bool, dashes: bool) -> str:
    spelled = key.replace("_", "-") if dashes else key
    return f"[model]\n{spelled} = {value}\n" if nested else f"{spelled} = {value}\n"


def _assert_one_line(message: str, key: str, path: Path) -> None:
    assert "\n" not in message
    assert str(path) in message
    assert key in message
    assert "Traceback" not in message


@pytest.mark.parametrize("dashes", [False, True], ids=["underscores", "dashes"])
@pytest.mark.parametrize(("key", "value", "nested"), CASES)
def test_every_key_with_a_wrong_type(
    tmp_path: Path, key: str, value: str, nested: bool, dashes: bool
) -> None:
    path = tmp_path / ".reviewer.toml"
    path.write_text(_toml(key, value, nested, dashes))
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    _assert_one_line(str(caught.value), f"model.{key}" if nested else key, path)
    assert "bad value" in str(caught.value)


@pytest.mark.parametrize(("key", "value", "nested"), CASES[::5])
def test_wrong_types_in_pyproject_too(tmp_path: Path, key: str, value: str, nested: bool) -> None:
    path = tmp_path / "pyproject.toml"
    table = "[tool.reviewer.model]" if nested else "[tool.reviewer]"
    path.write_text(f'[project]\nname = "x"\n\n{table}\n{key} = {value}\n')
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    _assert_one_line(str(caught.value), f"model.{key}" if nested else key, path)


def test_every_key_accepts_its_default(tmp_path: Path) -> None:
    """The table above fails for the right reason: the keys themselves are
    known, at both levels and in both spellings."""
    lines = ['fail-level = "error"', "max_file_bytes = 10", "[model]", 'enabled = "off"']
    lines.append("max-units = 64")
    (tmp_path / ".reviewer.toml").write_text("\n".join(lines) + "\n")
    config = load_config(tmp_path)
    assert config.max_file_bytes == 10 and config.model.max_units == 64


def test_settings_of_the_removed_generate_first_review_load_and_are_named(
    tmp_path: Path,
) -> None:
    """Old config files keep working: the keys are accepted (with their old
    bounds), ignored, and one notice names them when the model runs."""
    assert retired_keys_notice(load_config(tmp_path).model) is None
    (tmp_path / ".reviewer.toml").write_text(
        "[model]\nmin-confidence = 0.8\nmax_comments_per_unit = 2\nmax_tokens_per_unit = 64\n"
    )
    notice = retired_keys_notice(load_config(tmp_path).model)
    assert notice is not None and "\n" not in notice
    assert notice.startswith(
        "model: model.min_confidence, model.max_comments_per_unit, model.max_tokens_per_unit "
        "ignored"
    )
    (tmp_path / ".reviewer.toml").write_text("[model]\nmin_confidence = 1.5\n")
    with pytest.raises(ConfigError, match=r"model\.min_confidence"):
        load_config(tmp_path)


def test_the_removed_lora_adapter_key_and_flag_load_and_are_named(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """`model.adapter` and `--no-adapter` still load and parse, do nothing,
    and one notice names them when the model runs."""
    assert removed_adapter_notice(load_config(repo.path).model) is None
    repo.write(".reviewer.toml", '[model]\nadapter = "none"\n')
    settings = load_config(repo.path).model
    assert removed_adapter_notice(settings) == (
        "model: model.adapter ignored: the LoRA adapter was removed"
    )
    assert removed_adapter_notice(ModelConfig(), flag=True) == (
        "model: --no-adapter ignored: the LoRA adapter was removed"
    )
    repo.commit("config")
    assert main(["diff", "--no-adapter", "--format", "json"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("fial_level = 'error'\n", "fial_level"),
        ("[model]\nbakend = 'llama'\n", "model.bakend"),
        ("[model.extra]\nx = 1\n", "model.extra"),
        ("[[model.list]]\nx = 1\n", "model.list"),
        ("[filters]\nmode = 'added'\n", "filters"),
    ],
)
def test_unknown_keys_at_every_level(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / ".reviewer.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    _assert_one_line(str(caught.value), repr(key), path)
    assert "unknown key" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "fail_level = \n",
        "[model\n",
        "a = 1\na = 2\n",
        'x = "unterminated\n',
        "model = {\n  enabled = 'off'\n}\n",
        "\x00\n",
        "fail_level = 'error'\r\n[model]\r\nenabled = 'off\r\n",
    ],
)
def test_malformed_toml_is_one_line(tmp_path: Path, text: str) -> None:
    path = tmp_path / ".reviewer.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    _assert_one_line(str(caught.value), "not valid TOML", path)


def test_invalid_utf8_config(tmp_path: Path) -> None:
    path = tmp_path / ".reviewer.toml"
    path.write_bytes(b"fail_level = '\xff'\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    _assert_one_line(str(caught.value), "not valid TOML", path)


@pytest.mark.parametrize("tool", ["3", '"reviewer"', "[1]", '["reviewer"]'])
def test_pyproject_whose_tool_is_not_a_table(tmp_path: Path, tool: str) -> None:
    """`tool = "reviewer"` once passed for a config (`"reviewer" in "reviewer"`)
    and then crashed on `.get`."""
    path = tmp_path / "pyproject.toml"
    path.write_text(f"tool = {tool}\n")
    with pytest.raises(ConfigError) as caught:
        find_config_file(tmp_path)
    _assert_one_line(str(caught.value), "'tool' must be a table", path)


def test_pyproject_whose_reviewer_is_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool]\nreviewer = "strict"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    _assert_one_line(str(caught.value), "[tool.reviewer] must be a table", path)


def test_config_in_both_places_says_which_is_read(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("pyproject.toml", '[tool.reviewer]\nfail_level = "info"\n')
    repo.write(".reviewer.toml", 'fail_level = "error"\n')
    repo.write("m.py", "x = 1\n")
    repo.commit("base")
    repo.write("m.py", "def f(a):\n    return a == None\n")  # a warning
    code = main(["diff", "--no-model", "--format", "json"])
    err = capsys.readouterr().err
    assert code == 0  # .reviewer.toml's fail level, not pyproject's
    notices = [line for line in err.splitlines() if "ignored" in line]
    assert len(notices) == 1
    assert "pyproject.toml" in notices[0] and "[tool.reviewer]" in notices[0]
    assert ".reviewer.toml" in notices[0]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("max_findings = 'many'\n", "max_findings"),
        ("[model]\ncontext = 'big'\n", "model.context"),
        ("[model\n", "not valid TOML"),
        ("nope = 1\n", "nope"),
    ],
)
def test_cli_prints_one_line_and_exits_2(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], text: str, needle: str
) -> None:
    repo.write(".reviewer.toml", text)
    repo.write("m.py", "x = 1\n")
    repo.commit("base")
    repo.write("m.py", "x = 2\n")
    code = main(["diff", "--no-model"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("reviewer: error: ")
    assert needle in err and ".reviewer.toml" in err


def test_command_line_lists_add_to_the_file_lists(tmp_path: Path) -> None:
    (tmp_path / ".reviewer.toml").write_text("exclude = ['vendor']\nfail_level = 'info'\n")
    overrides = {"exclude": ("build",), "fail_level": "warning"}
    extended = load_config(tmp_path, overrides=overrides, extend_lists=True)
    assert extended.exclude == ("vendor", "build")
    assert extended.fail_level == Severity.WARNING
    # The editor's settings (the language server) replace the lists instead.
    assert load_config(tmp_path, overrides=overrides).exclude == ("build",)


def test_a_bad_file_list_is_the_file_s_error_even_with_flags(tmp_path: Path) -> None:
    (tmp_path / ".reviewer.toml").write_text("exclude = 3\n")
    with pytest.raises(ConfigError, match=r"\.reviewer\.toml: bad value for 'exclude'"):
        load_config(tmp_path, overrides={"exclude": ("build",)}, extend_lists=True)


def test_values_are_typed_once_at_load(tmp_path: Path) -> None:
    # Below the config, nothing parses strings: severities are Severity, the
    # baseline is a path resolved against the repository root.
    (tmp_path / ".reviewer.toml").write_text(
        "min_severity = 'warning'\nbaseline = 'ci/accepted.json'\n"
    )
    config = load_config(tmp_path)
    assert config.min_severity is Severity.WARNING
    assert config.baseline == tmp_path / "ci" / "accepted.json"
    assert load_config(tmp_path, overrides={"fail_level": Severity.INFO}).fail_level is (
        Severity.INFO
    )
    with pytest.raises(ConfigError, match="Input should be 'info', 'warning' or 'error'"):
        load_config(tmp_path, overrides={"fail_level": "fatal"})

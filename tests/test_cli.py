"""`reviewer` end to end on real repositories: flags, modes, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer.cli import main
from tests.conftest import GitRepo

DEFECT = "def f(a, items=[]):\n    if a == None:\n        return items\n    return a\n"
CLEAN = "def f(a):\n    return a\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def review_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    code, out, err = run(capsys, "diff", "--format", "json", *argv)
    assert code in (0, 1), err
    return json.loads(out)


def rules_and_lines(report: dict) -> list[tuple[str, str, int]]:
    return [(f["path"], f["rule_id"], f["line"]) for f in report["findings"]]


@pytest.fixture
def committed(repo: GitRepo) -> GitRepo:
    repo.write("m.py", CLEAN)
    repo.commit("base")
    return repo


def test_not_a_git_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    code, _out, err = run(capsys, "diff")
    assert code == 2
    assert err.startswith("reviewer: error: not a git repository")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_usage_error_is_one_line(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["diff", "--format", "xml"])
    assert caught.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_head_needs_base(committed: GitRepo, capsys) -> None:
    code, _, err = run(capsys, "diff", "--head", "HEAD")
    assert code == 2 and "--head needs --base" in err


def test_empty_diff(committed: GitRepo, capsys) -> None:
    assert review_json(capsys)["findings"] == []


def test_work_tree_findings_and_exit_codes(committed: GitRepo, capsys) -> None:
    committed.write("m.py", DEFECT)
    report = review_json(capsys)
    assert rules_and_lines(report) == [
        ("m.py", "py-mutable-default-arg", 1),
        ("m.py", "py-none-equality", 2),
    ]
    assert run(capsys, "diff")[0] == 0  # warnings only; default fail level is error
    assert run(capsys, "diff", "--fail-level", "warning")[0] == 1


def test_untracked_files_and_no_untracked(committed: GitRepo, capsys) -> None:
    committed.write("new.py", DEFECT)
    assert {f["path"] for f in review_json(capsys)["findings"]} == {"new.py"}
    assert review_json(capsys, "--no-untracked")["findings"] == []


def test_staged_reviews_the_index_not_the_work_file(committed: GitRepo, capsys) -> None:
    committed.write("m.py", DEFECT)
    committed.git("add", "m.py")
    committed.write("m.py", CLEAN)  # the work file is fixed, the index is not
    assert len(review_json(capsys, "--staged")["findings"]) == 2
    assert review_json(capsys)["findings"] == []


def test_base_and_head(committed: GitRepo, capsys) -> None:
    committed.git("checkout", "-q", "-b", "feature")
    committed.write("m.py", DEFECT)
    committed.commit("feature work")
    committed.git("checkout", "-q", "main")
    committed.write("other.py", DEFECT)
    committed.commit("main moves on")
    report = review_json(capsys, "--base", "main", "--head", "feature")
    assert {f["path"] for f in report["findings"]} == {"m.py"}


def test_unknown_revision(committed: GitRepo, capsys) -> None:
    code, _, err = run(capsys, "diff", "--base", "no-such-branch")
    assert code == 2 and "unknown revision 'no-such-branch'" in err


def test_path_arguments_limit_the_review(committed: GitRepo, capsys) -> None:
    committed.write("m.py", DEFECT)
    committed.write("pkg/n.py", DEFECT)
    assert {f["path"] for f in review_json(capsys, "pkg")["findings"]} == {"pkg/n.py"}


def test_first_commit_without_head(repo: GitRepo, capsys) -> None:
    repo.write("m.py", DEFECT)
    assert len(review_json(capsys)["findings"]) == 2
    repo.git("add", "m.py")
    assert len(review_json(capsys, "--staged")["findings"]) == 2


def test_config_file_is_used_and_validated(committed: GitRepo, capsys) -> None:
    committed.write("m.py", DEFECT)
    committed.write(".reviewer.toml", 'disable = ["py-none-equality"]\n')
    assert [r for _, r, _ in rules_and_lines(review_json(capsys))] == ["py-mutable-default-arg"]
    committed.write(".reviewer.toml", "colour = true\n")
    code, _, err = run(capsys, "diff")
    assert code == 2
    assert "unknown key 'colour'" in err and ".reviewer.toml" in err
    assert err.count("\n") == 1


def test_flags_override_config(committed: GitRepo, capsys) -> None:
    committed.write("m.py", DEFECT)
    committed.write(".reviewer.toml", 'fail_level = "warning"\n')
    assert run(capsys, "diff")[0] == 1
    assert run(capsys, "diff", "--fail-level", "error")[0] == 0


def test_max_findings_and_min_severity(committed: GitRepo, capsys) -> None:
    committed.write("m.py", DEFECT)
    assert len(review_json(capsys, "--max-findings", "1")["findings"]) == 1
    assert review_json(capsys, "--min-severity", "error")["findings"] == []


def test_baseline_hides_old_findings_and_shows_new(committed: GitRepo, capsys) -> None:
    committed.write("m.py", DEFECT)
    committed.commit("legacy code")
    code, out, _ = run(capsys, "baseline")
    assert code == 0 and "recorded 2 findings" in out
    assert (committed.path / ".reviewer-baseline.json").is_file()
    committed.write("m.py", "# moved down\n" + DEFECT + "\ndef g(b):\n    return b == None\n")
    report = review_json(capsys, "--filter-mode", "file")
    assert rules_and_lines(report) == [("m.py", "py-none-equality", 8)]
    assert len(review_json(capsys, "--filter-mode", "file", "--no-baseline")["findings"]) == 3


def test_output_file_and_summary_on_stderr(committed: GitRepo, capsys) -> None:
    committed.write("m.py", DEFECT)
    code, out, err = run(capsys, "diff", "--format", "sarif", "--output", "out.sarif")
    assert code == 0 and out == ""
    assert "2 findings" in err and "out.sarif" in err
    assert json.loads((committed.path / "out.sarif").read_text())["version"] == "2.1.0"


def test_text_output_is_plain_when_not_a_tty(committed: GitRepo, capsys) -> None:
    committed.write("m.py", DEFECT)
    _code, out, _ = run(capsys, "diff")
    assert "\x1b[" not in out
    assert "m.py:2" in out and "py-none-equality" in out


def test_checks_listing(capsys) -> None:
    code, out, _ = run(capsys, "checks")
    ids = [line.split()[0] for line in out.splitlines()]
    assert code == 0 and len(ids) == len(set(ids)) >= 30
    assert "py-mutable-default-arg" in ids


def _imported_by(*argv: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "reviewer", *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines()}
    return result, imported


def test_console_script_does_not_import_the_model_runtime(committed: GitRepo) -> None:
    committed.write("m.py", DEFECT)
    result, imported = _imported_by("diff")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "m.py:2" in result.stdout
    assert "reviewer.engine" in imported
    assert not any(name.startswith("llama_cpp") for name in imported)


def test_empty_review_loads_no_pipeline(committed: GitRepo) -> None:
    result, imported = _imported_by("diff")
    assert result.returncode == 0 and "Nothing to review" in result.stdout
    assert not {"git", "pydantic", "tree_sitter", "reviewer.engine"} & imported


def test_empty_review_still_validates_a_config_file(committed: GitRepo, capsys) -> None:
    committed.write(".reviewer.toml", "colour = true\n")
    committed.commit("config")
    code, _, err = run(capsys, "diff")
    assert code == 2 and "unknown key 'colour'" in err


def test_the_config_file_is_read_once_per_review(
    committed: GitRepo, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reviewer.config_files

    committed.write("m.py", DEFECT)
    committed.write(".reviewer.toml", "exclude = ['vendor']\n")
    reads: list[Path] = []
    original = reviewer.config_files.read_toml

    def counting(path: Path) -> dict:
        reads.append(path)
        return original(path)

    monkeypatch.setattr(reviewer.config_files, "read_toml", counting)
    report = review_json(capsys, "--exclude", "m.py", "--fail-level", "warning")
    assert report["findings"] == []  # the flag's exclude added to the file's
    assert report["summary"]["fail_level"] == "warning"
    assert [path.name for path in reads].count(".reviewer.toml") == 1

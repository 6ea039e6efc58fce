"""A real editor: headless Neovim's built-in LSP client attaches to
`reviewer lsp` and receives the diagnostics of a planted defect."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GitRepo

NVIM = shutil.which("nvim")
SCRIPT = Path(__file__).with_name("nvim_attach.lua")


@pytest.mark.skipif(NVIM is None, reason="Neovim is not installed (apt-get install neovim)")
def test_neovim_shows_the_diagnostic_on_the_changed_line(repo: GitRepo, tmp_path: Path) -> None:
    assert NVIM is not None
    repo.write("shop.py", "def price(total, rate):\n    return total * rate\n")
    repo.commit("start")
    # Work in progress, not committed: a defect on line 2, and line 4 unchanged.
    planted = "def price(total, rate):\n    if rate is 1.0:\n        return total\n"
    repo.write("shop.py", planted + "    return total * rate\n")
    out = tmp_path / "diagnostics.json"
    env = {**os.environ, "REVIEWER_NVIM_OUT": str(out), "REVIEWER_PYTHON": sys.executable}
    done = subprocess.run(
        [
            NVIM,
            "--headless",
            "-n",
            "-i",
            "NONE",
            "-u",
            "NONE",
            "-c",
            f"luafile {SCRIPT}",
            "shop.py",
        ],
        cwd=repo.path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    received = json.loads(out.read_text())
    assert received["attached"] is True
    assert [(d["line"], d["code"], d["source"]) for d in received["diagnostics"]] == [
        (2, "py-is-literal", "reviewer")
    ]
    assert received["diagnostics"][0]["severity"] == 1  # vim.diagnostic.severity.ERROR

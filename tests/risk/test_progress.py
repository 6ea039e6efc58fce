"""The progress of a model review: a bar with an ETA on a terminal's stderr,
nothing on a pipe or in CI."""

from __future__ import annotations

import io
import sys

import pytest

from reviewer.commands.model import unit_progress
from reviewer.syntax import ReviewUnit


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _unit(n: int) -> ReviewUnit:
    return ReviewUnit("a.py", "python", "function", f"f{n}", n, n, "pass\n", frozenset({n}))


def test_a_terminal_gets_a_bar_with_an_eta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with unit_progress(lambda: 3) as on_unit:
        assert on_unit is not None
        for n in range(1, 4):
            on_unit(_unit(n))
    shown = terminal.getvalue()
    assert "/3" in shown and "units, ETA" in shown, shown


@pytest.mark.parametrize("ci", [None, "true"])
def test_a_pipe_or_ci_gets_nothing(monkeypatch: pytest.MonkeyPatch, ci: str | None) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
        monkeypatch.setattr(sys, "stderr", io.StringIO())  # a pipe
    else:
        monkeypatch.setenv("CI", ci)
        monkeypatch.setattr(sys, "stderr", Terminal())
    counted: list[int] = []
    with unit_progress(lambda: counted.append(1) or 3) as on_unit:
        assert on_unit is None
    assert counted == []  # the change is not even parsed to count its units
    assert sys.stderr.getvalue() == ""  # type: ignore[attr-defined]

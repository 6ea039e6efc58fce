"""`reviewer eval` (being built on branch ft)."""

from __future__ import annotations

import argparse

from reviewer.errors import ReviewerError


def run_eval(args: argparse.Namespace) -> int:
    raise ReviewerError("not implemented yet")

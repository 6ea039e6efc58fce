"""`reviewer train` (being built on branch ft)."""

from __future__ import annotations

import argparse

from reviewer.errors import ReviewerError


def run_train(args: argparse.Namespace) -> int:
    raise ReviewerError("not implemented yet")

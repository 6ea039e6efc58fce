"""Structural checks: declarative tree-sitter queries in grammars/<lang>/checks.scm."""

from reviewer.checks.catalog import Check, checks_for
from reviewer.checks.runner import run_checks

__all__ = ["Check", "checks_for", "run_checks"]

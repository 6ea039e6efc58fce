"""The start of a child process's script that makes packages invisible to
every import finder, as in an environment where they were never installed:
tests that prove a path works without an optional extra run in that child."""

from __future__ import annotations

_PRELUDE = """
import sys

HIDDEN = {names!r}


class Hide:
    def __init__(self, inner):
        self.inner = inner

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HIDDEN:
            return None
        return self.inner.find_spec(name, path, target)

    def __getattr__(self, attribute):
        return getattr(self.inner, attribute)


sys.meta_path[:] = [Hide(finder) for finder in sys.meta_path]
"""


def hiding(*names: str) -> str:
    """Script text that hides `names` (top-level packages); append the rest."""
    return _PRELUDE.format(names=names)

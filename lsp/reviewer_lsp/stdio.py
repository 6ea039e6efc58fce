"""The protocol's own stdout. Over stdio, fd 1 carries the protocol, yet
other code writes to it too: llama-cpp-python, while it loads a model,
points fd 1 at /dev/null (its `suppress_stdout_stderr`), and every message
the server sent meanwhile from the event loop was lost; a native library
that prints would corrupt the stream. So the protocol gets a private copy
of fd 1, and fd 1 itself becomes stderr."""

from __future__ import annotations

import os
import sys
from typing import BinaryIO


def protocol_stdout() -> BinaryIO:
    """A stream on a private duplicate of stdout; after this call, anything
    written to fd 1 (or sys.stdout) goes to stderr."""
    sys.stdout.flush()
    private = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return private

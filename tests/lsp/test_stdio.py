"""The protocol keeps stdout to itself: writes to fd 1 by anything else
(llama-cpp-python redirecting it while a model loads, a native library that
prints) neither reach the client nor swallow the server's messages."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import os, sys
from reviewer_lsp.stdio import protocol_stdout

out = protocol_stdout()
print("stray print")
sys.stdout.flush()
os.write(1, b"stray native write\\n")
# What llama-cpp-python does while it loads a model: fd 1 to /dev/null.
saved = os.dup(1)
null = os.open(os.devnull, os.O_WRONLY)
os.dup2(null, 1)
out.write(b"message sent while a model loads|")
out.flush()
os.dup2(saved, 1)
out.write(b"message after")
out.close()
"""


def test_only_the_protocol_reaches_stdout() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, timeout=60, check=True
    )
    assert done.stdout == b"message sent while a model loads|message after"
    assert b"stray print" in done.stderr and b"stray native write" in done.stderr

"""The bag of code tokens of a change: added and removed lines kept apart."""

from __future__ import annotations

from reviewer.jit.record import FileDiff, JitRecord, parse_patch
from reviewer.jit.tokens import change_tokens, line_tokens

PATCH = """diff --git a/m.py b/m.py
index 1..2 100644
--- a/m.py
+++ b/m.py
@@ -3 +3,2 @@ def f(x):
-    return x+1
+    return x - 1.5
+-- not a header
"""


def test_line_tokens_split_identifiers_numbers_and_operators() -> None:
    assert line_tokens("if (a.b >= 10) return $c;") == [
        "if", "(", "a", ".", "b", ">=", "10", ")", "return", "$c", ";",
    ]  # fmt: skip


def test_a_patch_gives_numbered_lines_and_a_signed_bag() -> None:
    (diff,) = parse_patch(PATCH)
    assert diff.path == "m.py"
    assert diff.removed == [(3, "    return x+1")]
    assert diff.added == [(3, "    return x - 1.5"), (4, "-- not a header")]
    record = JitRecord(
        id="o/r:1", repo="o/r", license="MIT", sha="1", parent="0", author="a", time=0,
        date="1970-01-01", message="m", label="clean", fixes=[], features={},
        files=[FileDiff(path="m.py", added=diff.added, removed=diff.removed)],
    )  # fmt: skip
    bag = change_tokens(record)
    assert bag["+return"] == 1 and bag["-return"] == 1
    assert bag["+1.5"] == 1 and bag["-1"] == 1 and bag["-+"] == 1
    assert bag["+--"] == 1


def test_bytes_that_were_not_utf8_still_make_json() -> None:
    (diff,) = parse_patch(PATCH.replace("x - 1.5", "x - 1.5  # caf\udce9"))
    assert diff.added[0][1].endswith("caf\ufffd")
    FileDiff(path="m.py", added=diff.added, removed=[]).model_dump_json()

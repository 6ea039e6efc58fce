"""Hidden HTML comments that make the posted review readable by the next
run: which findings were posted, which were reported resolved, and which
head commit was reviewed last."""

from __future__ import annotations

import re

_FINGERPRINT = re.compile(r"<!-- reviewer:fp=([0-9a-zA-Z:._-]+)(?: source=([a-z]+))? -->")
_RESOLVED = re.compile(r"<!-- reviewer:resolved=([0-9a-zA-Z:._-]+) -->")
_HEAD = re.compile(r"<!-- reviewer:head=([0-9a-f]{7,64}) -->")
SUMMARY_TAG = "<!-- reviewer:summary -->"


def fingerprint_marker(fingerprint: str, source: str = "structural") -> str:
    return f"<!-- reviewer:fp={fingerprint} source={source} -->"


def resolved_marker(fingerprint: str) -> str:
    return f"<!-- reviewer:resolved={fingerprint} -->"


def head_marker(sha: str) -> str:
    return f"<!-- reviewer:head={sha} -->"


def fingerprints(text: str) -> dict[str, str]:
    """fingerprint -> source ("structural" or "model") of each marker."""
    return {fp: source or "structural" for fp, source in _FINGERPRINT.findall(text or "")}


def resolved(text: str) -> set[str]:
    return set(_RESOLVED.findall(text or ""))


def reviewed_head(text: str) -> str | None:
    found = _HEAD.search(text or "")
    return found.group(1) if found else None

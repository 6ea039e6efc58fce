"""Dropping records a dataset already holds: newly mined repositories must add
units, not repeat ones the existing files (or each other) already carry.

A record repeats when its id or its unit text was seen before. Unit text is
what the model reads, so the same function copied into two repositories (or
mined twice) counts once, and the copy seen first is the one kept."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from reviewer.dataset.record import Record


@dataclass(frozen=True)
class DedupeCounts:
    kept: int
    known: int  # id or unit text in the known files
    repeated: int  # unit text already kept from the new records


def dedupe(records: Iterable[Record], known: Iterable[Record]) -> tuple[list[Record], DedupeCounts]:
    """`records` in order, less those already in `known` or earlier in `records`."""
    known_ids: set[str] = set()
    known_texts: set[bytes] = set()
    for record in known:
        known_ids.add(record.id)
        known_texts.add(_digest(record.unit_before))
    kept: list[Record] = []
    seen: set[bytes] = set()
    dropped_known = repeated = 0
    for record in records:
        digest = _digest(record.unit_before)
        if record.id in known_ids or digest in known_texts:
            dropped_known += 1
        elif digest in seen:
            repeated += 1
        else:
            seen.add(digest)
            kept.append(record)
    return kept, DedupeCounts(len(kept), dropped_known, repeated)


def _digest(text: str) -> bytes:
    """Hashes keep tens of thousands of units' texts small in memory."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()

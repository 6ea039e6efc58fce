"""`reviewer trust [--revoke]`: the user's consent, recorded, for a
repository's config to choose where code and keys go (trust.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from reviewer import trust
from reviewer.config_files import find_config_file, reviewer_table
from reviewer.errors import EXIT_OK
from reviewer.git import open_repo, repo_root
from reviewer.guarded import GUARDED_MODEL_KEYS


def run_trust(args: argparse.Namespace) -> int:
    root = repo_root(open_repo("."))
    if args.revoke:
        if trust.revoke(root):
            print(f"reviewer: {root} is no longer trusted")
        else:
            print(f"reviewer: {root} was not trusted")
        return EXIT_OK
    digests = trust.trust(root)
    print(f"reviewer: trusted {root} as its config is now:")
    for name, digest in sorted(digests.items()):
        print(f"  {name}  sha256 {digest}")
    granted = _guarded_settings(root)
    if granted:
        print("its settings that now apply:")
        for key, value in granted:
            print(f"  {key} = {value!r}")
    print("any change to these files revokes the trust (`reviewer trust` again to renew it)")
    return EXIT_OK


def _guarded_settings(root: Path) -> list[tuple[str, object]]:
    """The guarded settings the trusted file sets, so the user sees what
    they agreed to (names and values; a key's value is never in a file)."""
    path = find_config_file(root)
    table = reviewer_table(path) if path is not None else None
    model = table.get("model") if isinstance(table, dict) else None
    if not isinstance(model, dict):
        return []
    normalized = {str(key).replace("-", "_"): value for key, value in model.items()}
    return [(f"model.{key}", normalized[key]) for key in GUARDED_MODEL_KEYS if key in normalized]

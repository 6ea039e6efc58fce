"""`reviewer checks`: list the structural checks, one per line."""

from __future__ import annotations

import argparse

from reviewer.checks import checks_for
from reviewer.errors import EXIT_OK, ReviewerError
from reviewer.languages import registry


def run_checks_listing(args: argparse.Namespace) -> int:
    specs = registry()
    if args.language and args.language not in specs:
        raise ReviewerError(f"unknown language {args.language!r} (known: {', '.join(specs)})")
    seen = set()
    for name, spec in sorted(specs.items()):
        if args.language and name != args.language:
            continue
        check_set = checks_for(spec)
        for check in check_set.checks if check_set else []:
            if check.id in seen:
                continue  # tsx shares TypeScript's checks
            seen.add(check.id)
            fix = "  [fix]" if check.fix else ""
            print(f"{check.id:<32} {check.severity.label:<8} {check.message}{fix}")
    return EXIT_OK

"""Which licence a repository carries (its SPDX id, from the licence file at
HEAD), and whether its code may be mined into a shareable dataset."""

from __future__ import annotations

import re

from reviewer.git import History

LICENSE_FILES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENSE.rst", "COPYING", "LICENCE",
                 "UNLICENSE", "LICENSE-MIT", "LICENSE-APACHE", "LICENSE.MIT", "license",
                 "license.md", "COPYING.rst")  # fmt: skip
# Checked in order: the first whose pattern matches names the licence.
SIGNATURES = (
    ("Apache-2.0", r"Apache License,?\s+Version 2\.0"),
    ("MIT", r"Permission is hereby granted, free of charge"),
    ("BSD-3-Clause", r"Neither the name of .{0,200}? nor the names"),
    ("BSD-2-Clause", r"Redistributions in binary form must reproduce"),
    ("ISC", r"Permission to use, copy, modify, and/or distribute this software"),
    ("Unlicense", r"This is free and unencumbered software released into the public domain"),
    ("MPL-2.0", r"Mozilla Public License,? v(ersion)?\.? ?2\.0"),
    ("GPL-3.0", r"GNU GENERAL PUBLIC LICENSE\s+Version 3"),
    ("GPL-2.0", r"GNU GENERAL PUBLIC LICENSE\s+Version 2"),
    ("LGPL-3.0", r"GNU LESSER GENERAL PUBLIC LICENSE\s+Version 3"),
    ("AGPL-3.0", r"GNU AFFERO GENERAL PUBLIC LICENSE"),
)
PERMISSIVE = {"Apache-2.0", "MIT", "BSD-3-Clause", "BSD-2-Clause", "ISC", "Unlicense", "0BSD"}


def detect_license(history: History) -> str | None:
    head = history.head()
    if head is None:
        return None
    for name in LICENSE_FILES:
        text = history.text(head, name)
        if text is None:
            continue
        flat = " ".join(text.split())  # the signatures wrap anywhere in real files
        for spdx, pattern in SIGNATURES:
            if re.search(pattern, flat, re.IGNORECASE | re.DOTALL):
                return spdx
    return None


def is_permissive(spdx: str) -> bool:
    """For `A OR B` one permissive alternative suffices (the user may choose it)."""
    return any(part.strip() in PERMISSIVE for part in re.split(r"\s+OR\s+", spdx))

"""The categories an explanation may name (its schema's `category`)."""

from __future__ import annotations

from typing import Literal

CATEGORIES = (
    "bug",
    "security",
    "error-handling",
    "performance",
    "concurrency",
    "resource-leak",
    "api-misuse",
    "maintainability",
)

Category = Literal[
    "bug",
    "security",
    "error-handling",
    "performance",
    "concurrency",
    "resource-leak",
    "api-misuse",
    "maintainability",
]

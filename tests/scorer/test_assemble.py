"""The model tier is assembled in one place, reviewer.scorer.assemble, and
imports run down only: reviewer.model (backends and weights) below
reviewer.scorer (heads, gates, the tier) and reviewer.risk, the assembly on
top of them. Read from the source with `ast` (tests/test_imports.py): lazy
imports and those under TYPE_CHECKING count too."""

from __future__ import annotations

from tests.test_imports import cycles, import_graph

ASSEMBLY = "reviewer.scorer.assemble"
TIER_PACKAGES = ("reviewer.model", "reviewer.scorer", "reviewer.risk")


def _in(module: str, *packages: str) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


def test_the_model_package_imports_nothing_above_it() -> None:
    upward = {
        (module, target)
        for module, targets in import_graph().items()
        if _in(module, "reviewer.model")
        for target in targets
        if _in(target, "reviewer.scorer", "reviewer.risk")
    }
    assert upward == set()


def test_nothing_below_the_assembly_imports_it() -> None:
    back = {
        module
        for module, targets in import_graph().items()
        if module != ASSEMBLY and _in(module, *TIER_PACKAGES) and ASSEMBLY in targets
    }
    assert back == set()


def test_the_tier_packages_form_no_circle() -> None:
    # One node per package: a lazy import from model back into scorer (the
    # knot this module untied) is a circle here even when no two modules
    # import each other.
    packages: dict[str, set[str]] = {package: set() for package in TIER_PACKAGES}
    for module, targets in import_graph().items():
        source = next((p for p in TIER_PACKAGES if _in(module, p)), None)
        if source is None or module == ASSEMBLY:
            continue
        packages[source] |= {
            p for p in TIER_PACKAGES if p != source and any(_in(t, p) for t in targets)
        }
    assert cycles(packages) == []


def test_the_rule_sees_the_assembly_s_imports() -> None:
    # The walker reads this module's lazy imports, so the rules above are not vacuous.
    targets = import_graph()[ASSEMBLY]
    assert {"reviewer.model.factory", "reviewer.scorer.build", "reviewer.scorer.tier"} <= targets
    assert "reviewer.risk.choose" in targets

"""Times the phases of one structural review in-process and prints them as
JSON: imports, reading the change set from git, the first review (which
compiles the queries) and a second, warm review of the same change set.

With --profile, instead prints the cumulative seconds of reviewer's own
functions during one warm review (cProfile), to show where review time goes;
with --queries, the seconds to compile each language's query files.

Run by structural_speed.py as `python bench/_engine_probe.py REPO [--profile|--queries]`
with the interpreter that has reviewer installed; a fresh process every time.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import sys
import time

PROFILE_TOP = 15
_KEEP_ALIVE: list[object] = []  # compiled queries, never freed (see query_compile)
NATIVE = {
    "<method 'parse' of 'tree_sitter.Parser' objects>": "tree_sitter.Parser.parse",
    "<method 'matches' of 'tree_sitter.QueryCursor' objects>": "tree_sitter.QueryCursor.matches",
}


def phases(repo: str) -> dict[str, float | int]:
    start = time.perf_counter()
    from reviewer.config import Config
    from reviewer.engine import review
    from reviewer.git import ChangeReader, open_repo

    imported = time.perf_counter()
    change_set = ChangeReader(open_repo(repo)).working_tree()
    read = time.perf_counter()
    report = review(change_set, Config())
    cold = time.perf_counter()
    review(change_set, Config())
    warm = time.perf_counter()
    return {
        "import": imported - start,
        "read": read - imported,
        "review_cold": cold - read,
        "review_warm": warm - cold,
        "files": report.files_reviewed,
        "units": report.units_reviewed,
        "findings": len(report.findings),
        "skipped": len(report.skipped),
    }


def profile(repo: str) -> dict[str, float]:
    """Cumulative seconds per reviewer function (and tree-sitter's parse and
    query calls) in one warm review."""
    from reviewer.config import Config
    from reviewer.engine import review
    from reviewer.git import ChangeReader, open_repo

    change_set = ChangeReader(open_repo(repo)).working_tree()
    review(change_set, Config())
    profiler = cProfile.Profile()
    profiler.runcall(review, change_set, Config())
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    result = {}
    for (filename, _line, function), row in stats.items():
        cumulative = row[3]
        if "/reviewer/" in filename and not function.startswith("<"):
            name = filename.split("/reviewer/", 1)[1].removesuffix(".py").replace("/", ".")
            result[f"reviewer.{name}.{function}"] = cumulative
        elif function in NATIVE:
            result[NATIVE[function]] = cumulative
    top = sorted(result.items(), key=lambda item: item[1], reverse=True)[:PROFILE_TOP]
    return dict(top)


def query_compile() -> dict[str, float]:
    """Seconds to compile each language's scopes.scm and checks.scm (what the
    first review of a file in that language pays once per process)."""
    import tree_sitter

    from reviewer.languages import registry
    from reviewer.queries import query_text

    result = {}
    seen: set[str] = set()
    # Keep every Query alive: with tree-sitter 0.26.1, freeing a Query whose
    # patterns mix a text predicate (#eq?) with #set! corrupts the heap and a
    # later import segfaults (0.25.2 is fine).
    for name, spec in registry().items():  # typescript before tsx, which shares its text
        language = spec.language  # load the grammar first: not part of the compile
        for query_file in ("scopes.scm", "checks.scm"):
            text = query_text(spec, query_file).text  # inherited patterns included
            if not text.strip() or text in seen:
                continue  # no queries, or the same as another language's (tsx)
            seen.add(text)
            start = time.perf_counter()
            _KEEP_ALIVE.append(tree_sitter.Query(language, text))
            result[f"{name} {query_file}"] = time.perf_counter() - start
    return result


def main(argv: list[str]) -> int:
    if "--profile" in argv[2:]:
        result: dict[str, float] | dict[str, float | int] = profile(argv[1])
    elif "--queries" in argv[2:]:
        result = query_compile()
    else:
        result = phases(argv[1])
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

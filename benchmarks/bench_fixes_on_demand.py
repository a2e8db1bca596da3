"""What fixes on demand save, measured in one run: the analysis of a generated 5,000-line module
with its fix edits (``check --fix``, JSON) against without them (the server, ``check`` text-less
formats), for Python and JavaScript; and a code action's cost for one finding's fixes, built from
what the server's incremental analysis kept against a new analysis from the recipe (the way
before).

Run: ``python benchmarks/bench_fixes_on_demand.py [--repeat N]``; best times of interleaved runs
(a shared machine only ever adds time), shown as ratios to the baseline of the same run.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from bench_js import generated_module as javascript_module
from generate import generated_module as python_module

from leak_lsp.analysis import analyze_source, fixes_for
from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.incremental import IncrementalAnalyzer


def best_of_interleaved(repeat: int, *runs: Callable[[], object]) -> list[float]:
    best = [float("inf")] * len(runs)
    for _ in range(repeat):
        for index, run in enumerate(runs):
            start = time.perf_counter()
            run()
            best[index] = min(best[index], time.perf_counter() - start)
    return best


def analysis_with_and_without_fixes(name: str, source: str, path: str, repeat: int) -> None:
    eager, lazy = best_of_interleaved(repeat, lambda: analyze_source(source, path), lambda: analyze_source(source, path, fixes=False))
    findings = len(analyze_source(source, path, fixes=False).findings)
    print(f"{name} analysis, {source.count(chr(10))} lines, {findings} findings: with fixes {eager * 1000:7.1f} ms,"
          f" without {lazy * 1000:7.1f} ms, ratio {lazy / eager:.2f}")


def one_findings_fixes(name: str, source: str, path: str, repeat: int) -> None:
    analyzer = IncrementalAnalyzer(path, Settings(), fixes=False)
    report = analyzer.analyze(source)
    fixer = analyzer.fixer
    recipes = [finding.recipe for finding in report.findings if finding.recipe]
    assert fixer is not None and recipes
    recipe = recipes[len(recipes) // 2]
    assert fixer(recipe) == fixes_for(source, recipe, path=path)
    anew, kept = best_of_interleaved(repeat, lambda: fixes_for(source, recipe, path=path), lambda: fixer(recipe))
    print(f"{name} code action, one finding's fixes: from the recipe, analysed anew {anew * 1000:7.1f} ms,"
          f" from the kept inputs {kept * 1000:7.3f} ms, ratio {kept / anew:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    modules = [("Python", python_module(), "/bench/handlers.py"), ("JavaScript", javascript_module(), "/bench/handlers.js")]
    for name, source, path in modules:
        analysis_with_and_without_fixes(name, source, path, args.repeat)
    for name, source, path in modules:
        one_findings_fixes(name, source, path, args.repeat)


if __name__ == "__main__":
    main()

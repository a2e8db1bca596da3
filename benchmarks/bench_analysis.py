"""Analysis time of a generated 5,000-line module, as a ratio to ``ast.parse`` of the same text.

Run: ``python benchmarks/bench_analysis.py [--repeat N]``. Both are measured in the same
run, interleaved, so machine noise hits both; the goal is a ratio of at most 2.
"""

from __future__ import annotations

import argparse
import ast
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import generated_module  # noqa: E402

from leak_lsp.analysis import analyze_source  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    source = generated_module()
    parse_times, analysis_times = [], []
    analyze_source(source, "bench.py")  # warm caches (rule catalogue) once
    for _ in range(args.repeat):
        start = time.perf_counter()
        ast.parse(source)
        parse_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        report = analyze_source(source, "bench.py")
        analysis_times.append(time.perf_counter() - start)
    parse, analysis = statistics.median(parse_times), statistics.median(analysis_times)
    print(f"module: {source.count(chr(10))} lines, {len(report.handlers)} handlers, {len(report.findings)} findings")
    print(f"ast.parse      median {parse * 1000:8.1f} ms")
    print(f"leak-lsp       median {analysis * 1000:8.1f} ms")
    print(f"ratio          {analysis / parse:8.2f}x  (goal: <= 2x)")


if __name__ == "__main__":
    main()

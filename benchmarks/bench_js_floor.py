"""What one pass of Python over the syntax tree costs, as a ratio to the tree-sitter parse of the
same 5,000-line module (bench_js.py's): the floor of any analysis that visits every named node
from Python, measured to read bench_js.py's ratio against its 2x goal.

Run: ``python benchmarks/bench_js_floor.py [--repeat N]``; best times of interleaved runs.
"""

from __future__ import annotations

import argparse
import time

from bench_js import generated_module

from leak_lsp.javascript.syntax import Node, ParsedSource


def named_nodes(root: Node) -> int:
    """Visits every named node once, as the lowering's recursion does."""
    count, stack = 0, [root]
    while stack:
        node = stack.pop()
        count += 1
        stack.extend(node.named_children)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    source = generated_module()
    parse_times, walk_times = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        parsed = ParsedSource(source, "bench.js")
        parse_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        count = named_nodes(parsed.root)
        walk_times.append(time.perf_counter() - start)
    parse, walk = min(parse_times), min(walk_times)
    print(f"tree-sitter parse            best {parse * 1000:8.1f} ms")
    print(f"one Python pass ({count} named nodes) best {walk * 1000:8.1f} ms")
    print(f"ratio                        {walk / parse:8.2f}x")


if __name__ == "__main__":
    main()

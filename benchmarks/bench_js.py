"""JavaScript analysis time of a generated 5,000-line module, as a ratio to the tree-sitter
parse alone of the same text (issue 11's goal: at most 2x), and the server's incremental
re-parse of the module after a one-character edit.

Run: ``python benchmarks/bench_js.py [--repeat N]``. Both are measured in the same run,
interleaved, so machine noise hits both; the ratio is of the best times (a shared machine only
ever adds time, and the 15 ms parse moves most), the medians are shown beside them.
"""

from __future__ import annotations

import argparse
import statistics
import time

from leak_lsp.analysis import analyze_source
from leak_lsp.javascript.incremental import reparse
from leak_lsp.javascript.syntax import ParsedSource, encoded, parser_for

_UNIT = '''
async function helper{n}(items) {{
  const results = [];
  for (const item of items) {{
    results.push(fetch(`https://api.example.com/${{item}}`));
  }}
  return Promise.all(results);
}}

function startTimer{n}(ms) {{
  return setTimeout(() => console.log("timer {n}"), ms);
}}

exports.handler{n} = async (event, context) => {{
  const timer = startTimer{n}(100);
  const audit = fetch("https://audit.example.com/{n}");
  try {{
    if (event.kind === "a") {{
      await helper{n}(event.items);
      return {{ ok: true }};
    }} else if (event.kind === "b") {{
      throw new Error("unsupported {n}");
    }}
    switch (event.mode) {{
      case 1:
        await audit;
        break;
      default:
        void helper{n}([]);
    }}
    let attempts = 0;
    while (attempts < 3) {{
      attempts += 1;
    }}
    return {{ attempts }};
  }} finally {{
    clearTimeout(timer);
  }}
}};
'''


def generated_module(lines: int = 5000) -> str:
    unit_lines = _UNIT.count("\n")
    return "".join(_UNIT.format(n=n) for n in range(lines // unit_lines + 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    source = generated_module()
    analyze_source(source, "bench.js")  # warm caches (grammars, rule catalogue) once
    edited = encoded(source.replace("timer 64", "timer 64!"))  # one character typed mid-module
    parser = parser_for("bench.js")
    parse_times, analysis_times, reparse_times = [], [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        parsed = ParsedSource(source, "bench.js")
        parse_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        reparse(parser, parsed.tree, parsed.data, edited)
        reparse_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        report = analyze_source(source, "bench.js")
        analysis_times.append(time.perf_counter() - start)
    parse, analysis = min(parse_times), min(analysis_times)
    print(f"module: {source.count(chr(10))} lines, {len(report.handlers)} handlers, {len(report.findings)} findings")
    print(f"tree-sitter parse   best {parse * 1000:8.1f} ms  median {statistics.median(parse_times) * 1000:8.1f} ms")
    print(f"parse + analysis    best {analysis * 1000:8.1f} ms  median {statistics.median(analysis_times) * 1000:8.1f} ms")
    print(f"ratio of the bests  {analysis / parse:8.2f}x  (goal: <= 2x)")
    print(f"the server's re-parse after typing one character: best {min(reparse_times) * 1000:.1f} ms, "
          f"{min(reparse_times) / parse:.2f}x the parse (the tree only; the parse line includes the line index)")

if __name__ == "__main__":
    main()

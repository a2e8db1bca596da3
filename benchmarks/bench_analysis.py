"""Analysis time of a generated module as ratios to ``ast.parse`` of the same text, in one run.

- whole process: ``leak-lsp check --no-cache FILE`` against ``python -c "ast.parse(...)"`` of the
  same file (interpreter start-up and imports included in both); goal at most 2x; then the same
  check of the unchanged file answered from the results cache;
- in process: ``analyze_source`` against ``ast.parse``; goal at most 1.5x; also without fix edits
  (what an editor needs: fixes are computed when a code action asks);
- an edit: one character changed inside one function, analysed by an ``IncrementalAnalyzer`` that
  analysed the text before the edit (without fixes, as the server does), against ``ast.parse`` of
  the edited text.

Each pair is measured interleaved, so machine noise hits both sides; medians are printed, as wall
times with their ratio and as the ratio of CPU times (user and system time of the process and of the
children it waited for), which jobs competing for the machine's cores inflate far less. In
process, the cyclic garbage collector is off while timing both sides: it would otherwise charge
``ast.parse`` for scanning the objects earlier runs left (two to three times its cost here).
Before the whole-process runs, leak-lsp's bytecode is written once, as installing a wheel does:
with ``PYTHONDONTWRITEBYTECODE`` set and no ``__pycache__``, every run would compile it again,
which no installed copy does (``ast.parse``'s side reads the standard library's cached bytecode).

``--profile`` prints where one fresh analysis spends its time (cProfile, by own and by
cumulative time) instead of the ratios; ``--phases`` the CPU time of each phase of a fresh
analysis without fixes (nested phases excluded: a helper's summary is not its caller's flow
analysis) as a multiple of ``ast.parse``'s, median over ``--repeat`` analyses (cProfile overstates
code made of many small calls).

    python benchmarks/bench_analysis.py [--lines 20000] [--repeat 5] [--profile | --phases]
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import gc
import inspect
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import generated_module  # noqa: E402

import leak_lsp  # noqa: E402
from leak_lsp.analysis import analyze_source, engine, parsing, raising  # noqa: E402
from leak_lsp.analysis.config import Settings  # noqa: E402
from leak_lsp.analysis.incremental import IncrementalAnalyzer  # noqa: E402
from leak_lsp.analysis.lifecycle import fixpoint  # noqa: E402

EDITED = "results.append(str(item).upper())"


Timing = tuple[float, float]  # (wall seconds, CPU seconds of this process and the children it waited for)


def _cpu() -> float:
    """CPU time of this process and its finished children: what other jobs on the machine do not inflate."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(action: Callable[[], object]) -> Timing:
    gc.collect()
    gc.disable()
    try:
        start, cpu = time.perf_counter(), _cpu()
        action()
        return time.perf_counter() - start, _cpu() - cpu
    finally:
        gc.enable()


def _medians(repeat: int, baseline: Callable[[], object], measured: Callable[[], object]) -> tuple[Timing, Timing]:
    base, timed = [], []
    for _ in range(repeat):
        base.append(_timed(baseline))
        timed.append(_timed(measured))
    return _median(base), _median(timed)


def _median(timings: list[Timing]) -> Timing:
    return statistics.median(wall for wall, _ in timings), statistics.median(cpu for _, cpu in timings)


def _print(label: str, base_label: str, base: Timing, timed: Timing, goal: str) -> None:
    """Wall times and their ratio, then the ratio of CPU times (steadier on a machine shared with other jobs)."""
    print(f"{label:<34} {timed[0] * 1000:9.1f} ms   {base_label} {base[0] * 1000:8.1f} ms   "
          f"ratio {timed[0] / base[0]:6.2f}x (CPU {timed[1] / base[1]:5.2f}x)" + (f"  (goal {goal})" if goal else ""))


def _run(command: list[str]) -> None:
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def _write_bytecode() -> None:
    """Compile leak-lsp's modules to ``__pycache__`` once, as ``pip install`` does for a wheel."""
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    package = Path(leak_lsp.__file__).parent  # the copy imported here, which the subprocesses import too
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], env=environment,
                   stdout=subprocess.DEVNULL, check=False)


def _profile(source: str) -> None:
    profile = cProfile.Profile()
    profile.runcall(analyze_source, source, "bench.py", fixes=False)
    for order in ("tottime", "cumulative"):
        pstats.Stats(profile).sort_stats(order).print_stats(30)


class _PhaseTimer:
    """CPU time spent in each wrapped function, less that of the wrapped functions it called."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}
        self._stack: list[list[float]] = []  # per active phase: the CPU time its nested phases took

    def wrap(self, owner: object, name: str, label: str) -> None:
        original = getattr(owner, name)

        def timed(*args: object, **kwargs: object) -> object:
            start = time.process_time()
            self._stack.append([0.0])
            try:
                return original(*args, **kwargs)
            finally:
                spent = time.process_time() - start
                nested = self._stack.pop()[0]
                self.totals[label] = self.totals.get(label, 0.0) + spent - nested
                if self._stack:
                    self._stack[-1][0] += spent

        setattr(owner, name, staticmethod(timed) if isinstance(inspect.getattr_static(owner, name), staticmethod) else timed)


def _phases(source: str, repeat: int) -> None:
    timer = _PhaseTimer()
    for owner, name, label in (
        (parsing.TreeIndex, "of", "tree index"), (engine, "discover_handlers", "handler discovery"),
        (fixpoint, "build_graph", "control-flow graph, less the raise test"), (raising.RaiseTest, "__call__", "raise test"),
        (fixpoint, "gather_facts", "a function's facts"), (fixpoint.Fixpoint, "run", "flow analysis fixpoint"),
        (engine._Module, "_leaks", "pending work -> findings"), (engine._Module, "_summarize", "helper summaries"),
        (engine, "parse_module", "parsing (ast.parse and the line index)"), (engine, "apply_noqa", "noqa"),
        (engine, "analyze_module", "the rest (the engine's own work)"),
    ):
        timer.wrap(owner, name, label)
    analyze_source(source, "bench.py", fixes=False)  # imports and first-use caches out of the way
    runs: list[dict[str, float]] = []
    for _ in range(repeat):
        parse = _timed(lambda: ast.parse(source))[1]
        timer.totals.clear()
        _timed(lambda: analyze_source(source, "bench.py", fixes=False))
        runs.append({label: spent / parse for label, spent in timer.totals.items()})
    for label in sorted(runs[0], key=lambda label: -runs[0][label]):
        print(f"{label:<44} {statistics.median(run.get(label, 0.0) for run in runs):5.2f}x ast.parse")
    print(f"{'total':<44} {statistics.median(sum(run.values()) for run in runs):5.2f}x ast.parse")


def _edits(source: str, repeat: int) -> list[str]:
    """Texts that differ from ``source`` by one character inside one function, spread over the module."""
    texts, start = [], 0
    for number in range(repeat):
        start = source.index(EDITED, (len(source) * number) // repeat)
        texts.append(source[:start] + EDITED.replace("upper", "lower") + source[start + len(EDITED):])
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="profile one fresh analysis instead")
    parser.add_argument("--phases", action="store_true", help="time each phase of a fresh analysis instead")
    args = parser.parse_args()
    source = generated_module(args.lines)
    if args.phases:
        _phases(source, args.repeat)
        return
    if args.profile:
        analyze_source(source, "bench.py", fixes=False)  # imports and first-use caches out of the way
        _profile(source)
        return
    report = analyze_source(source, "bench.py")
    print(f"leak_lsp from {Path(leak_lsp.__file__).parent}; module: {source.count(chr(10))} lines, "
          f"{len(report.handlers)} handlers, {len(report.findings)} findings")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.py"
        path.write_text(source, encoding="utf-8")
        parse_command = [sys.executable, "-c", f"import ast; ast.parse(open({str(path)!r}, encoding='utf-8').read())"]
        check_command = [sys.executable, "-m", "leak_lsp", "check", "--format", "sarif", str(path)]
        _write_bytecode()
        base, timed = _medians(args.repeat, lambda: _run(parse_command), lambda: _run([*check_command, "--no-cache"]))
        _print("leak-lsp check (whole process)", "python -c ast.parse", base, timed, "<= 2x")
        _run(check_command)  # fills the results cache
        base, timed = _medians(args.repeat, lambda: _run(parse_command), lambda: _run(check_command))
        _print("  the same, unchanged file (cached)", "python -c ast.parse", base, timed, "")
    base, timed = _medians(args.repeat, lambda: ast.parse(source), lambda: analyze_source(source, "bench.py"))
    _print("analyze_source (in process)", "ast.parse", base, timed, "<= 1.5x")
    base, timed = _medians(args.repeat, lambda: ast.parse(source),
                           lambda: analyze_source(source, "bench.py", fixes=False))
    _print("analyze_source, fixes on demand", "ast.parse", base, timed, "<= 1.5x")
    analyzer = IncrementalAnalyzer("bench.py", Settings(), fixes=False)  # as the server analyses
    analyzer.analyze(source)
    edits = iter(_edits(source, args.repeat))
    edited = [source]

    def parse_edit() -> None:
        edited[0] = next(edits)
        ast.parse(edited[0])

    base, timed = _medians(args.repeat, parse_edit, lambda: analyzer.analyze(edited[0]))
    _print("one-character edit, incremental", "ast.parse", base, timed, "<= 1.5x")
    print(f"  entries reused on the last edit: {analyzer.reused} of {len(report.handlers)}; "
          f"top-level chunks kept (not parsed again): {analyzer.kept_chunks}")


if __name__ == "__main__":
    main()

"""``leak-lsp check`` of a generated 1,000-module project, cold and warm, at 1, 2 and all
cores and with 16 workers asked for, beside ruff and pyflakes when they are installed; then the in-process cross-module
analysis after an edit in a shared helper.

Every figure is whole-process wall time measured in this run (best of ``--repeat``), and
printed with its ratio to a baseline of the same run. Run:
``python benchmarks/bench_project.py [--modules 1000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from leak_lsp.analysis import analyze_file
from leak_lsp.project.workspace import Workspace

SHARED = '''import threading


def start_flusher(batch):
    flusher = threading.Thread(target=print, args=(batch,))
    flusher.start()
    return flusher


def wait_all(threads):
    for thread in threads:
        thread.join()
'''

HELPER = '''from shared.common import start_flusher


def process_{n}(records):
    batch = [record for record in records if record]
    return start_flusher(batch)
'''

HANDLER = '''import threading

from helpers.helper_{n} import process_{n}
from shared.common import wait_all


def audit(event):
    return len(event)


def lambda_handler(event, context):
    flusher = process_{n}(event["records"])
    wait_all([flusher])
    {leak}
    return {{"statusCode": 200}}
'''

LEAK = "threading.Thread(target=audit, args=(event,)).start()"
SETTLED = "audit(event)"
CACHE = ".leak_lsp_cache"
OVERSUBSCRIBED = 16  # workers asked for: more than most machines have cores, which must not cost much


def build(root: Path, modules: int) -> list[Path]:
    """``modules`` modules: a quarter handlers (every other one leaking), the rest helpers."""
    handlers_count = modules // 4
    helpers_count = modules - handlers_count - 1
    (root / "pyproject.toml").write_text("[project]\nname = 'generated'\n")
    for folder in ("shared", "helpers", "handlers"):
        (root / folder).mkdir()
        (root / folder / "__init__.py").write_text("")
    (root / "shared" / "common.py").write_text(SHARED)
    for n in range(helpers_count):
        (root / "helpers" / f"helper_{n}.py").write_text(HELPER.format(n=n))
    handlers = []
    for n in range(handlers_count):
        path = root / "handlers" / f"handler_{n}.py"
        path.write_text(HANDLER.format(n=n % helpers_count, leak=LEAK if n % 2 else SETTLED))
        handlers.append(path)
    return handlers


class Timing(NamedTuple):
    wall: float  # seconds, best of the runs
    cpu: float  # user+system seconds of that run's processes: hardly changed by other jobs on the machine


def timed(command: Sequence[str], cwd: Path, repeat: int, before: object = None,
          env: dict[str, str] | None = None) -> Timing:
    """Best wall time of ``repeat`` runs, with that run's CPU time; ``before`` (a callable) runs before each."""
    best = Timing(float("inf"), 0.0)
    for _ in range(repeat):
        if callable(before):
            before()
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(list(command), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, **(env or {})}, check=False)
        wall = time.perf_counter() - start
        now = resource.getrusage(resource.RUSAGE_CHILDREN)
        best = min(best, Timing(wall, now.ru_utime + now.ru_stime - used.ru_utime - used.ru_stime))
    return best


def row(label: str, timing: Timing | float, baseline: Timing | None = None, against: str = "") -> None:
    seconds, cpu = (timing.wall, f"  cpu {timing.cpu * 1000:7.0f} ms") if isinstance(timing, Timing) else (timing, "")
    ratio = f"  {seconds / baseline.wall:6.2f}x {against}" if baseline else ""
    print(f"  {label:<42} {seconds * 1000:8.0f} ms{cpu}{ratio}")


def check_project(root: Path, repeat: int) -> None:
    leak_lsp = [sys.executable, "-m", "leak_lsp", "check", "--format", "json"]
    cores = os.cpu_count() or 1
    job_counts = sorted({1, 2, cores, OVERSUBSCRIBED})

    def drop_cache() -> None:
        shutil.rmtree(root / CACHE, ignore_errors=True)

    print("leak-lsp check, cold (no cache):")
    cold = {jobs: timed([*leak_lsp, "--no-cache", "-j", str(jobs), "."], root, repeat) for jobs in job_counts}
    for jobs in job_counts:
        row(f"-j {jobs}", cold[jobs], cold[1], "of -j 1")
    print("leak-lsp check, with the cache:")
    filling = timed([*leak_lsp, "-j", str(cores), "."], root, repeat, before=drop_cache)
    row(f"-j {cores}, empty cache (filling it)", filling, cold[cores], f"of cold -j {cores}")
    warm = {jobs: timed([*leak_lsp, "-j", str(jobs), "."], root, repeat) for jobs in job_counts}
    for jobs in job_counts:
        row(f"-j {jobs}, warm (nothing changed)", warm[jobs], cold[jobs], f"of cold -j {jobs}")
    others(root, repeat, cold[cores], warm[cores])


def others(root: Path, repeat: int, cold: Timing, warm: Timing) -> None:
    print("the same project, other tools (leak-lsp at all cores as the baseline):")
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff:
        ruff_cold = timed([ruff, "check", "--no-cache", "--exit-zero", "."], root, repeat)
        ruff_warm = timed([ruff, "check", "--exit-zero", "."], root, repeat)
        row("ruff check, cold", ruff_cold)
        row("ruff check, warm", ruff_warm)
        print(f"  leak-lsp / ruff: cold {cold.wall / ruff_cold.wall:.1f}x, warm {warm.wall / ruff_warm.wall:.1f}x")
    else:
        print("  ruff: not installed")
    if subprocess.run([sys.executable, "-m", "pyflakes", "--version"], capture_output=True).returncode == 0:
        pyflakes = timed([sys.executable, "-m", "pyflakes", "."], root, repeat)
        row("pyflakes (one process, no cache)", pyflakes)
        print(f"  leak-lsp / pyflakes: cold {cold.wall / pyflakes.wall:.1f}x, warm {warm.wall / pyflakes.wall:.1f}x")
    else:
        print("  pyflakes: not installed")


def edit_in_process(root: Path, handlers: list[Path]) -> None:
    """The cross-module path in one process: every handler, then again after a helper edit."""
    workspace = Workspace(root)
    start = time.perf_counter()
    cold_findings = sum(len(analyze_file(path, workspace=workspace).findings) for path in handlers)
    cold = time.perf_counter() - start
    shared = root / "shared" / "common.py"
    shared.write_text(SHARED.replace("    for thread in threads:\n        thread.join()\n", "    pass\n"))
    workspace.invalidate(shared)
    start = time.perf_counter()
    edited_findings = sum(len(analyze_file(path, workspace=workspace).findings) for path in handlers)
    edited = time.perf_counter() - start
    print(f"in process, {len(handlers)} handler modules:")
    row(f"cold ({cold_findings} findings)", cold)
    row(f"after a shared-helper edit ({edited_findings} findings)", edited, Timing(cold, 0.0), "of cold")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        handlers = build(root, options.modules)
        print(f"project: {options.modules} modules ({len(handlers)} handler modules), "
              f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
        check_project(root, options.repeat)
        edit_in_process(root, handlers)


if __name__ == "__main__":
    main()

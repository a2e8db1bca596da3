"""Checking many files: one task per file, in worker processes when there are enough of them.

Results come back in the order of the tasks, so the output does not depend on ``--jobs``.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TextIO

from leak_lsp.analysis import analyze_file, analyze_source
from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.model import FileReport, SourceProblem
from leak_lsp.analysis.text import decode_source
from leak_lsp.cli import cache
from leak_lsp.cli.fixing import FileFix, fix_file
from leak_lsp.project.workspace import Workspace, workspace_for

DEPLOYMENT = "deployment"  # what a deployment problem's message starts with: the server's diagnostic code

# Below this many files, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 8


class FixMode(str, Enum):
    NONE = "none"
    WRITE = "write"  # --fix
    DIFF = "diff"  # --diff: compute the fixes, leave the file alone


@dataclass(frozen=True)
class Task:
    path: str
    settings: Settings
    fix_mode: FixMode = FixMode.NONE
    unsafe_fixes: bool = False
    deployment: bool = False  # a deployment file: its entry points are checked, it is not Python
    use_cache: bool = False  # read and write .leak_lsp_cache (only when nothing is to be fixed)
    fixes: bool = True  # compute the settle fixes: --fix, --diff, and the outputs that show or count them


def check_deployment_file(task: Task) -> FileFix:
    """The problems the server shows in a deployment file: handlers naming a missing module or function."""
    workspace = workspace_for(task.path, task.settings)
    origin = Path(task.path).resolve()
    problems = [SourceProblem(f"{DEPLOYMENT}: {problem.message}", problem.span)
                for problem in workspace.deployments()[1] if problem.origin == origin]
    return FileFix(FileReport(task.path, problems=problems))


def is_deployment_problem(problem: SourceProblem) -> bool:
    return problem.message.startswith(f"{DEPLOYMENT}: ")


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while one file is checked: the file's syntax tree and the analysis's
    objects stay alive until its end, and the collector's repeated passes over them made the check of a
    20,000-line module take half again as much CPU time. What the check leaves behind (cycles among its
    objects) goes in the collector's first pass afterwards, so memory stays bounded by one file's analysis."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def check_one(task: Task) -> FileFix:
    """Analyse (and maybe fix) one file; a failure is that file's problem, not the run's."""
    with _collector_paused():
        return _check_one(task)


def _check_one(task: Task) -> FileFix:
    try:
        if task.deployment:
            return check_deployment_file(task)
        try:
            data = Path(task.path).read_bytes()
            source = decode_source(data)
        except (OSError, UnicodeDecodeError, SyntaxError):
            return FileFix(analyze_file(task.path, task.settings))  # which says what is wrong with the file
        workspace = _workspace(task)
        if task.use_cache and task.fix_mode is FixMode.NONE:
            return FileFix(_cached_analysis(task, data, source, workspace))
        report = analyze_source(source, task.path, task.settings, workspace,
                                fixes=task.fixes or task.fix_mode is not FixMode.NONE)
        if task.fix_mode is FixMode.NONE or not report.analysed:
            return FileFix(report)
        return fix_file(Path(task.path), data, report, task.settings, task.unsafe_fixes,
                        write=task.fix_mode is FixMode.WRITE, workspace=workspace)
    except Exception as error:  # noqa: BLE001 - the analysis must never take the whole run down
        problem = SourceProblem(f"internal error while checking the file: {type(error).__name__}: {error}")
        return FileFix(FileReport(task.path, problems=[problem], analysed=False))


def _cached_analysis(task: Task, data: bytes, source: str, workspace: Workspace) -> FileReport:
    """Analyse a file the cache did not answer for, and keep the result."""
    report = analyze_source(source, task.path, task.settings, workspace)
    cache.store(cache.cache_folder(task.settings), _cache_key(task, data, workspace), report)
    return report


def _cache_key(task: Task, data: bytes, workspace: Workspace) -> str:
    fingerprint = cache.deployment_fingerprint(workspace.root) if workspace.find_deployments else ""
    return cache.entry_key(task.path, data, task.settings, fingerprint)


_WORKSPACE_OF_FOLDER: dict[str, Workspace] = {}


def _workspace(task: Task) -> Workspace:
    """``workspace_for``, looked up once per folder: a thousand files share a few folders."""
    folder = os.path.dirname(task.path)
    if folder not in _WORKSPACE_OF_FOLDER:
        _WORKSPACE_OF_FOLDER[folder] = workspace_for(task.path, task.settings)
    return _WORKSPACE_OF_FOLDER[folder]


def cached_result(task: Task) -> FileFix | None:
    """The cache's answer for a task, looked up in this process (cheaper than a worker's round trip)."""
    if not task.use_cache or task.fix_mode is not FixMode.NONE or task.deployment:
        return None
    try:
        data = Path(task.path).read_bytes()
        report = cache.load(cache.cache_folder(task.settings), _cache_key(task, data, _workspace(task)))
    except (OSError, ValueError, RuntimeError):
        return None
    return FileFix(report) if report is not None else None


def run_tasks(tasks: Sequence[Task], jobs: int, on_done: Callable[[], None]) -> list[FileFix]:
    """Every task's result, in the order of the tasks: from the cache, else analysed in ``jobs`` processes."""
    results: list[FileFix | None] = [_done(hit, on_done) if hit else None for hit in map(cached_result, tasks)]
    missed = [index for index, result in enumerate(results) if result is None]
    for index, result in zip(missed, _analyse(tasks, missed, jobs, on_done)):
        results[index] = result
    return [result for result in results if result is not None]


def _analyse(tasks: Sequence[Task], indexes: list[int], jobs: int, on_done: Callable[[], None]) -> Iterator[FileFix]:
    todo = [tasks[index] for index in indexes]
    # More workers than CPUs cannot run at once, and each one pays its own imports and jedi's
    # warm-up: 16 asked for on 2 CPUs cost 2.6x the CPU time of 2 (benchmarks/bench_project.py).
    workers = min(jobs, len(todo), usable_cpus())
    if workers <= 1 or len(todo) <= PARALLEL_THRESHOLD:
        yield from (_done(check_one(task), on_done) for task in todo)
        return
    from concurrent.futures import ProcessPoolExecutor  # only when there are workers to start

    import leak_lsp.analysis.engine  # noqa: F401 - once, before the workers are forked, not in each of them

    chunk = max(1, len(todo) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from (_done(result, on_done) for result in pool.map(check_one, todo, chunksize=chunk))


def usable_cpus() -> int:
    """The CPUs this process may run on: fewer than the machine has in a container or under taskset."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _done(result: FileFix, on_done: Callable[[], None]) -> FileFix:
    on_done()
    return result


class ProgressBar:
    """``[#####.....] 12/40 files`` on a terminal's stderr; silent anywhere else."""

    WIDTH = 30
    INTERVAL = 0.05  # seconds between redraws

    def __init__(self, total: int, stream: TextIO = sys.stderr) -> None:
        self.total = total
        self.done = 0
        self.stream = stream
        self.enabled = total > 1 and stream.isatty()
        self._drawn_at = 0.0

    def advance(self) -> None:
        self.done += 1
        now = time.monotonic()
        if self.enabled and (now - self._drawn_at >= self.INTERVAL or self.done == self.total):
            self._drawn_at = now
            filled = self.WIDTH * self.done // self.total
            self.stream.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.done}/{self.total} files")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

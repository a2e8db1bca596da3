"""Checking many files: one task per file, in worker processes when there are enough of them.

Results come back in the order of the tasks, so the output does not depend on ``--jobs``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TextIO

from leak_lsp.analysis import analyze_file
from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.model import FileReport, SourceProblem
from leak_lsp.cli.fixing import FileFix, fix_file
from leak_lsp.project.workspace import workspace_for

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
    fixes: bool = True  # compute the settle fixes: --fix, --diff, and the outputs that show or count them


def check_one(task: Task) -> FileFix:
    """Analyse (and maybe fix) one file; a failure is that file's problem, not the run's."""
    try:
        workspace = workspace_for(task.path, task.settings)
        report = analyze_file(task.path, task.settings, workspace, fixes=task.fixes or task.fix_mode is not FixMode.NONE)
        if task.fix_mode is FixMode.NONE or not report.analysed:
            return FileFix(report)
        return fix_file(Path(task.path), report, task.settings, task.unsafe_fixes, write=task.fix_mode is FixMode.WRITE,
                        workspace=workspace)
    except Exception as error:  # noqa: BLE001 - the analysis must never take the whole run down
        problem = SourceProblem(f"internal error while checking the file: {type(error).__name__}: {error}")
        return FileFix(FileReport(task.path, problems=[problem], analysed=False))


def run_tasks(tasks: Sequence[Task], jobs: int, on_done: Callable[[], None]) -> list[FileFix]:
    if jobs <= 1 or len(tasks) <= PARALLEL_THRESHOLD:
        return [_done(check_one(task), on_done) for task in tasks]
    workers = min(jobs, len(tasks))
    chunk = max(1, len(tasks) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [_done(result, on_done) for result in pool.map(check_one, tasks, chunksize=chunk)]


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

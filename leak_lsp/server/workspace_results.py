"""The last workspace-diagnostic result of each file not open in the editor, and when it
is still good: the same disk stamp, the same settings, and nothing it depends on (nor
any deployment file) changed since its analysis started."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from leak_lsp.server.analyses import Analysis
    from leak_lsp.server.session import Session

Stamp = tuple[int, int, int]  # mtime_ns, size, inode


@dataclass(frozen=True)
class FileResult:
    """One file's diagnostics, and what they were computed from."""

    uri: str
    version: int | None
    diagnostics: list[types.Diagnostic]
    result_id: str
    listed: bool  # it defines a handler or has a finding
    stamp: Stamp | None  # of the disk file; None for an open document
    settings_generation: int
    clock: int  # the session's change clock when the analysis started
    dependencies: frozenset[str]


class WorkspaceResults:
    """Results by resolved path; an open document's result lives in the session's Analyses instead."""

    def __init__(self) -> None:
        self._results: dict[Path, FileResult] = {}
        self._open: dict[str, tuple[Analysis, FileResult]] = {}  # uri -> the analysis its result was made from

    def of_open(self, analysis: Analysis, make: Callable[[], FileResult]) -> FileResult:
        """The result of an open document's current analysis, converted once."""
        known = self._open.get(analysis.uri)
        if known is None or known[0] is not analysis:
            known = self._open[analysis.uri] = (analysis, make())
        return known[1]

    def get(self, session: Session, path: Path, stamp: Stamp | None) -> FileResult | None:
        cached = self._results.get(path)
        if cached is None or cached.stamp != stamp or cached.settings_generation != session.settings.generation:
            return None
        if session.projects.changed_since(cached.clock, cached.dependencies | {str(path)}) or session.entry_points_changed_since(cached.clock):
            return None
        return cached

    def put(self, path: Path, result: FileResult) -> None:
        self._results[path] = result

    def forget_open(self, uri: str) -> None:
        self._open.pop(uri, None)

    def keep_only(self, paths: set[Path]) -> None:
        """Forget the files that are gone from the workspace."""
        self._results = {path: result for path, result in self._results.items() if path in paths}
        self._open = {uri: known for uri, known in self._open.items() if Path(known[0].path) in paths}

"""The projects behind the open documents: one analysis :class:`Workspace` per project
root, and which open documents depend on which other files.

A document's project is found from the file upwards, as ``check`` finds it
(:func:`leak_lsp.project.files.project_root`), crossing the editor's workspace folder
when the project lies above it. Only when no folder above the file is marked does the
innermost workspace folder holding it stand in for the root.

A Workspace caches helper summaries and the deployment scan. When a file changes, the
change is queued here and applied (``Workspace.invalidate``) by the next analysis in a
worker thread, so the event loop never waits for a Workspace's lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.model import FileReport
from leak_lsp.project.files import ROOT_MARKERS, marked_root, resolved

if TYPE_CHECKING:
    from leak_lsp.project.deployment import DeploymentProblem
    from leak_lsp.project.workspace import Workspace

TextReader = Callable[[Path], "str | None"]


def deployment_problems(workspace: Workspace, path: str) -> list[DeploymentProblem]:
    """The problems of the deployment file at ``path`` (none for other files)."""
    file = resolved(path)
    _, problems = workspace.deployments()
    return [problem for problem in problems if problem.origin == file]


class Projects:
    """Thread-safe: workspaces are looked up and changes applied in worker threads."""

    def __init__(self, folders: Callable[[], list[Path]], read_text: TextReader, settings_for: Callable[[Path], Settings]) -> None:
        self._folders = folders
        self._read_text = read_text
        self._settings_for = settings_for
        self._lock = threading.Lock()
        self._workspaces: dict[Path, Workspace] = {}
        self._roots: dict[Path, tuple[Path, bool]] = {}  # a file's folder -> its project root, deployments scanned
        self._pending: dict[Path, set[str]] = {}  # workspace root -> changed paths not yet invalidated
        self._dependencies: dict[str, frozenset[str]] = {}  # uri -> the files its last report depends on
        self._dependents: dict[str, set[str]] = {}  # file -> the uris whose last report depends on it
        self._clock = 0
        self._open: dict[Path, set[str]] = {}  # project root -> the open documents in it
        self._changed_at: dict[str, int] = {}  # path -> clock of its last change

    # -- analysis, in a worker thread ---------------------------------------------------------
    def workspace_for(self, path: str) -> Workspace:
        """The Workspace of the file's project (see the module's docstring)."""
        from leak_lsp.project.workspace import Workspace

        file = resolved(path)
        root, scanned = self.root_of(file)
        with self._lock:
            workspace = self._workspaces.get(root)
            if workspace is None:
                workspace = self._workspaces[root] = Workspace(root, read_text=self._read_text, settings=self._settings_for(root),
                                                               find_deployments=scanned)
            pending = self._pending.pop(root, set())
        for changed in pending:
            workspace.invalidate(changed)
        return workspace

    def root_of(self, file: Path) -> tuple[Path, bool]:
        """The root of the file's project, and whether its tree is scanned for deployment
        files (not for a loose file's folder, which may be a home directory)."""
        with self._lock:
            known = self._roots.get(file.parent)
        if known is None:
            marked = marked_root(file)
            folders = [folder for folder in self._folders() if file.is_relative_to(folder)]
            if marked is not None:
                known = (marked, True)
            elif folders:
                known = (max(folders, key=lambda folder: len(folder.parts)), True)
            else:
                known = (file.parent, False)
            with self._lock:
                self._roots[file.parent] = known
        return known

    # -- changes, on the event loop ---------------------------------------------------------------
    @property
    def clock(self) -> int:
        return self._clock

    def file_changed(self, path: str | Path) -> None:
        """Queue the invalidation of what every workspace built on the file."""
        changed = str(resolved(path))
        with self._lock:
            self._clock += 1
            self._changed_at[changed] = self._clock
            if Path(changed).name in ROOT_MARKERS:  # a project may have appeared or gone
                self._roots.clear()
            for root in self._workspaces:
                self._pending.setdefault(root, set()).add(changed)

    def changed_since(self, clock: int, paths: Iterable[str]) -> bool:
        return any(self._changed_at.get(path, 0) > clock for path in paths)

    def reset(self) -> None:
        """Forget every workspace (the settings they were made with have changed)."""
        with self._lock:
            self._workspaces.clear()
            self._roots.clear()
            self._pending.clear()

    def folders_removed(self, roots: Iterable[Path]) -> None:
        with self._lock:
            for root in roots:
                self._workspaces.pop(resolved(root), None)
                self._pending.pop(resolved(root), None)

    # -- lifetime, on the event loop ------------------------------------------------------------------
    def document_opened(self, uri: str, path: str) -> None:
        root, _ = self.root_of(resolved(path))
        self._open.setdefault(root, set()).add(uri)

    def document_closed(self, uri: str, path: str) -> None:
        """Release what the document's analyses kept; the whole workspace once no open document is in it."""
        file = resolved(path)
        root, _ = self.root_of(file)
        documents = self._open.get(root, set())
        documents.discard(uri)
        with self._lock:
            workspace = self._workspaces.get(root)
            if not documents:
                self._open.pop(root, None)
                self._workspaces.pop(root, None)
                self._pending.pop(root, None)
        if workspace is not None:
            workspace.forget_caller(file)
            if not documents:
                workspace.release()

    # -- who depends on what ------------------------------------------------------------------------
    def record(self, uri: str, report: FileReport) -> None:
        self.forget(uri)
        self._dependencies[uri] = frozenset(report.dependencies)
        for dependency in report.dependencies:
            self._dependents.setdefault(dependency, set()).add(uri)

    def forget(self, uri: str) -> None:
        for dependency in self._dependencies.pop(uri, ()):
            dependents = self._dependents[dependency]
            dependents.discard(uri)
            if not dependents:
                del self._dependents[dependency]

    def dependents(self, path: str | Path) -> set[str]:
        """The documents whose last report depends on the file."""
        return set(self._dependents.get(str(resolved(path)), ()))

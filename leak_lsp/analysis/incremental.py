"""Incremental analysis of one document: an edit re-analyses only the entries whose code changed.

Only the top-level chunks an edit touched are parsed and walked again (:class:`ChunkCache`); the
index of the tree (parents, scopes) is the last one changed where statements changed; what handler
discovery and the keys below compute from one node is kept with the node (:class:`NodeMemo`); the
module's import-time analysis is reused while the module-level statements and the helpers they call
are unchanged; the analysis of each entry point (the lifecycle of its work, the helpers it calls)
is reused while its key is unchanged: its own top-level statement and every one defining a name
it mentions, transitively, with their text and line; the module-level statements; facts gathered
over the whole module (decorators, imports, ``self.<attribute>`` executors, import-time buffers).
An edit that moves lines re-analyses the entries below it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from leak_lsp.analysis import MAX_FILE_BYTES, analyze_source
from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.engine import OutcomeCache, analyze_module
from leak_lsp.analysis.model import FileReport, Fixer
from leak_lsp.analysis.parsing import ChunkCache

if TYPE_CHECKING:
    from leak_lsp.javascript.incremental import IncrementalJavaScript
    from leak_lsp.project.workspace import Workspace


class IncrementalAnalyzer:
    """The analyses of successive texts of one document, each equal to a fresh analysis of its text."""

    def __init__(self, path: str, settings: Settings, fixes: bool = True) -> None:
        self.path = path
        self.settings = settings
        self.fixes = fixes
        self._cache = OutcomeCache()
        self._javascript_state: IncrementalJavaScript | None = None
        self._chunks = ChunkCache()
        self._lock = threading.Lock()  # the caches are updated in place: one analysis at a time

    def analyze(self, source: str, workspace: Workspace | None = None) -> FileReport:
        """The report of the new text; JavaScript/TypeScript keep their front-end's own state (the last tree)."""
        with self._lock:
            return self._analyze(source, workspace)

    def _analyze(self, source: str, workspace: Workspace | None) -> FileReport:
        from leak_lsp.javascript import is_javascript_path

        if len(source) > MAX_FILE_BYTES:
            return analyze_source(source, self.path, self.settings, workspace, self.fixes)
        if is_javascript_path(self.path):
            return self._javascript(source, workspace)
        self._cache.start()
        return analyze_module(source, self.path, self.settings, workspace, self.fixes, self._cache, self._chunks)

    def _javascript(self, source: str, workspace: Workspace | None) -> FileReport:
        """Re-parsed against the last tree; an install without tree-sitter gets ``analyze_source``'s report."""
        try:
            from leak_lsp.javascript.incremental import IncrementalJavaScript
        except ImportError:
            return analyze_source(source, self.path, self.settings, workspace, self.fixes)
        if self._javascript_state is None:
            self._javascript_state = IncrementalJavaScript(self.path, self.settings, self.fixes)
        return self._javascript_state.analyze(source, workspace)

    @property
    def fixer(self) -> Fixer | None:
        """Without fixes: what builds the settle fixes of the last text's findings from their recipes."""
        if self._javascript_state is not None:
            return self._javascript_state.fixer
        return self._cache.fixer

    @property
    def reused(self) -> int:
        """How many entries the last analysis took from the one before."""
        return self._cache.reused

    @property
    def kept_chunks(self) -> int:
        """How many top-level chunks the last analysis did not parse again."""
        return self._chunks.reused

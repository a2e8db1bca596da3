"""What the analysis of one file may ask of the rest of its project: a protocol that ``project/`` implements.

The analysis owns the seam and never imports ``project/``. Summarising a helper of another module is the
analysis's own work, handed to the project as :data:`Summarize`; the chain of modules being summarised travels
down the calls (:data:`HelperChain`), so two analyses running at once in the server's worker threads share no
mutable state, and one depth limit bounds helper chains within a module and across modules alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from leak_lsp.analysis.config import Settings

if TYPE_CHECKING:
    from leak_lsp.analysis.lifecycle import Summary

MAX_HELPER_DEPTH = 4

# The paths of the modules whose helpers are being summarised, outermost first.
HelperChain = tuple[str, ...]


@dataclass(frozen=True)
class ExternalHelper:
    """A helper defined in another module of the project, as its callers see it."""

    name: str  # "telemetry.start_flusher", for messages
    path: str
    summary: Summary
    is_async: bool


class DeployedEntry(Protocol):
    """A handler a deployment file names for the analysed module."""

    @property
    def function(self) -> str: ...

    @property
    def platform(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def origin(self) -> object: ...  # the deployment file: a finding depends on it


class InvokedMethod(Protocol):
    """A method of a class of the analysed module that a handler module elsewhere calls: per-invocation code."""

    @property
    def pattern(self) -> str: ...  # "Class.method"

    @property
    def handler_module(self) -> Path: ...


# (source, path, function, settings, project, chain) -> the helper's summary and whether it is a coroutine
Summarize = Callable[[str, str, str, Settings, "ProjectView", HelperChain], "tuple[Summary, bool] | None"]


class ProjectView(Protocol):
    """The project around the analysed file: what deploys it, and its other modules."""

    def deployed_handlers(self, path: str) -> Sequence[DeployedEntry]: ...

    def invoked_methods(self, path: str) -> Sequence[InvokedMethod]: ...

    def is_workspace_module(self, module: str, importer: str) -> bool: ...

    def class_bases(self, qualified: str, importer: str) -> list[str]: ...

    def module_switches(self, module: str, importer: str) -> tuple[str, frozenset[tuple[str, str]]] | None: ...

    def module_constructions(self, module: str, importer: str) -> tuple[str, dict[str, str]] | None: ...

    def helper(self, path: str, source: str, line: int, column: int, qualified: str | None,
               chain: HelperChain, summarize: Summarize) -> ExternalHelper | None: ...

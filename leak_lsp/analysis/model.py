"""Plain data returned by the analysis: what the CLI prints and the server translates.

Positions are 0-based lines and 0-based columns counted in Unicode code points
(Python ``str`` indices into the line). Lines end only at ``\\n``, ``\\r\\n`` or
``\\r``, as in LSP. Consumers convert columns to their own units (UTF-8 bytes,
UTF-16 code units) with :mod:`leak_lsp.analysis.text`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFORMATION = "information"
    HINT = "hint"


class Outcome(str, Enum):
    """What happens to unsettled work once the invocation ends (the letters name the platform behaviours)."""

    LEAK = "leak"  # resumes inside a later invocation (L, D)
    LOST = "lost"  # dropped before the call returns (X)
    INIT = "init"  # started at import time, advances only during invocations
    NEVER = "never"  # runs only at interpreter exit (N)
    UNKNOWN = "unknown"  # handed to code the analysis cannot see
    FAILS = "fails"  # the platform refuses the handler before any work runs (nodejs24.x and callbacks)


class Applicability(str, Enum):
    """Ruff's fix applicability: safe fixes are applied by ``--fix`` and fixAll."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY = "display-only"


@dataclass(frozen=True, order=True)
class Position:
    line: int
    column: int


@dataclass(frozen=True, order=True)
class Span:
    start: Position
    end: Position

    @staticmethod
    def of(line: int, column: int, end_line: int, end_column: int) -> Span:
        return Span(Position(line, column), Position(end_line, end_column))


@dataclass(frozen=True)
class TextEdit:
    span: Span
    new_text: str


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[TextEdit, ...]
    applicability: Applicability = Applicability.SAFE
    preferred: bool = False


class RelatedRole(str, Enum):
    """What a related location is to its finding: consumers pick locations by role, never by wording."""

    EXIT = "exit"  # the entry leaves here (returns, raises, ends, responds) while the work is pending
    HELPER_STEP = "helper-step"  # a helper on the way from the finding's call to the line that schedules the work
    DRIVER = "driver"  # ``asyncio.run(main())``: the call that drives the coroutine the finding is in
    CREATED_AT_IMPORT = "created-at-import"  # a module-level object the work lives in, created at import time
    RAISES_HERE = "raises-here"  # a call that raises (or gives up) while the work is pending


@dataclass(frozen=True)
class Related:
    """A location that explains a finding: an exit the work outlives, a helper's line."""

    path: str
    span: Span
    message: str
    role: RelatedRole


@dataclass(frozen=True)
class FixRecipe:
    """What rebuilds a finding's settle fixes on demand (a :data:`Fixer`, else ``fixes_for``): which function
    was analysed as an entry, for which handler, and where the finding stands. Plain data, so that it can travel in an LSP
    diagnostic's ``data`` and come back with a code action request."""

    code: str
    span: Span
    function_line: int  # 0-based line of the ``def`` of the function analysed as an entry
    handler: str


# A finding's fixes from its recipe, built from what the analysis of its text kept (no analysis again),
# or None when nothing was kept for that recipe.
Fixer = Callable[[FixRecipe], "tuple[Fix, ...] | None"]


@dataclass(frozen=True)
class Finding:
    code: str
    rule: str
    message: str
    severity: Severity
    span: Span
    path: str
    related: tuple[Related, ...] = ()
    fixes: tuple[Fix, ...] = ()  # without ``fixes=True``, only the noqa fix: the others come from the recipe
    handler: str | None = None
    recipe: FixRecipe | None = None  # set when settle fixes may exist


@dataclass(frozen=True)
class Handler:
    """An entry point the analysis treats as invoked once per request."""

    name: str  # qualified inside the module: "lambda_handler", "App.__call__"
    span: Span  # the name of the function in its ``def``
    platform: str  # "aws-lambda", "azure-functions", "gcp-functions", "configured"
    reason: str  # why it was taken as an entry point, for --show-handlers


@dataclass(frozen=True)
class SourceProblem:
    """Something that kept part of a file from being analysed (syntax error, undecodable file)."""

    message: str
    span: Span | None = None


@dataclass
class FileReport:
    path: str
    findings: list[Finding] = field(default_factory=list)
    handlers: list[Handler] = field(default_factory=list)
    problems: list[SourceProblem] = field(default_factory=list)
    analysed: bool = True  # False when nothing of the file could be analysed
    dependencies: list[str] = field(default_factory=list)  # other files the findings depend on

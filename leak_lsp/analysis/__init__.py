"""The analysis layer: pure functions from source text to plain data. No LSP here.

``analyze_source`` is what the CLI, the server and the tests call.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.model import FileReport, Fix, FixRecipe, SourceProblem
from leak_lsp.analysis.text import decode_source

if TYPE_CHECKING:
    from leak_lsp.project.workspace import Workspace

MAX_FILE_BYTES = 5 * 1024 * 1024


def analyze_source(source: str, path: str = "<string>", settings: Settings | None = None,
                   workspace: Workspace | None = None, fixes: bool = True) -> FileReport:
    """Every finding in one module's text. Never raises on any input.

    With a ``workspace``, entry points named in deployment files are handlers too, and
    calls into other modules of the workspace are followed. With ``fixes=False`` the settle fixes
    are left to :func:`fixes_for` (findings carry a recipe), which is what an editor wants.
    """
    from leak_lsp.analysis.engine import analyze_module
    from leak_lsp.javascript import is_javascript_path

    if len(source) > MAX_FILE_BYTES:
        return _unreadable(path, f"skipped: the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if is_javascript_path(path):
        try:
            from leak_lsp.javascript.analysis import analyze_javascript
        except ImportError as error:  # an install without the tree-sitter wheels (a pure-Python bundle)
            return _unreadable(path, f"JavaScript/TypeScript needs the tree-sitter packages ({error.name} is missing): "
                                     "pip install leak-lsp into the interpreter that runs the server")
        return analyze_javascript(source, path, settings or Settings(), workspace, fixes=fixes)
    return analyze_module(source, path, settings or Settings(), workspace, fixes)


def analyze_file(path: str | Path, settings: Settings | None = None, workspace: Workspace | None = None,
                 fixes: bool = True) -> FileReport:
    """Read, decode and analyse one file; an unreadable file gives a report with a problem."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        return _unreadable(name, f"cannot read the file: {error.strerror or error}")
    if len(data) > MAX_FILE_BYTES:
        return _unreadable(name, f"skipped: the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        source = decode_source(data)
    except (UnicodeDecodeError, SyntaxError) as error:
        return _unreadable(name, f"cannot decode the file: {error}")
    return analyze_source(source, name, settings, workspace, fixes)


def fixes_for(source: str, recipe: FixRecipe, settings: Settings | None = None, path: str = "<string>",
              workspace: Workspace | None = None) -> tuple[Fix, ...]:
    """The fixes of one finding analysed with ``fixes=False``, from its recipe, computed when asked."""
    from leak_lsp.analysis.engine import fixes_for as compute
    from leak_lsp.javascript import is_javascript_path

    if is_javascript_path(path):
        from leak_lsp.javascript.analysis import fixes_for_recipe

        return fixes_for_recipe(source, recipe, settings or Settings(), path, workspace)
    return compute(source, recipe, settings or Settings(), path, workspace)


def _unreadable(path: str, message: str) -> FileReport:
    return FileReport(path=path, problems=[SourceProblem(message)], analysed=False)

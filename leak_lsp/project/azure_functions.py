"""Azure Functions (Python v1 programming model): ``function.json`` in each function's folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from leak_lsp.analysis.model import Position, Span
from leak_lsp.project.claims import Claim
from leak_lsp.project.located import Located, mapping_of

_DEFAULT_SCRIPT = "__init__.py"
_DEFAULT_ENTRY_POINT = "main"
_WHOLE_FILE = Span(Position(0, 0), Position(0, 0))


def function_claims(origin: Path, document: Any) -> list[Claim]:
    """The function a ``function.json`` binds: ``scriptFile`` (default ``__init__.py``)
    and ``entryPoint`` (default ``main``), relative to the function folder.

    Only Python scripts count; a file without ``bindings`` is not a function definition.
    Without ``scriptFile`` the runtime is not stated, so the claim holds only if
    ``__init__.py`` exists (a Node function has ``index.js`` instead).
    """
    document = mapping_of(document)
    script = document.get("scriptFile", _DEFAULT_SCRIPT)
    entry_point = document.get("entryPoint", _DEFAULT_ENTRY_POINT)
    if "bindings" not in document or not isinstance(script, str) or not isinstance(entry_point, str):
        return []
    if not script.endswith(".py"):
        return []
    script_span = script.span if isinstance(script, Located) else _WHOLE_FILE
    entry_span = entry_point.span if isinstance(entry_point, Located) else script_span
    return [
        Claim(
            origin=origin,
            platform="azure-functions",
            name=origin.parent.name,
            label=f"entry point `{entry_point}` in `{script}`",
            code_dir=origin.parent,
            modules=(script,),
            function=entry_point,
            module_span=script_span,
            function_span=entry_span,
            python=True if isinstance(script, Located) else None,
        )
    ]

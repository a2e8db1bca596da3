"""Findings -> LSP diagnostics, with what rebuilds each finding's fixes in ``Diagnostic.data``.

Like ruff's server, the diagnostic carries what a code action needs: the fixes computed
with the finding (the noqa comment of a Python finding), in the client's units, and the
recipe of its settle fixes (Python or JavaScript/TypeScript), computed only when a code
action asks for them (most findings are never fixed from the editor).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from leak_lsp.analysis.model import Finding, Fix, FixRecipe, Severity, SourceProblem, Span
from leak_lsp.analysis.text import LineIndex
from leak_lsp.rules import rule_url
from leak_lsp.server.positions import PositionCodec

if TYPE_CHECKING:
    from leak_lsp.project.deployment import DeploymentProblem

SOURCE = "leak-lsp"
DEPLOYMENT_CODE = "deployment"

SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFORMATION: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}

# A related location in another file: its URI and line index, or None when unreadable.
Locator = Callable[[str], "tuple[str, LineIndex] | None"]


def finding_to_diagnostic(finding: Finding, index: LineIndex, codec: PositionCodec, locate: Locator) -> types.Diagnostic:
    return types.Diagnostic(
        range=codec.range_to_client(index, finding.span),
        severity=SEVERITIES[finding.severity],
        code=finding.code,
        code_description=types.CodeDescription(href=rule_url(finding.code)),
        source=SOURCE,
        message=finding.message,
        related_information=_related(finding, codec, locate) or None,
        data=_finding_data(finding, index, codec),
    )


def _finding_data(finding: Finding, index: LineIndex, codec: PositionCodec) -> dict[str, Any]:
    data: dict[str, Any] = {"rule": finding.rule, "fixes": [fix_data(fix, index, codec) for fix in offered_fixes(finding.fixes)]}
    if finding.recipe is not None:
        data["recipe"] = recipe_data(finding.recipe)
    return data


def recipe_data(recipe: FixRecipe) -> dict[str, Any]:
    """The recipe as JSON; its span is in the analysis' units (code points), read back only by this server."""
    span = recipe.span
    return {"code": recipe.code, "span": [span.start.line, span.start.column, span.end.line, span.end.column],
            "functionLine": recipe.function_line, "handler": recipe.handler}


def recipe_from_data(data: object) -> FixRecipe | None:
    """The recipe :func:`recipe_data` wrote, or None for anything else (a client may send back what it likes)."""
    if not isinstance(data, dict):
        return None
    code, span, function_line, handler = (data.get(key) for key in ("code", "span", "functionLine", "handler"))
    numbers = span if isinstance(span, list) and len(span) == 4 and all(type(n) is int for n in span) else None
    if not isinstance(code, str) or numbers is None or type(function_line) is not int or not isinstance(handler, str):
        return None
    return FixRecipe(code, Span.of(*numbers), function_line, handler)


def problem_to_diagnostic(problem: SourceProblem, index: LineIndex, codec: PositionCodec) -> types.Diagnostic:
    """A part of the file the analysis could not read (a syntax error), said once where it is."""
    span = problem.span or Span.of(0, 0, 0, 0)
    return types.Diagnostic(
        range=codec.range_to_client(index, span),
        severity=types.DiagnosticSeverity.Warning,
        source=SOURCE,
        message=f"not analysed: {problem.message}",
    )


def deployment_problem_to_diagnostic(problem: DeploymentProblem, index: LineIndex, codec: PositionCodec) -> types.Diagnostic:
    """An entry point of a deployment file that names a missing module or function."""
    return types.Diagnostic(
        range=codec.range_to_client(index, problem.span),
        severity=types.DiagnosticSeverity.Warning,
        code=DEPLOYMENT_CODE,
        source=SOURCE,
        message=problem.message,
    )


def offered_fixes(fixes: Iterable[Fix]) -> list[Fix]:
    """The fixes an editor may offer: all that edit something, display-only ones (the
    noqa comment) included, since the user picks them by hand."""
    return [fix for fix in fixes if fix.edits]


def fix_data(fix: Fix, index: LineIndex, codec: PositionCodec) -> dict[str, Any]:
    return {
        "title": fix.title,
        "applicability": fix.applicability.value,
        "preferred": fix.preferred,
        "edits": [
            {"range": _range_json(codec.range_to_client(index, edit.span)), "newText": edit.new_text}
            for edit in fix.edits
        ],
    }


def result_id(diagnostics: list[types.Diagnostic], converter_unstructure: Callable[[Any], Any]) -> str:
    """A digest of the diagnostics: the same diagnostics give the same id."""
    payload = json.dumps(converter_unstructure(diagnostics), sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def _related(finding: Finding, codec: PositionCodec, locate: Locator) -> list[types.DiagnosticRelatedInformation]:
    related = []
    for item in finding.related:
        located = locate(item.path)
        if located is None:
            continue
        uri, index = located
        location = types.Location(uri=uri, range=codec.range_to_client(index, item.span))
        related.append(types.DiagnosticRelatedInformation(location=location, message=item.message))
    return related


def _range_json(client_range: types.Range) -> dict[str, Any]:
    return {
        "start": {"line": client_range.start.line, "character": client_range.start.character},
        "end": {"line": client_range.end.line, "character": client_range.end.character},
    }

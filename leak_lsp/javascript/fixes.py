"""Fixes as plain edits (the model the Python side uses)."""

from __future__ import annotations

from leak_lsp.analysis.model import Fix
from leak_lsp.flow import ExitHit, Work
from leak_lsp.javascript.handlers import JsHandler
from leak_lsp.javascript.lowering import Role
from leak_lsp.javascript.module import ModuleFacts
from leak_lsp.javascript.syntax import ParsedSource


def fixes_for(parsed: ParsedSource, facts: ModuleFacts, code: str, work: Work, hits: list[ExitHit],
              handler: JsHandler, role: Role) -> tuple[Fix, ...]:
    return ()

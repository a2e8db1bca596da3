"""One small module per LSP request or notification; each offers ``register(server)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leak_lsp.server.handlers import (
    code_action,
    code_lens,
    configuration,
    document_diagnostic,
    hover,
    lifecycle,
    show_findings,
    text_sync,
    workspace_diagnostic,
)

if TYPE_CHECKING:
    from leak_lsp.server.app import LeakLanguageServer

MODULES = (
    lifecycle,
    text_sync,
    configuration,
    document_diagnostic,
    workspace_diagnostic,
    code_action,
    hover,
    code_lens,
    show_findings,
)


def register(server: LeakLanguageServer) -> None:
    for module in MODULES:
        module.register(server)

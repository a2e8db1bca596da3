"""One small module per LSP request or notification; each offers ``register(server)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leak_lsp.server.handlers import (
    code_action,
    configuration,
    document_diagnostic,
    hover,
    lifecycle,
    text_sync,
    workspace_diagnostic,
)

if TYPE_CHECKING:
    from leak_lsp.server.app import LeakLanguageServer

MODULES = (lifecycle, text_sync, configuration, document_diagnostic, workspace_diagnostic, code_action, hover)


def register(server: LeakLanguageServer) -> None:
    for module in MODULES:
        module.register(server)

"""What the client can do, read once from its ``initialize`` capabilities."""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types
from pygls.capabilities import get_capability


@dataclass(frozen=True)
class ClientFeatures:
    # The client asks with textDocument/diagnostic, and can be told to ask again when a
    # helper or deployment file changes (workspace/diagnostic/refresh); never push then.
    # A client that pulls but cannot be told (Neovim 0.11) is pushed to instead: a push
    # reaches the documents that depend on a changed file, and pushing beside pulling
    # would show every leak twice (clients keep the two apart).
    pull_diagnostics: bool
    diagnostic_refresh: bool
    code_lens_refresh: bool
    show_document: bool  # window/showDocument
    document_changes: bool  # versioned edits, so the client rejects stale ones
    markdown_hover: bool
    configuration: bool  # workspace/configuration
    watched_files_registration: bool
    work_done_progress: bool
    resolves_code_action_edits: bool  # codeAction/resolve may fill in an action's edit (lazy fix-all)

    @staticmethod
    def of(capabilities: types.ClientCapabilities) -> ClientFeatures:
        def has(field: str) -> bool:
            return bool(get_capability(capabilities, field, None))

        hover_formats = get_capability(capabilities, "text_document.hover.content_format", None) or []
        return ClientFeatures(
            pull_diagnostics=get_capability(capabilities, "text_document.diagnostic", None) is not None and has("workspace.diagnostics.refresh_support"),
            diagnostic_refresh=has("workspace.diagnostics.refresh_support"),
            code_lens_refresh=has("workspace.code_lens.refresh_support"),
            show_document=has("window.show_document.support"),
            document_changes=has("workspace.workspace_edit.document_changes"),
            markdown_hover=types.MarkupKind.Markdown in hover_formats,
            configuration=has("workspace.configuration"),
            watched_files_registration=has("workspace.did_change_watched_files.dynamic_registration"),
            work_done_progress=has("window.work_done_progress"),
            resolves_code_action_edits="edit" in (get_capability(capabilities, "text_document.code_action.resolve_support.properties", None) or []),
        )

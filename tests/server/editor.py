"""A test editor over pytest-lsp's client: it keeps the text, counts columns in its own
negotiated units, sends incremental changes and applies workspace edits the way an
editor does. Its position arithmetic is written here, independently of the server's.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient

TIMEOUT = 20.0
_LINE_START = re.compile(r"\r\n|\r|\n")


def line_starts(text: str) -> list[int]:
    return [0] + [match.end() for match in _LINE_START.finditer(text)]


def units(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text)


def position_at(text: str, offset: int, encoding: str) -> types.Position:
    starts = line_starts(text)
    line = max(number for number, start in enumerate(starts) if start <= offset)
    return types.Position(line=line, character=units(text[starts[line] : offset], encoding))


def offset_at(text: str, position: types.Position, encoding: str) -> int:
    starts = line_starts(text)
    start = starts[position.line]
    end = starts[position.line + 1] if position.line + 1 < len(starts) else len(text)
    line = text[start:end].rstrip("\r\n")
    counted = 0
    for index, character in enumerate(line):
        if counted >= position.character:
            return start + index
        counted += units(character, encoding)
    return start + len(line)


def range_of(text: str, start: int, end: int, encoding: str) -> types.Range:
    return types.Range(start=position_at(text, start, encoding), end=position_at(text, end, encoding))


@dataclass
class Editor:
    client: LanguageClient
    encoding: str
    pulls: bool  # the client's profile pulls diagnostics
    texts: dict[str, str] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)

    def open(self, uri: str, text: str, language_id: str = "python") -> None:
        self.texts[uri], self.versions[uri] = text, 1
        item = types.TextDocumentItem(uri=uri, language_id=language_id, version=1, text=text)
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))

    def replace(self, uri: str, start: int, end: int, new_text: str) -> None:
        """An incremental change of the code points ``start:end``."""
        old = self.texts[uri]
        change = types.TextDocumentContentChangePartial(range=range_of(old, start, end, self.encoding), text=new_text)
        self._send(uri, old[:start] + new_text + old[end:], [change])

    def replace_all(self, uri: str, text: str) -> None:
        self._send(uri, text, [types.TextDocumentContentChangeWholeDocument(text=text)])

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
        del self.texts[uri]

    def apply(self, edit: types.WorkspaceEdit) -> None:
        """Apply a workspace edit as an editor does: reject a stale version, then send the change."""
        for uri, version, _ in document_edits(edit):
            assert version is None or version == self.versions[uri], "edit for a stale version"
            self.replace_all(uri, self.applied(uri, edit))

    def applied(self, uri: str, edit: types.WorkspaceEdit) -> str:
        """The document's text with the edit's changes to it, counted in the client's units."""
        text = self.texts[uri]
        edits = [edit for target, _, edits in document_edits(edit) if target == uri for edit in edits]
        located = sorted(((offset_at(text, e.range.start, self.encoding), offset_at(text, e.range.end, self.encoding), e.new_text) for e in edits), reverse=True)
        for start, end, new_text in located:
            text = text[:start] + new_text + text[end:]
        return text

    async def diagnostics(self, uri: str) -> list[types.Diagnostic]:
        """The server's diagnostics for the current version: pulled, or awaited as pushed."""
        if self.pulls:
            params = types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
            report = await asyncio.wait_for(self.client.text_document_diagnostic_async(params), TIMEOUT)
            return list(report.items)
        return await asyncio.wait_for(self._published(uri, self.versions[uri]), TIMEOUT)

    async def eventually(self, uri: str, holds: Callable[[list[types.Diagnostic]], bool]) -> list[types.Diagnostic]:
        """The document's diagnostics once ``holds`` is true of them: pulled again and
        again, or awaited as pushed, whatever the version (another file may have changed)."""

        async def poll() -> list[types.Diagnostic]:
            while True:
                if self.pulls:
                    diagnostics = await self.diagnostics(uri)
                else:
                    diagnostics = list(self.client.diagnostics.get(uri, []))
                if holds(diagnostics):
                    return diagnostics
                await asyncio.sleep(0.05)

        return await asyncio.wait_for(poll(), TIMEOUT)

    async def code_actions(self, uri: str, start: int, end: int, only: list[str] | None = None) -> list[types.CodeAction]:
        context = types.CodeActionContext(diagnostics=[], only=only)
        params = types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=range_of(self.texts[uri], start, end, self.encoding), context=context
        )
        actions = await asyncio.wait_for(self.client.text_document_code_action_async(params), TIMEOUT)
        return [action for action in actions or [] if isinstance(action, types.CodeAction)]

    async def resolved(self, action: types.CodeAction) -> types.CodeAction:
        """The action with its edit, resolved (codeAction/resolve) when offered without one, as VS Code does."""
        if action.edit is not None:
            return action
        return await asyncio.wait_for(self.client.code_action_resolve_async(action), TIMEOUT)

    def offsets(self, uri: str, client_range: types.Range) -> tuple[int, int]:
        text = self.texts[uri]
        return offset_at(text, client_range.start, self.encoding), offset_at(text, client_range.end, self.encoding)

    async def _published(self, uri: str, version: int) -> list[types.Diagnostic]:
        published: dict[str, types.PublishDiagnosticsParams] = self.client.published  # type: ignore[attr-defined]
        while uri not in published or published[uri].version != version:
            await asyncio.sleep(0.01)
        return list(published[uri].diagnostics)

    def _send(self, uri: str, new_text: str, changes: list[Any]) -> None:
        self.texts[uri] = new_text
        self.versions[uri] += 1
        document = types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri])
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(text_document=document, content_changes=changes))


def document_edits(edit: types.WorkspaceEdit) -> list[tuple[str, int | None, list[types.TextEdit]]]:
    if edit.document_changes is not None:
        return [(change.text_document.uri, change.text_document.version, list(change.edits)) for change in edit.document_changes]  # type: ignore[union-attr]
    return [(uri, None, list(edits)) for uri, edits in (edit.changes or {}).items()]

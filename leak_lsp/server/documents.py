"""Open documents, kept in our own store with LSP's line model.

pygls' ``TextDocument`` splits lines with ``str.splitlines``, which also breaks on
form feeds and other separators, so an incremental edit after a form feed would land
on the wrong line. This store splits only on ``\\n``, ``\\r\\n`` and ``\\r``. A change it
cannot apply marks the document out of sync until the client sends the whole text.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from lsprotocol import types

from leak_lsp.analysis.text import LineIndex
from leak_lsp.server.positions import PositionCodec, PositionOutOfRange


class DocumentOutOfSync(ValueError):
    """A change could not be applied; the document waits for a full-text change."""


@dataclass
class Document:
    uri: str
    text: str
    version: int | None
    language_id: str = "python"
    index: LineIndex = field(init=False)
    in_sync: bool = True

    def __post_init__(self) -> None:
        self.index = LineIndex(self.text)

    @property
    def is_python(self) -> bool:
        """Python and JavaScript/TypeScript documents are analysed; others (deployment files)
        only get deployment problems."""
        from leak_lsp.javascript import LANGUAGE_IDS, is_javascript_path

        return (self.language_id in ("python", *LANGUAGE_IDS) or self.uri.endswith((".py", ".pyi"))
                or is_javascript_path(self.uri))

    @property
    def unsaved_name(self) -> str:
        """The name an unsaved document (``untitled:Untitled-1``) is analysed under: its language
        (``languageId``) decides, by the suffix, which front-end reads it."""
        from leak_lsp.javascript import SUFFIX_OF_LANGUAGE, is_javascript_path

        suffix = SUFFIX_OF_LANGUAGE.get(self.language_id)
        return self.uri + suffix if suffix and not is_javascript_path(self.uri) else self.uri

    def replace_text(self, text: str) -> None:
        self.text = text
        self.index = LineIndex(text)


class DocumentStore:
    def __init__(self, codec: PositionCodec) -> None:
        self.codec = codec
        self._documents: dict[str, Document] = {}

    def __contains__(self, uri: str) -> bool:
        return uri in self._documents

    def __iter__(self) -> Iterator[Document]:
        return iter(list(self._documents.values()))

    def get(self, uri: str) -> Document | None:
        return self._documents.get(uri)

    def open(self, uri: str, text: str, version: int | None, language_id: str = "python") -> Document:
        document = Document(uri, text, version, language_id)
        self._documents[uri] = document
        return document

    def close(self, uri: str) -> None:
        self._documents.pop(uri, None)

    def change(self, uri: str, version: int | None, changes: Sequence[types.TextDocumentContentChangeEvent]) -> Document:
        """Apply the changes in order; ``KeyError`` for a document that is not open.

        Raises :class:`DocumentOutOfSync` when a range is outside the document or the
        document is already out of sync; a later full-text change resynchronises it.
        """
        document = self._documents[uri]
        for change in changes:
            if isinstance(change, types.TextDocumentContentChangeWholeDocument):
                document.replace_text(change.text)
                document.in_sync = True
                continue
            if not document.in_sync:
                raise DocumentOutOfSync(f"{uri} is out of sync; waiting for the whole text")
            try:
                span = self.codec.span_from_client(document.index, change.range)
            except PositionOutOfRange as error:
                document.in_sync = False
                raise DocumentOutOfSync(f"cannot apply a change to {uri}: {error}") from None
            start, end = document.index.offset(span.start), document.index.offset(span.end)
            document.replace_text(document.text[:start] + change.text + document.text[end:])
        document.version = version
        return document

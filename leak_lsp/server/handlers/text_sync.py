"""didOpen / didChange / didSave / didClose: keep our document store, schedule
diagnostics, and tell the session when an open file changes (others may depend on it)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.uris import to_fs_path

from leak_lsp.server.documents import DocumentOutOfSync

if TYPE_CHECKING:
    from leak_lsp.server.app import LeakLanguageServer
    from leak_lsp.server.session import Session

logger = logging.getLogger(__name__)


def did_open(ls: LeakLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    session = ls.require_session()
    item = params.text_document
    session.opened(session.documents.open(item.uri, item.text, item.version, item.language_id))
    _changed(session, item.uri)  # the editor's text may differ from the disk's


def did_change(ls: LeakLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    session = ls.require_session()
    uri = params.text_document.uri
    if uri not in session.documents:
        logger.warning("ignoring a change to %s, which is not open", uri)
        return
    try:
        session.documents.change(uri, params.text_document.version, params.content_changes)
    except DocumentOutOfSync as error:
        # A notification has no reply: say it in the log, and show nothing stale meanwhile.
        message = f"{error}; diagnostics resume after the next full-text change"
        logger.error("%s", message)
        ls.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=message))
        session.clear_published(uri)
        return
    session.analyses.changed(uri)  # before the publication's quiet period is chosen from it
    session.schedule_publication(uri)
    _changed(session, uri, saved=False)


def did_save(ls: LeakLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    """The disk now holds the editor's text; files that are not open read it from there."""
    session = ls.require_session()
    if params.text_document.uri in session.documents:
        _changed(session, params.text_document.uri)


def did_close(ls: LeakLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    session = ls.require_session()
    uri = params.text_document.uri
    session.closed(uri)
    _changed(session, uri)  # its dependents read the disk from now on


def _changed(session: Session, uri: str, saved: bool = True) -> None:
    path = to_fs_path(uri)
    if path is not None:
        session.file_changed(path, edited_uri=uri, saved=saved)


def register(server: LeakLanguageServer) -> None:
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(did_open)
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(did_change)
    server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))(did_save)
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(did_close)

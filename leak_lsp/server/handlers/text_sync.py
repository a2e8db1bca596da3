"""didOpen / didChange / didClose: keep our document store and schedule diagnostics."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lsprotocol import types

from leak_lsp.server.documents import DocumentOutOfSync

if TYPE_CHECKING:
    from leak_lsp.server.app import LeakLanguageServer

logger = logging.getLogger(__name__)


def did_open(ls: LeakLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    session = ls.require_session()
    document = params.text_document
    session.documents.open(document.uri, document.text, document.version)
    session.schedule_publication(document.uri, quiet_period=0)  # no one is typing yet


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
    session.schedule_publication(uri)


def did_close(ls: LeakLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    session = ls.require_session()
    session.documents.close(params.text_document.uri)
    session.clear_published(params.text_document.uri)


def register(server: LeakLanguageServer) -> None:
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(did_open)
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(did_change)
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(did_close)

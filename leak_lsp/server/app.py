"""The pygls server: feature registration, error replies, and the process exit code.

Two things differ from a stock pygls server. Its document store is not used (it
splits lines on form feeds; :mod:`leak_lsp.server.documents` does not), and a request
whose parameters do not match the protocol gets an ``InvalidParams`` reply instead
of silence, so the client never waits forever.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Generator
from typing import Any

import attrs
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcParseError, JsonRpcServerNotInitialized
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, default_converter
from pygls.protocol.language_server import lsp_method

from leak_lsp import __version__
from leak_lsp.server.session import Session

logger = logging.getLogger(__name__)


@attrs.define
class MalformedRequest:
    """A request that could not be read into its protocol type; answered with an error."""

    id: int | str
    error: JsonRpcException
    jsonrpc: str = "2.0"


class LeakProtocol(LanguageServerProtocol):
    # Plain methods named like pygls' built-in document handlers replace them, so that
    # pygls' own store never sees the text; our handlers (text_sync.py) keep it instead.
    def lsp_text_document__did_open(self, params: Any) -> None: ...
    def lsp_text_document__did_change(self, params: Any) -> None: ...
    def lsp_text_document__did_close(self, params: Any) -> None: ...

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Generator[Any, Any, types.InitializeResult]:
        """pygls' reply, without the diagnostic provider for a client the server pushes to
        (see ClientFeatures.pull_diagnostics): such a client must not pull."""
        result: types.InitializeResult = yield from super().lsp_initialize(params)
        session = getattr(self._server, "session", None)
        if session is not None and not session.features.pull_diagnostics:
            result.capabilities.diagnostic_provider = None
        return result

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if "method" in data and isinstance(data.get("id"), (int, str)):
                return MalformedRequest(id=data["id"], error=error)
            raise

    def handle_message(self, message: Any) -> None:
        if isinstance(message, MalformedRequest):
            logger.warning("malformed request %s: %s", message.id, message.error)
            self._send_response(message.id, error=message.error.to_response_error())
            return
        super().handle_message(message)


class LeakLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "leak-lsp",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=LeakProtocol,
            converter_factory=default_converter,
        )
        self.session: Session | None = None
        self.shutdown_requested = False
        self.exit_code = 0  # stays 0 when the client just closes the connection

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Log instead of popping an error in the editor; answer unreadable JSON as LSP asks."""
        if isinstance(error, json.JSONDecodeError):
            logger.error("unreadable message: %s", error)
            self.protocol._send_response(None, error=JsonRpcParseError(str(error)).to_response_error())  # type: ignore[arg-type]
            return
        if isinstance(error, JsonRpcInvalidParams):
            logger.error("unreadable notification: %s", error)
            return
        logger.error("%s: %s", getattr(source, "__name__", source), error)

    def require_session(self) -> Session:
        """The session; requests before ``initialize`` are an error of the client."""
        if self.session is None:
            raise JsonRpcServerNotInitialized("the server is not initialized")
        return self.session


def create_server() -> LeakLanguageServer:
    from leak_lsp.server import handlers

    server = LeakLanguageServer()
    handlers.register(server)
    return server

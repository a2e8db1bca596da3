"""The pygls server: feature registration, error replies, and the process exit code.

Two things differ from a stock pygls server. Its document store is not used (it
splits lines on form feeds; :mod:`leak_lsp.server.documents` does not), and a request
whose parameters do not match the protocol gets an ``InvalidParams`` reply instead
of silence, so the client never waits forever.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
from collections.abc import Coroutine, Generator
from typing import Any, BinaryIO

import attrs
from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcParseError,
    JsonRpcServerNotInitialized,
)
from pygls.io_ import StdinAsyncReader, StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, default_converter
from pygls.protocol.language_server import lsp_method

from leak_lsp import __version__
from leak_lsp.server.session import Session
from leak_lsp.server.transport import Reader, parse_error_reply, read_messages, refuse

logger = logging.getLogger(__name__)


class _Refused(Exception):
    """A second TCP client spoke while the first is connected."""


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

    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args: Any) -> Generator[Any, Any, None]:
        """``shutdown`` before ``initialize`` is the client's error; the server stays usable."""
        if getattr(self._server, "session", None) is None:
            raise JsonRpcServerNotInitialized("shutdown before initialize")
        yield from super().lsp_shutdown(*args)

    def handle_message(self, message: Any) -> None:
        method = getattr(message, "method", None)
        if self._shutdown and method is not None and method != types.EXIT and getattr(message, "id", None) is not None:
            # pygls drops them silently; LSP asks for InvalidRequest so the client does not wait.
            self._send_response(message.id, error=JsonRpcInvalidRequest("the server is shutting down").to_response_error())
            return
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

    # Transports (transport.py): framing errors answered, one TCP client --------------------
    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        self._stop_event = threading.Event()
        reader = StdinAsyncReader(stdin or sys.stdin.buffer, self.thread_pool)
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        self._run(self._read(reader))

    def start_tcp(self, host: str, port: int) -> None:
        self._stop_event = threading.Event()
        self._run(self._serve_tcp(host, port))

    @property
    def _stop(self) -> threading.Event:
        assert self._stop_event is not None, "started by start_io or start_tcp"
        return self._stop_event

    def _run(self, main: Coroutine[Any, Any, Any]) -> None:
        try:
            asyncio.run(main)
        except BrokenPipeError:
            logger.warning("the client closed the connection")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()  # type: ignore[no-untyped-call]  # pygls leaves it unannotated

    def _read(self, reader: Reader) -> Coroutine[Any, Any, int]:
        return read_messages(reader, self._decode_and_handle, parse_error_reply(self.protocol._send_response), self._stop)

    async def _serve_tcp(self, host: str, port: int) -> None:
        """The first connection to send a message owns the server: others are refused while it
        is connected, and the server ends when it leaves. A connection that never speaks
        (a port probe) changes nothing."""
        client_left = asyncio.Event()
        owner: asyncio.StreamWriter | None = None

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal owner
            if owner is not None:
                await refuse(writer)
                return

            def handle(body: bytes) -> None:
                nonlocal owner
                if owner is None:
                    owner = writer
                    self.protocol.set_writer(writer)
                if owner is not writer:
                    raise _Refused
                self._decode_and_handle(body)

            try:
                await read_messages(reader, handle, parse_error_reply(self.protocol._send_response), self._stop)
            except _Refused:
                await refuse(writer)
                return
            if owner is writer:
                client_left.set()
            else:
                logger.info("a TCP connection closed without a message; still listening")

        server = await asyncio.start_server(connection, host, port)
        async with server:
            await client_left.wait()

    def _decode_and_handle(self, body: bytes) -> None:
        """One message; ``JSONDecodeError`` is the transport's to report (it resynchronises)."""
        try:
            message = json.loads(body, object_hook=self.protocol.structure_message)
        except json.JSONDecodeError:
            raise
        except Exception as error:
            self.report_server_error(error, JsonRpcException)
            return
        try:
            self.protocol.handle_message(message)
        except Exception as error:
            logger.exception("unable to handle a message")
            self.report_server_error(error, JsonRpcException)

    def require_session(self) -> Session:
        """The session; requests before ``initialize`` are an error of the client."""
        if self.session is None:
            raise JsonRpcServerNotInitialized("the server is not initialized")
        return self.session


class _HarmlessCancel(logging.Filter):
    """pygls warns when a client cancels a request it has already been answered: normal
    traffic (VS Code does it all the time), which editors showed as an error. Logged at
    debug level instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith("Cancel notification for unknown message id"):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger("pygls").isEnabledFor(logging.DEBUG)


def create_server() -> LeakLanguageServer:
    from leak_lsp.server import handlers

    logging.getLogger("pygls.protocol.json_rpc").addFilter(_HarmlessCancel())

    server = LeakLanguageServer()
    handlers.register(server)
    return server

"""LSP framing over stdio or TCP, robust to a client that gets it wrong.

pygls' reader trusts ``Content-Length``: a wrong one leaves it waiting for bytes that
never come (the server goes deaf), a huge one makes it allocate the whole body
(MemoryError), and one that is not a number is silently ignored. Here a bad header or
body gets a JSON-RPC ``ParseError`` reply (``id: null``, as the spec asks when the id
cannot be read) and the reader resynchronises at the next ``Content-Length`` header.

Over TCP the server has one client: a second connection gets a message saying so and
is closed, nothing of the first client's reaches it; a connection closed before
sending anything (a port probe) does not stop the server.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Protocol

from lsprotocol import types
from pygls.exceptions import JsonRpcParseError

logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 512 * 1024 * 1024  # larger than any document an editor sends; refuse, never allocate
HEADER = b"content-length:"
ONE_CLIENT = "leak-lsp serves one client per process over TCP; this server already has one. Start another `leak-lsp serve --tcp --port N`."


class Reader(Protocol):
    def readline(self) -> Awaitable[bytes]: ...
    def readexactly(self, n: int) -> Awaitable[bytes]: ...


class FramedReader:
    """A reader with a push-back buffer, for resynchronising inside a mis-sized body."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader
        self._pending = b""

    async def readline(self) -> bytes:
        if self._pending:
            end = self._pending.find(b"\n")
            if end >= 0:
                line, self._pending = self._pending[: end + 1], self._pending[end + 1 :]
                return line
            head, self._pending = self._pending, b""
            return head + await self._reader.readline()
        return await self._reader.readline()

    async def read(self, size: int) -> bytes:
        taken, self._pending = self._pending[:size], self._pending[size:]
        if len(taken) < size:
            try:
                taken += await self._reader.readexactly(size - len(taken))
            except asyncio.IncompleteReadError as error:
                taken += error.partial
        return taken

    def push_back(self, data: bytes) -> None:
        self._pending = data + self._pending


ReportError = Callable[[str], None]


async def read_messages(reader: Reader, decode_and_handle: Callable[[bytes], None], framing_error: ReportError, stop: threading.Event) -> int:
    """Read and handle messages until the end of input; the number of messages read."""
    stream = FramedReader(reader)
    length: int | None = None
    discarding = False  # after a bad header: skip to the next Content-Length
    count = 0
    while not stop.is_set():
        line = await stream.readline()
        if not line:
            return count
        start = line.lower().find(HEADER)
        if start > 0:  # a header after leftover bytes of a mis-sized body
            line = line[start:]
        if discarding and start < 0:
            continue
        discarding = False
        if line.strip():
            name, _, value = line.partition(b":")
            if name.strip().lower() == HEADER[:-1]:
                length = _length(value)
                if length is None:
                    framing_error(f"invalid Content-Length {value.strip()[:40]!r}; expected 1 to {MAX_MESSAGE_BYTES} bytes")
                    discarding = True
            continue
        if length is None:
            continue  # a blank line outside a message
        body, length = await stream.read(length), None
        count += 1
        _handle_body(body, stream, decode_and_handle, framing_error)
    return count


def _length(value: bytes) -> int | None:
    try:
        length = int(value.strip())
    except ValueError:
        return None
    return length if 0 < length <= MAX_MESSAGE_BYTES else None


def _handle_body(body: bytes, stream: FramedReader, decode_and_handle: Callable[[bytes], None], framing_error: ReportError) -> None:
    try:
        decode_and_handle(body)
    except json.JSONDecodeError as error:
        following = body.lower().find(HEADER)
        if following >= 0:  # Content-Length was too large: the next message started inside
            stream.push_back(body[following:])
        framing_error(f"unreadable message body ({error.msg}); check its Content-Length")


def parse_error_reply(send: Callable[..., None]) -> ReportError:
    """Reply ``ParseError`` with ``id: null`` (the request's id could not be read)."""

    def report(message: str) -> None:
        logger.warning("%s", message)
        send(None, error=JsonRpcParseError(message).to_response_error())

    return report


async def refuse(writer: asyncio.StreamWriter) -> None:
    """Tell a second TCP client why it is turned away, then close it."""
    params = types.ShowMessageParams(type=types.MessageType.Error, message=ONE_CLIENT)
    body = json.dumps({"jsonrpc": "2.0", "method": types.WINDOW_SHOW_MESSAGE, "params": {"type": params.type.value, "message": params.message}}).encode()
    writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    try:
        await writer.drain()
    finally:
        writer.close()

"""``leak-lsp serve --tcp`` answers LSP on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

TIMEOUT = 20.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def tcp_server() -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = _free_port()
    command = [sys.executable, "-m", "leak_lsp", "serve", "--tcp", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield process, port
    if process.poll() is None:
        process.kill()  # by PID: only the process this test started
    process.wait(timeout=TIMEOUT)


def _connect(port: int) -> socket.socket:
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _read_message(stream: socket.socket) -> dict[str, object]:
    reader = stream.makefile("rb")
    length = 0
    while (header := reader.readline()) not in (b"\r\n", b""):
        name, _, value = header.decode("ascii").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return json.loads(reader.read(length))


def test_initialize_over_tcp_gets_the_server_capabilities(tcp_server: tuple[subprocess.Popen[bytes], int]) -> None:
    _, port = tcp_server
    with _connect(port) as connection:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}})
        connection.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body.encode())
        response = _read_message(connection)
    assert response["id"] == 1
    assert response["result"]["serverInfo"]["name"] == "leak-lsp"  # type: ignore[index]


def _send(connection: socket.socket, message: dict[str, object]) -> None:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    connection.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)


def _initialize(connection: socket.socket) -> dict[str, object]:
    _send(connection, {"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}})
    return _read_message(connection)


def test_a_second_connection_is_told_the_server_has_a_client_and_sees_nothing_of_it(tcp_server: tuple[subprocess.Popen[bytes], int]) -> None:
    _, port = tcp_server
    with _connect(port) as first:
        assert _initialize(first)["id"] == 1
        with _connect(port) as second:
            refusal = _read_message(second)
            assert refusal["method"] == "window/showMessage"
            assert "one client" in refusal["params"]["message"]  # type: ignore[index]
            assert second.recv(1) == b""  # closed: nothing else reaches it
        _send(first, {"id": 2, "method": "shutdown"})
        assert _read_message(first) == {"jsonrpc": "2.0", "id": 2, "result": None}


def test_an_empty_connection_does_not_stop_the_server(tcp_server: tuple[subprocess.Popen[bytes], int]) -> None:
    process, port = tcp_server
    _connect(port).close()  # a port probe: connects, sends nothing, leaves
    with _connect(port) as client:
        assert _initialize(client)["id"] == 1
    assert process.wait(timeout=TIMEOUT) is not None  # the client that spoke has left: the server ends

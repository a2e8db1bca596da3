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

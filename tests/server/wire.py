"""A bare JSON-RPC client over the server's stdio, for what pytest-lsp cannot send.

pytest-lsp only sends well-formed messages; these tests need broken JSON, requests
with wrong parameters, a closed stdin, and the process's exit code.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from typing import IO, Any

SERVER_COMMAND = [sys.executable, "-m", "leak_lsp", "serve"]
TIMEOUT = 20.0


class WireServer:
    def __init__(self, command: list[str] = SERVER_COMMAND, stderr: IO[bytes] | int = subprocess.DEVNULL) -> None:
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr)
        self._messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._next_id = 0
        threading.Thread(target=self._read_messages, daemon=True).start()

    def send_bytes(self, body: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        self.send_bytes(json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8"))

    def request(self, method: str, params: Any = None) -> dict[str, Any]:
        """Send a request and return its response (the whole message, result or error)."""
        self._next_id += 1
        self.send({"id": self._next_id, "method": method, "params": params})
        return self.response(self._next_id)

    def notify(self, method: str, params: Any = None) -> None:
        self.send({"method": method, "params": params})

    def response(self, message_id: int | None) -> dict[str, Any]:
        while True:
            message = self._messages.get(timeout=TIMEOUT)
            if message is None:
                raise EOFError("the server closed its output")
            if "method" not in message and message.get("id") == message_id:
                return message

    def initialize(self, capabilities: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.request("initialize", {"processId": None, "rootUri": None, "capabilities": capabilities or {}})
        self.notify("initialized", {})
        return response

    def close_stdin(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()

    def wait(self) -> int:
        return self.process.wait(timeout=TIMEOUT)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def _read_messages(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                header = stream.readline()
                if not header:
                    self._messages.put(None)
                    return
                if header in (b"\r\n", b"\n"):
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            assert length is not None
            self._messages.put(json.loads(stream.read(length)))

"""A minimal LSP client over a real ``leak-lsp serve`` subprocess: open one file, pull its diagnostics."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def message(payload: Mapping[str, Any]) -> bytes:
    body = json.dumps(payload).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def _opening(root: Path, path: Path, settings: Mapping[str, Any] | None) -> bytes:
    uri = path.as_uri()
    options = {"settings": dict(settings)} if settings is not None else None
    messages: list[dict[str, Any]] = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"processId": None, "rootUri": root.as_uri(), "capabilities": {}, "initializationOptions": options}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": path.read_text(encoding="utf-8")}}},
        {"jsonrpc": "2.0", "id": 2, "method": "textDocument/diagnostic", "params": {"textDocument": {"uri": uri}}},
    ]
    return b"".join(message(item) for item in messages)


def pulled_diagnostics(command: Sequence[str], root: Path, path: Path, settings: Mapping[str, Any] | None = None,
                       cwd: Path | None = None, env: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Start the server, open ``path``, pull its diagnostics, shut the server down."""
    reply = next(reply for reply in session(command, root, path, settings, cwd, env) if reply.get("id") == 2)
    return list(reply["result"]["items"])


def session(command: Sequence[str], root: Path, path: Path, settings: Mapping[str, Any] | None = None,
            cwd: Path | None = None, env: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Every message the server sent until it answered the diagnostic pull."""
    server = subprocess.Popen(list(command), cwd=cwd or root, env=None if env is None else dict(env),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert server.stdin is not None and server.stdout is not None
    try:
        server.stdin.write(_opening(root, path, settings))
        server.stdin.flush()
        output = b""
        while not any(reply.get("id") == 2 for reply in _complete(output)):
            chunk = server.stdout.read1(65536)
            if not chunk:
                raise AssertionError(f"the server stopped before answering: {output[-500:]!r}")
            output += chunk
        server.stdin.write(message({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}))
        server.stdin.write(message({"jsonrpc": "2.0", "method": "exit"}))
        server.stdin.flush()
        server.wait(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)
    return _complete(output)


def _complete(stream: bytes) -> list[dict[str, Any]]:
    """The whole messages at the start of ``stream``."""
    found = []
    while True:
        header, separator, rest = stream.partition(b"\r\n\r\n")
        if not separator:
            return found
        length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
        if len(rest) < length:
            return found
        found.append(json.loads(rest[:length]))
        stream = rest[length:]

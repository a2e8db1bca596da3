"""A closed document leaves nothing behind in the server: no state keyed by its URI, and none
of its text (analyses, incremental chunks, jedi scripts, parsed trees), even while another
document keeps its workspace alive (issue 10: memory stays bounded over many documents).

The one test here runs the real server in this process, over a pipe, so that its heap can be
searched: every object the garbage collector tracks is looked into for the URI or a name
only the closed document contains. That name is found before the close (the search works),
and nowhere after it. ``benchmarks/bench_memory.py`` measures the RSS at scale.
"""

from __future__ import annotations

import gc
import json
import os
import queue
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from leak_lsp.server.app import LeakLanguageServer, create_server

TIMEOUT = 30.0
HELPER = "import threading\n\n\ndef start_flusher():\n    flusher = threading.Thread(target=print)\n    flusher.start()\n"
# The closed document's own name, assembled so that this module's constants do not contain it.
MARKER = "_".join(("only", "in", "the", "closed", "document"))
CLOSED = f"from telemetry import start_flusher\n\n\ndef {MARKER}(event, context):\n    start_flusher()\n    return 1\n"
ANCHOR = "from telemetry import start_flusher\n\n\ndef lambda_handler(event, context):\n    start_flusher()\n    return 2\n"


class InProcessClient:
    """JSON-RPC over two pipes to a server running in a thread of this process."""

    def __init__(self) -> None:
        to_server, self._to_server = _pipe()
        self._from_server, from_server = _pipe()
        self.server: LeakLanguageServer = create_server()
        self._thread = threading.Thread(target=self.server.start_io, args=(to_server, from_server), daemon=True)
        self._thread.start()
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self._to_server.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self._to_server.flush()

    def wait_for(self, method: str | None = None, uri: str | None = None, message_id: int | None = None) -> dict[str, Any]:
        while True:
            message = self.messages.get(timeout=TIMEOUT)
            if method is not None and message.get("method") == method and message["params"].get("uri") == uri:
                return message
            if message_id is not None and "method" not in message and message.get("id") == message_id:
                return message

    def stop(self) -> None:
        self.send({"id": 99, "method": "shutdown"})
        self.wait_for(message_id=99)
        self.send({"method": "exit"})
        self._to_server.close()
        self._thread.join(TIMEOUT)

    def _read(self) -> None:
        while True:
            length = None
            while (line := self._from_server.readline().strip()):
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            if length is None:
                return
            self.messages.put(json.loads(self._from_server.read(length)))


def _pipe() -> tuple[BinaryIO, BinaryIO]:
    read, write = os.pipe()
    return os.fdopen(read, "rb"), os.fdopen(write, "wb")


def held_strings(needles: tuple[str, ...]) -> set[str]:
    """The needles that some object the garbage collector tracks holds in a string (a key, a
    value, an attribute); the needles themselves and this module's constants do not count."""
    gc.collect()
    found: set[str] = set()
    own = (globals(), sys.modules[__name__])
    for holder in gc.get_objects():
        if any(holder is mine for mine in own):
            continue
        for text in _strings_in(holder):
            found.update(needle for needle in needles if needle in text and text is not needle)
    return found


def _strings_in(holder: object) -> Iterator[str]:
    if isinstance(holder, dict):
        candidates: list[object] = [*holder.keys(), *holder.values()]
    elif isinstance(holder, (list, tuple, set, frozenset)):
        candidates = list(holder)
    else:
        candidates = list(getattr(holder, "__dict__", {}).values())
        candidates += [getattr(holder, slot, None) for slot in getattr(type(holder), "__slots__", ()) if isinstance(slot, str)]
    for candidate in candidates:
        if isinstance(candidate, str):
            yield candidate
        elif isinstance(candidate, os.PathLike):
            yield os.fspath(candidate)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "closing"\n', encoding="utf-8")
    (tmp_path / "telemetry.py").write_text(HELPER, encoding="utf-8")
    (tmp_path / "anchor.py").write_text(ANCHOR, encoding="utf-8")
    return tmp_path


def open_document(client: InProcessClient, uri: str, text: str) -> list[str]:
    """Open a document and wait for its diagnostics; their codes."""
    item = {"uri": uri, "languageId": "python", "version": 1, "text": text}
    client.send({"method": "textDocument/didOpen", "params": {"textDocument": item}})
    published = client.wait_for("textDocument/publishDiagnostics", uri)
    return [diagnostic["code"] for diagnostic in published["params"]["diagnostics"]]


def settle_previous_messages(client: InProcessClient, open_uri: str) -> None:
    """Wait until the server has finished with every message sent so far.

    The server writes the closed document's empty diagnostics before its ``didClose`` handler
    returns, so on a loaded machine the heap could be searched while that handler still holds
    the notification. The server reads one message at a time and handles it before reading the
    next, so the answer to a later request means the ``didClose`` is behind it."""
    position = {"line": 0, "character": 0}
    client.send({"id": 2, "method": "textDocument/hover", "params": {"textDocument": {"uri": open_uri}, "position": position}})
    client.wait_for(message_id=2)


def test_a_closed_document_leaves_neither_its_uri_nor_its_text_in_the_server(project: Path) -> None:
    # Never written to disk: what the project's own file indexes hold cannot be mistaken for it.
    closed_uri = (project / "closed_handler.py").as_uri()
    client = InProcessClient()
    try:
        client.send({"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": project.as_uri(), "capabilities": {}}})
        client.wait_for(message_id=1)
        client.send({"method": "initialized", "params": {}})
        assert open_document(client, (project / "anchor.py").as_uri(), ANCHOR) == ["EL101"]  # keeps the workspace alive
        assert open_document(client, closed_uri, CLOSED) == ["EL101"]  # the helper in telemetry.py was followed
        before = held_strings((closed_uri, MARKER))

        client.send({"method": "textDocument/didClose", "params": {"textDocument": {"uri": closed_uri}}})
        assert client.wait_for("textDocument/publishDiagnostics", closed_uri)["params"]["diagnostics"] == []
        settle_previous_messages(client, (project / "anchor.py").as_uri())
        after = held_strings((closed_uri, MARKER))
    finally:
        client.stop()

    assert before == {closed_uri, MARKER}  # the search finds the open document's state
    assert after == set()

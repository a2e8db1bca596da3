"""Starting and stopping the server, and surviving bad input, over raw stdio."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from .wire import WireServer


@pytest.fixture
def server() -> Iterator[WireServer]:
    wire = WireServer()
    yield wire
    wire.kill()


PULL_WITH_REFRESH = {"textDocument": {"diagnostic": {}}, "workspace": {"diagnostics": {"refreshSupport": True}}}


def test_initialize_advertises_incremental_sync_and_the_features(server: WireServer) -> None:
    capabilities = server.initialize(PULL_WITH_REFRESH)["result"]["capabilities"]
    assert capabilities["textDocumentSync"]["change"] == 2
    assert capabilities["textDocumentSync"]["openClose"] is True
    assert capabilities["hoverProvider"]
    assert "source.fixAll.leak-lsp" in capabilities["codeActionProvider"]["codeActionKinds"]
    assert capabilities["diagnosticProvider"]["workspaceDiagnostics"] is True


@pytest.mark.parametrize("client", [{}, {"textDocument": {"diagnostic": {}}}], ids=["push-only", "pull-without-refresh"])
def test_a_client_that_cannot_be_asked_to_pull_again_is_offered_no_pull(server: WireServer, client: dict[str, object]) -> None:
    assert "diagnosticProvider" not in server.initialize(client)["result"]["capabilities"]


def test_shutdown_then_exit_ends_the_process_with_code_0(server: WireServer) -> None:
    server.initialize()
    assert server.request("shutdown")["result"] is None
    server.notify("exit")
    assert server.wait() == 0


def test_exit_without_shutdown_ends_the_process_with_code_1(server: WireServer) -> None:
    server.initialize()
    server.notify("exit")
    assert server.wait() == 1


def test_closing_stdin_ends_the_process(server: WireServer) -> None:
    server.initialize()
    server.close_stdin()
    assert server.wait() == 0


def test_an_unknown_method_gets_method_not_found_and_the_server_keeps_answering(server: WireServer) -> None:
    server.initialize()
    assert server.request("leakLsp/noSuchThing", {})["error"]["code"] == -32601
    assert "result" in server.request("textDocument/hover", _hover_params())


def test_a_request_with_malformed_params_gets_invalid_params(server: WireServer) -> None:
    server.initialize()
    response = server.request("textDocument/hover", {"textDocument": {"uri": "file:///x.py"}})  # no position
    assert response["error"]["code"] == -32602
    assert "result" in server.request("textDocument/hover", _hover_params())


def test_unreadable_json_gets_a_parse_error_and_the_server_keeps_answering(server: WireServer) -> None:
    server.initialize()
    server.send_bytes(b'{"jsonrpc": "2.0", "id": 99, "method": ')
    assert server.response(None)["error"]["code"] == -32700
    assert "result" in server.request("textDocument/hover", _hover_params())


def test_a_malformed_notification_is_ignored_and_the_server_keeps_answering(server: WireServer) -> None:
    server.initialize()
    server.notify("textDocument/didChange", {"textDocument": {"uri": "file:///x.py"}, "contentChanges": "nonsense"})
    assert "result" in server.request("textDocument/hover", _hover_params())


def test_shutdown_before_initialize_gets_server_not_initialized_and_the_server_stays_usable(server: WireServer) -> None:
    assert server.request("shutdown")["error"]["code"] == -32002
    assert "result" in server.initialize()
    assert "result" in server.request("textDocument/hover", _hover_params())


def test_a_request_after_shutdown_gets_invalid_request(server: WireServer) -> None:
    server.initialize()
    server.request("shutdown")
    assert server.request("textDocument/hover", _hover_params())["error"]["code"] == -32600
    server.notify("exit")
    assert server.wait() == 0


@pytest.mark.parametrize(
    "framing",
    [b"Content-Length: 99999999999999\r\n\r\n{}", b"Content-Length: abc\r\n\r\n{}", b"Content-Length: -5\r\n\r\n{}",
     b'Content-Length: 10\r\n\r\n{"jsonrpc": "2.0", "id": 50, "method": "textDocument/hover", "params": {}}'],
    ids=["huge", "not-a-number", "negative", "too-short"],
)
def test_a_wrong_content_length_gets_a_parse_error_and_the_next_message_is_answered(server: WireServer, framing: bytes) -> None:
    server.initialize()
    assert server.process.stdin is not None
    server.process.stdin.write(framing)
    server.process.stdin.flush()
    assert server.response(None)["error"]["code"] == -32700
    assert "result" in server.request("textDocument/hover", _hover_params())


def test_a_content_length_too_large_swallows_no_following_request(server: WireServer) -> None:
    server.initialize()
    body = b'{"jsonrpc": "2.0", "method": "initialized", "params": {}}'
    assert server.process.stdin is not None
    server.process.stdin.write(b"Content-Length: %d\r\n\r\n" % (len(body) + 60) + body)
    server.process.stdin.flush()
    server.send({"id": 90, "method": "textDocument/hover", "params": _hover_params()})  # its header lands inside the over-long body
    assert server.response(None)["error"]["code"] == -32700
    assert "result" in server.response(90)


def test_a_request_before_initialize_gets_an_error(server: WireServer) -> None:
    assert "error" in server.request("textDocument/hover", _hover_params())


def test_the_server_module_does_not_import_the_analysis_engine_or_jedi() -> None:
    probe = (
        "import sys\n"
        "from leak_lsp.server.app import create_server\n"
        "create_server()\n"
        "print(sorted(name for name in ('jedi', 'leak_lsp.analysis.engine') if name in sys.modules))\n"
    )
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def _hover_params() -> dict[str, object]:
    return {"textDocument": {"uri": "file:///nowhere/x.py"}, "position": {"line": 0, "character": 0}}


def test_cancelling_an_answered_request_is_not_logged_as_a_problem() -> None:
    process = subprocess.Popen([sys.executable, "-m", "leak_lsp", "serve"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    messages = [
        {"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}},
        {"method": "$/cancelRequest", "params": {"id": 1}},  # already answered
        {"method": "leakLsp/unknownNotification", "params": {}},
        {"id": 2, "method": "shutdown"},
        {"method": "exit"},
    ]
    framed = b"".join(b"Content-Length: %d\r\n\r\n" % len(body) + body for body in (json.dumps({"jsonrpc": "2.0", **m}).encode() for m in messages))
    _, stderr = process.communicate(framed, timeout=60)
    assert process.returncode == 0
    assert b"Cancel notification" not in stderr

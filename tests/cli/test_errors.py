"""Errors, not tracebacks: odd files are skipped with a reason, bad options are exit 2 with a
message, and each report says what it was asked to say."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import CLEAN_HANDLER, LEAKING_HANDLER, RunCheck, write


def test_a_symlink_loop_is_skipped_with_a_message(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "handler.py", CLEAN_HANDLER)
    (tmp_path / "loop.py").symlink_to("loop.py")

    result = run_check(".")

    assert "loop.py: skipped, a symlink loop" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.returncode == 0


def test_a_fifo_named_like_a_module_is_skipped_not_read(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "handler.py", CLEAN_HANDLER)
    os.mkfifo(tmp_path / "pipe.py")

    result = run_check(".")  # reading the FIFO would block until the 120 s timeout

    assert "pipe.py: skipped, a FIFO" in result.stderr
    assert result.returncode == 0


def test_a_missing_path_is_an_error_only(tmp_path: Path, run_check: RunCheck) -> None:
    result = run_check("absent.py")

    assert result.returncode == 2
    assert "absent.py: no such file or folder" in result.stderr
    assert "All checked" not in result.stdout


def test_a_missing_path_beside_a_real_one_does_not_claim_all_was_checked(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "handler.py", CLEAN_HANDLER)

    result = run_check("handler.py", "absent.py")

    assert result.returncode == 2
    assert "All checked" not in result.stdout


def test_a_syntax_error_is_named_once(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "broken.py", "def handler(:\n")

    text = run_check("broken.py").stdout
    [entry] = json.loads(run_check("--format", "json", "broken.py").stdout)

    assert "broken.py:1:13: SyntaxError: invalid syntax" in text and "SyntaxError: SyntaxError" not in text
    assert entry["message"].count("SyntaxError") == 1


def test_information_only_findings_exit_0(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "handler.py", CLEAN_HANDLER.replace("worker.join()", "worker.join()  # noqa: EL101"))

    result = run_check("--format", "json", "handler.py")
    text = run_check("handler.py")

    assert [(entry["code"], entry["severity"]) for entry in json.loads(result.stdout)] == [("EL910", "information")]
    assert result.returncode == text.returncode == 0
    assert {"All checked, no leaks.", "1 note at information level."} <= set(text.stdout.splitlines())


def test_fix_with_statistics_prints_statistics_and_what_was_fixed(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "handler.py", LEAKING_HANDLER)
    write(tmp_path, "other.py", LEAKING_HANDLER)

    result = run_check("--fix", "--statistics", "--ignore", "EL101", "other.py")
    fixed = run_check("--fix", "--statistics", "handler.py")

    assert result.stdout.strip().endswith("All checked, no leaks.")
    assert "Fixed 1 leak." in fixed.stdout
    assert fixed.returncode == 0


def test_statistics_list_each_code_with_its_count(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "a.py", LEAKING_HANDLER)
    write(tmp_path, "b.py", LEAKING_HANDLER)

    result = run_check("--statistics", ".")

    assert result.stdout.splitlines()[0] == "2\tEL101\t[*] thread-not-joined"
    assert result.returncode == 1


def test_statistics_in_sarif_is_rejected_clearly(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "handler.py", LEAKING_HANDLER)

    result = run_check("--statistics", "--format", "sarif", "handler.py")

    assert result.returncode == 2
    assert "--statistics prints text or json, not sarif" in result.stderr


def test_show_handlers_says_when_there_are_none(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "helper.py", "def helper():\n    return 1\n")

    result = run_check("--show-handlers", "helper.py")

    assert result.stdout.startswith("No entry points found")
    assert result.returncode == 0


def _busy_port() -> tuple[socket.socket, int]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    return listener, listener.getsockname()[1]


def serve(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "leak_lsp", "serve", *arguments], capture_output=True, text=True,
                          timeout=60)


def test_serve_on_a_busy_port_is_exit_2_with_a_message() -> None:
    listener, port = _busy_port()
    with listener:
        result = serve("--tcp", "--host", "127.0.0.1", "--port", str(port))

    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_on_an_invalid_port_is_exit_2_with_a_message() -> None:
    result = serve("--tcp", "--port", "99999")

    assert result.returncode == 2
    assert "expected a port number from 0 to 65535" in result.stderr

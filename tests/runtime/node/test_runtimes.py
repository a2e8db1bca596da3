"""Each emulated platform ends invocations where its runtime does (docs/runtime.md, "Node.js handlers")."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from leak_lsp.runtime.freezer import CgroupV1Freezer, CgroupV2Freezer
from tests.runtime.node.conftest import FIXTURES, expectation, leak_lines, reproduce_file, requires_node, response_of

pytestmark = requires_node


def test_nodejs24_refuses_a_callback_handler_at_init() -> None:
    run = reproduce_file(FIXTURES / "callback_default_flag.js", runtime="nodejs24.x")
    assert run.exit_code == 2
    assert "Runtime.CallbackHandlerDeprecated" in run.report["error"]
    assert run.report["invocations"] == []


def test_nodejs24_context_done_from_a_timer_leaks_and_crashes_the_next_invocation() -> None:
    path = FIXTURES / "context_done_in_timer.js"
    run = reproduce_file(path, runtime="nodejs24.x")
    assert run.report["verdict"] == "leak"
    assert leak_lines(run, path) == expectation(path, "nodejs24.x").leak_lines
    assert "TypeError" in run.report["error"] and "invocation 2" in run.report["error"]
    assert run.exit_code == 1


def test_nodejs20_context_done_from_a_timer_answers_in_its_own_invocation() -> None:
    run = reproduce_file(FIXTURES / "context_done_in_timer.js", runtime="nodejs20.x")
    assert response_of(run) == "late answer"
    assert run.report["verdict"] == "clean"


def test_streaming_waits_for_an_empty_loop_on_nodejs22_but_not_on_nodejs24() -> None:
    path = FIXTURES / "streaming_timer_after_end.js"
    assert reproduce_file(path, runtime="nodejs22.x").report["verdict"] == "clean"
    run = reproduce_file(path, runtime="nodejs24.x")
    assert run.report["verdict"] == "leak"
    assert leak_lines(run, path) == expectation(path, "nodejs24.x").leak_lines
    assert response_of(run) == "chunk last"


def test_azure_never_freezes_so_leaked_work_runs_between_invocations() -> None:
    run = reproduce_file(FIXTURES / "azure_v4_floating.js", runtime="azure-v4")
    [leak] = run.events("leak")
    assert (leak["scheduled_in"], leak["ran_in"]) == ("invocation 1", "idle after invocation 1")
    assert "FROZEN" not in run.stderr


def test_lambda_freezes_so_leaked_work_runs_in_the_next_invocation() -> None:
    run = reproduce_file(FIXTURES / "timeout_after_return.js")
    [leak] = run.events("leak")
    assert (leak["kind"], leak["what"]) == ("timer", "setTimeout(flush, 250)")
    assert (leak["scheduled_in"], leak["ran_in"]) == ("invocation 1", "invocation 2")
    [lost] = run.events("lost")
    assert lost["scheduled_in"] == "invocation 2"


def test_gcf_http_ends_at_the_response_not_at_the_returned_promise() -> None:
    run = reproduce_file(FIXTURES / "gcf_http_work_after_send.js", runtime="gcf-http")
    assert response_of(run) == "accepted"
    assert run.report["verdict"] == "leak"


def test_a_handler_error_is_reported_and_the_next_invocation_still_runs() -> None:
    run = reproduce_file(FIXTURES / "throws_then_answers.js")
    first, second = run.report["invocations"]
    assert first["error"].splitlines()[-1] == "TypeError: first call fails"
    assert (second["error"], second["value"]) == (None, {"calls": 2})


def test_text_output_names_the_leak_and_the_verdict() -> None:
    path = FIXTURES / "callback_flag_false.js"
    command = [sys.executable, "-m", "leak_lsp", "reproduce", f"{path}:handler", "--runtime", "nodejs20.x", "--idle", "0.5"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert f"LEAK  setTimeout(notify, 250) scheduled at {path}:4 in invocation 1 ran during invocation 2" in completed.stdout
    assert completed.stdout.endswith("verdict: leak\n")
    assert completed.returncode == 1


def test_missing_node_is_a_clear_error(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "leak_lsp", "reproduce", str(FIXTURES / "awaited_sleep.js"), "--format", "json"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=60, env=os.environ | {"PATH": str(tmp_path)})
    assert completed.returncode == 2
    assert "node was not found on PATH" in json.loads(completed.stdout)["error"]


def test_runtime_option_is_refused_for_python_handlers(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 1\n")
    command = [sys.executable, "-m", "leak_lsp", "reproduce", "app.py", "--runtime", "nodejs20.x"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert completed.returncode == 2
    assert "--runtime applies to JavaScript handlers only" in completed.stderr


def _pids(pidfile: Path) -> list[int]:
    while not pidfile.exists() or len(pidfile.read_text().split()) < 2:
        time.sleep(0.05)
    return [int(pid) for pid in pidfile.read_text().split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _wait_until_gone(pids: list[int]) -> list[int]:
    deadline = time.monotonic() + 30
    while (alive := [pid for pid in pids if _alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


def test_the_runtime_and_its_detached_children_are_killed_when_the_command_ends(tmp_path: Path) -> None:
    pidfile = tmp_path / "pids"
    event = json.dumps({"pidfile": str(pidfile)})
    run = reproduce_file(FIXTURES / "harness" / "hangs_after_writing_pid.js", "--event", event, "--invocations", "1")
    assert run.report["error"] is None
    assert _wait_until_gone(_pids(pidfile)) == []


def test_the_runtime_and_its_children_die_with_a_killed_command(tmp_path: Path) -> None:
    pidfile = tmp_path / "pids"
    event = json.dumps({"pidfile": str(pidfile), "hang": True})
    command = [sys.executable, "-m", "leak_lsp", "reproduce", str(FIXTURES / "harness" / "hangs_after_writing_pid.js"),
               "--event", event, "--timeout", "600"]
    parent = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        pids = _pids(pidfile)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    assert _wait_until_gone(pids) == []
    _remove_cgroups_of(parent.pid)


def _remove_cgroups_of(pid: int) -> None:
    """A killed leak-lsp cannot remove the (now empty) cgroup it made below its own for its freezer: the test does."""
    for freezer in (CgroupV2Freezer, CgroupV1Freezer):
        own = freezer._own_cgroup()  # the killed command's cgroup was this process's own
        for directory in own.glob(f"leak-lsp-{pid}-*") if own is not None else ():
            directory.rmdir()


def test_nodejs20_callback_from_a_timer_answers_with_its_result_once_the_loop_is_empty() -> None:
    run = reproduce_file(FIXTURES / "callback_from_timer_default_flag.js", runtime="nodejs20.x")
    assert [invocation["value"] for invocation in run.report["invocations"]] == ["answered late", "answered late"]
    assert run.report["verdict"] == "clean"


def test_a_missing_export_fails_the_init_phase_with_its_name(tmp_path: Path) -> None:
    (tmp_path / "app.js").write_text("exports.handler = async () => 1;\n")
    command = [sys.executable, "-m", "leak_lsp", "reproduce", "app.js:missing", "--format", "json"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert completed.returncode == 2
    assert json.loads(completed.stdout)["error"].endswith(f"missing is not a function exported by {tmp_path / 'app.js'}")


def test_a_syntax_error_fails_the_init_phase_with_its_location(tmp_path: Path) -> None:
    (tmp_path / "broken.js").write_text("exports.handler = async () => {\n")
    run = reproduce_file(tmp_path / "broken.js")
    assert run.exit_code == 2
    assert run.report["error"].startswith(f"{tmp_path / 'broken.js'}:")
    assert run.report["error"].endswith("SyntaxError: Unexpected end of input")


def test_a_module_that_is_the_handler_is_named_module_exports_or_default(tmp_path: Path) -> None:
    (tmp_path / "whole.js").write_text("module.exports = async () => 'whole';\n")
    (tmp_path / "default.mjs").write_text("export default async () => 'default';\n")
    for target, answer in (("whole.js:module.exports", "whole"), ("default.mjs:default", "default")):
        command = [sys.executable, "-m", "leak_lsp", "reproduce", target, "--format", "json", "--invocations", "1"]
        completed = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert json.loads(completed.stdout)["invocations"][0]["value"] == answer


def test_a_floating_rejection_crashes_the_next_invocation_as_the_lambda_runtime_does() -> None:
    run = reproduce_file(FIXTURES / "harness" / "rejects_later.js")
    assert run.report["verdict"] == "leak"
    assert {leak["ran_in"] for leak in run.events("leak")} == {"invocation 2"}
    assert "Error: token refresh failed" in run.report["error"]
    assert "uncaught in invocation 2" in run.report["error"]
    assert run.exit_code == 1


def test_the_sigstop_freezer_stops_timers_and_worker_threads_too() -> None:
    for name, ran in (("timeout_after_return.js", "flush() ran"),
                      ("worker_not_awaited.js", "worker thread was frozen running and resumes at the thaw")):
        run = reproduce_file(FIXTURES / name, "--freezer", "signal")
        assert run.report["freezer"] == "sigstop"
        assert [leak["ran"] for leak in run.events("leak")] == [ran]


def test_a_js_file_in_a_type_module_package_is_loaded_as_an_es_module(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"type": "module"}\n')
    (tmp_path / "index.js").write_text("export const handler = async () => { setTimeout(() => {}, 100); return import.meta.url; };\n")
    run = reproduce_file(tmp_path / "index.js")
    assert response_of(run) == (tmp_path / "index.js").as_uri()
    assert run.report["verdict"] == "leak"

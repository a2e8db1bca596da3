"""The whole process tree is frozen between invocations, and nothing of it outlives the command."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from leak_lsp.runtime.freezer import FreezeError, make_freezer, process_state
from tests.runtime.conftest import run_reproduce

IDLE = 0.5

# Invocation 1 starts a child in a session of its own that stamps the monotonic clock every 20 ms,
# and waits for its first stamp; invocation 2 gives it 0.2 s to stamp again after the thaw.
TICKER_HANDLER = """\
import os, subprocess, sys, time

TICKER = "import time\\nwhile True:\\n    print(time.monotonic(), flush=True)\\n    time.sleep(0.02)\\n"
STARTED = []

def lambda_handler(event, context):
    if STARTED:
        time.sleep(0.2)
        return "ok"
    with open("ticks", "w") as ticks:
        STARTED.append(subprocess.Popen([sys.executable, "-c", TICKER], stdout=ticks, start_new_session=True))
    while not os.path.getsize("ticks"):
        time.sleep(0.01)
    return "ok"
"""

# A daemon that escapes by double fork and setsid, and a plain child: the pids go to a file.
ESCAPING_HANDLER = """\
import os, subprocess, time

def lambda_handler(event, context):
    pids = [subprocess.Popen(["sleep", "30"]).pid]
    reader, writer = os.pipe()
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(30)
        else:
            os.write(writer, str(os.getpid()).encode())
        os._exit(0)
    pids.append(int(os.read(reader, 32)))
    open("pids", "w").write(" ".join(map(str, [*pids, os.getpid()])))
    time.sleep(float(event.get("sleep", 0)))
"""


def cgroup_freezer_available() -> bool:
    try:
        freezer = make_freezer("cgroup")
    except FreezeError:
        return False
    freezer.close()
    return True


FREEZERS = [
    pytest.param("signal", id="sigstop"),
    pytest.param("cgroup", id="cgroup", marks=pytest.mark.skipif(
        not cgroup_freezer_available(), reason="no writable cgroup freezer on this machine")),
]


def write_handler(directory: Path, source: str) -> None:
    (directory / "handler.py").write_text(textwrap.dedent(source))


def running(pid: int) -> bool:
    return process_state(pid) not in (None, "Z", "X")


def recorded_pids(directory: Path) -> list[int]:
    return [int(pid) for pid in (directory / "pids").read_text().split()]


@pytest.mark.parametrize("freezer", FREEZERS)
def test_child_in_its_own_session_is_frozen_for_the_idle_time(tmp_path: Path, freezer: str) -> None:
    write_handler(tmp_path, TICKER_HANDLER)
    completed = run_reproduce("handler.py", "--freezer", freezer, "--idle", str(IDLE), cwd=tmp_path)
    assert completed.returncode == 1, completed.stderr
    ticks = [float(line) for line in (tmp_path / "ticks").read_text().split()]
    longest_gap = max(later - earlier for earlier, later in zip(ticks, ticks[1:]))
    assert longest_gap >= IDLE * 0.8


@pytest.mark.parametrize("freezer", FREEZERS)
def test_no_process_started_by_the_handler_survives_the_command(tmp_path: Path, freezer: str) -> None:
    write_handler(tmp_path, ESCAPING_HANDLER)
    completed = run_reproduce("handler.py", "--freezer", freezer, "--idle", "0.1", cwd=tmp_path)
    assert completed.returncode == 1, completed.stderr
    assert not [pid for pid in recorded_pids(tmp_path) if running(pid)]


def test_no_process_survives_an_invocation_timeout(tmp_path: Path) -> None:
    write_handler(tmp_path, ESCAPING_HANDLER)
    completed = run_reproduce("handler.py", "--event", '{"sleep": 30}', "--timeout", "1", "--format", "json",
                              cwd=tmp_path)
    assert completed.returncode == 2
    assert "invocation 1 timed out" in completed.stdout
    assert not [pid for pid in recorded_pids(tmp_path) if running(pid)]


def start_reproduce_and_wait_for_the_handler(tmp_path: Path, *options: str) -> subprocess.Popen[bytes]:
    """``reproduce`` of ESCAPING_HANDLER, once the handler has written its pids and sleeps."""
    write_handler(tmp_path, ESCAPING_HANDLER)
    (tmp_path / "tmp").mkdir()
    command = [sys.executable, "-m", "leak_lsp", "reproduce", "handler.py", "--event", '{"sleep": 30}', *options]
    cli = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env=os.environ | {"TMPDIR": str(tmp_path / "tmp")})
    deadline = time.monotonic() + 60
    while not (tmp_path / "pids").exists() or len((tmp_path / "pids").read_text().split()) < 3:
        assert time.monotonic() < deadline and cli.poll() is None, "the handler never started"
        time.sleep(0.02)
    return cli


def leftover_cgroups(pid: int) -> list[Path]:
    """Cgroups that the reproduce process ``pid`` created and did not remove."""
    return [path for path in Path("/sys/fs/cgroup").rglob(f"leak-lsp-{pid}-*") if path.is_dir()]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_a_signal_kills_the_tree_and_removes_the_temporary_folder_and_cgroup(tmp_path: Path, signum: int) -> None:
    cli = start_reproduce_and_wait_for_the_handler(tmp_path)
    cli.send_signal(signum)
    assert cli.wait(timeout=60) == 128 + signum
    assert not [pid for pid in recorded_pids(tmp_path) if running(pid)]
    assert list((tmp_path / "tmp").iterdir()) == []
    assert leftover_cgroups(cli.pid) == []
    assert os.path.exists(tmp_path / "handler.py")


def watchdog_of(cli: subprocess.Popen[bytes]) -> int:
    """The pid of the watchdog ``reproduce`` started."""
    for pid in os.listdir("/proc"):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue
        if parent == cli.pid and b"leak_lsp.runtime.watchdog" in command:
            return int(pid)
    raise AssertionError("reproduce started no watchdog")


def wait_until_gone(pids: list[int]) -> list[int]:
    deadline = time.monotonic() + 60
    while [pid for pid in pids if running(pid)] and time.monotonic() < deadline:
        time.sleep(0.02)
    return [pid for pid in pids if running(pid)]


@pytest.mark.skipif(not cgroup_freezer_available(), reason="no writable cgroup freezer on this machine")
def test_a_sigkilled_run_leaves_no_process_cgroup_or_folder(tmp_path: Path) -> None:
    cli = start_reproduce_and_wait_for_the_handler(tmp_path, "--freezer", "cgroup")
    watchdog = watchdog_of(cli)
    cli.kill()
    cli.wait(timeout=60)
    assert wait_until_gone([*recorded_pids(tmp_path), watchdog]) == []
    assert leftover_cgroups(cli.pid) == []
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_sigkilled_run_leaves_no_process_of_the_runtime_group_with_the_signal_freezer(tmp_path: Path) -> None:
    cli = start_reproduce_and_wait_for_the_handler(tmp_path, "--freezer", "signal")
    plain_child, escaped, runtime = recorded_pids(tmp_path)
    cli.kill()
    cli.wait(timeout=60)
    assert wait_until_gone([plain_child, runtime]) == []
    assert list((tmp_path / "tmp").iterdir()) == []
    with contextlib.suppress(ProcessLookupError):  # ``setsid`` left the group: only a cgroup holds it (documented)
        os.kill(escaped, signal.SIGKILL)


@pytest.mark.skipif(not cgroup_freezer_available(), reason="no writable cgroup freezer on this machine")
def test_the_next_run_removes_what_a_run_killed_with_its_watchdog_left(tmp_path: Path) -> None:
    cli = start_reproduce_and_wait_for_the_handler(tmp_path, "--freezer", "cgroup")
    os.kill(watchdog_of(cli), signal.SIGKILL)
    cli.kill()
    cli.wait(timeout=60)
    assert leftover_cgroups(cli.pid)  # nobody could clean up
    next_run = tmp_path / "next"
    next_run.mkdir()
    write_handler(next_run, "def lambda_handler(event, context):\n    return 'ok'\n")
    assert run_reproduce("handler.py", "--freezer", "cgroup", cwd=next_run).returncode == 0
    assert leftover_cgroups(cli.pid) == []
    assert wait_until_gone(recorded_pids(tmp_path)) == []


@pytest.mark.parametrize("freezer", FREEZERS)
def test_the_runtime_dies_with_reproduce_even_by_sigkill(tmp_path: Path, freezer: str) -> None:
    cli = start_reproduce_and_wait_for_the_handler(tmp_path, "--freezer", freezer)
    runtime = recorded_pids(tmp_path)[-1]
    cli.kill()
    cli.wait(timeout=60)
    deadline = time.monotonic() + 60
    while running(runtime) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not running(runtime)

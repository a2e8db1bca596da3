"""Drive the emulated warm container: init once, invoke N times, freeze in between, kill everything.

The runtime runs in a child process (``leak_lsp.runtime.child``) inside a tree this process
freezes between invocations. This side owns the phase: it writes the next invocation into the
shared phase file while the tree is frozen, then thaws it.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leak_lsp.runtime.child import PHASE_BYTES, PHASE_FORMAT
from leak_lsp.runtime.freezer import FreezeError, Freezer, become_subreaper, make_freezer, process_state
from leak_lsp.runtime.instrument import describe_phase, invocation_phase
from leak_lsp.runtime.node import (
    DEFAULT_RUNTIME,
    NodeUnavailable,
    freezes,
    is_node_handler,
    node_command,
    node_environment,
)
from leak_lsp.runtime.report import Invocation, Report
from leak_lsp.runtime.watchdog import Watchdog

POLL_SECONDS = 0.05
DRAIN_SECONDS = 2.0  # how long an exited runtime's last messages may take to arrive
TIMER_SIGNALS = {signal.SIGALRM, signal.SIGVTALRM, signal.SIGPROF}
CLEANUP_SIGNALS = {signal.SIGHUP, signal.SIGINT, signal.SIGTERM}
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Options:
    file: Path
    handler: str
    event: Any
    invocations: int = 2
    idle_seconds: float = 0.5
    timeout_seconds: float = 30.0
    freezer: str = "auto"  # auto, cgroup, signal
    node_runtime: str = DEFAULT_RUNTIME  # how a JavaScript handler's invocations end (leak_lsp.runtime.node.RUNTIMES)

    @property
    def freezes(self) -> bool:
        return not is_node_handler(self.file) or freezes(self.node_runtime)


class RuntimeFailure(Exception):
    """The runtime stopped answering: it died, or an invocation timed out."""

    def __init__(self, message: str, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


def reproduce(options: Options, progress: Progress | None = None) -> Report:
    """Run the handler in a fresh emulated environment; nothing it started survives the call."""
    say = progress or (lambda line: None)
    become_subreaper()
    watchdog = Watchdog()  # before the freezer: not part of the tree it freezes and kills
    try:
        freezer = make_freezer(options.freezer)
    except FreezeError as error:
        watchdog.release()
        return Report(_target(options), options.freezer, options.idle_seconds, setup_error=str(error))
    report = Report(_target(options), freezer.name, options.idle_seconds)
    runtime: _Runtime | None = None
    try:
        runtime = _Runtime.start(options, freezer)
        watchdog.watch(freezer=freezer.name, cgroup=freezer.cgroup, group=runtime.process.pid,
                       folder=runtime.folder)
        _drive(runtime, options, report, say)
    except NodeUnavailable as error:
        report.setup_error = str(error)
    except (RuntimeFailure, FreezeError) as failure:
        report.runtime_error = str(failure)
        report.timed_out = isinstance(failure, RuntimeFailure) and failure.timed_out
        if runtime is not None:
            report.events.extend(runtime.collect_events())
            _blame_timer_signal(runtime, report)
    finally:
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, CLEANUP_SIGNALS)  # a second Ctrl-C waits for the cleanup
        try:
            freezer.kill_all()
            if runtime is not None:
                runtime.close()
            freezer.close()
            watchdog.release()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    return report


def _target(options: Options) -> str:
    return f"{options.file}:{options.handler}"


def _drive(runtime: _Runtime, options: Options, report: Report, say: Progress) -> None:
    runtime.send({"command": "init"})
    ready = runtime.wait_for({"ready", "failed"}, options.timeout_seconds, "the init phase")
    if ready["message"] == "failed":
        report.setup_error = ready["error"]
        return
    for number in range(1, options.invocations + 1):
        frozen = number > 1 and options.freezes
        if frozen:
            runtime.freezer.freeze()
            report.events.extend(_frozen_alive(report.invocations[-1], number))
            say(f"FROZEN for {options.idle_seconds:g} s ({runtime.freezer.name})")
        elif number > 1:
            say(f"IDLE for {options.idle_seconds:g} s (this platform never freezes)")
        if number > 1:
            time.sleep(options.idle_seconds)
        runtime.set_phase(invocation_phase(number))
        say(f"START invocation {number}")  # before the thaw: what resumes there belongs to this invocation
        if frozen:
            runtime.freezer.thaw()
        started = time.monotonic()
        last = number == options.invocations
        runtime.send({"command": "invoke", "number": number, "event": options.event,
                      "timeout": options.timeout_seconds, "last": last})
        returned = runtime.wait_for({"returned"}, options.timeout_seconds, f"invocation {number}")
        invocation = Invocation(number, round((time.monotonic() - started) * 1000, 1), returned["error"],
                                returned["pending"], returned.get("value"))
        report.invocations.append(invocation)
        report.events.extend(runtime.collect_events())
        say(f"END invocation {number}")
        if last:
            report.events.extend(_pending_at_shutdown(invocation, report.events))


def _frozen_alive(previous: Invocation, number: int) -> list[dict[str, Any]]:
    """A child process alive when its invocation returned ran after it: frozen alive, it resumes at
    the thaw, inside the next invocation; gone already, it ran in the moment before the freeze."""
    events = []
    for work in previous.pending:
        if "pid" not in work:
            continue
        process = f"{work['what']} (pid {work['pid']})"
        if process_state(work["pid"]) not in ("Z", "X", None):
            ran_in, ran = invocation_phase(number), f"{process} was frozen alive and resumes at the thaw"
        else:
            ran_in, ran = invocation_phase(number) - 1, f"{process} exited after its invocation returned"
        events.append(work | {"outcome": "leak", "ran_in": describe_phase(ran_in), "ran": ran})
    return events


def _pending_at_shutdown(last: Invocation, seen: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Work of the last invocation is lost with the environment; work that had already outlived an
    earlier phase leaked, whether or not it got to run again before the end (under load it may not)."""
    events = []
    own_phase = describe_phase(invocation_phase(last.number))
    leaked = {_identity(event) for event in seen if event["outcome"] == "leak"}
    for work in last.pending:
        if _identity(work) in leaked:
            continue
        if work["scheduled_in"] == own_phase:
            events.append(work | {"outcome": "lost", "lost_in": f"invocation {last.number}",
                                  "reason": "still pending when the last invocation ended; the environment is shut down"})
        else:
            events.append(work | {"outcome": "leak", "ran_in": own_phase,
                                  "ran": f"{work['what']} outlived {work['scheduled_in']}: frozen with the environment, "
                                         "still pending when it was shut down"})
    return events


def _identity(work: dict[str, Any]) -> tuple[str, str, str]:
    return work["what"], work["scheduled_at"], work["scheduled_in"]


def _blame_timer_signal(runtime: _Runtime, report: Report) -> None:
    """A timer signal with its default action kills the runtime: that is the armed timer's leaked run."""
    signum = -(runtime.process.returncode or 0)
    if signum not in TIMER_SIGNALS or not report.invocations:
        return
    for work in report.invocations[-1].pending:
        if work["kind"] == "alarm":
            report.events.append(work | {"outcome": "leak", "ran_in": describe_phase(runtime.phase),
                                         "ran": f"{signal.Signals(signum).name} killed the runtime (default action)"})


class _Runtime:
    """The child process, its two pipes and the shared phase file."""

    def __init__(self, process: subprocess.Popen[bytes], freezer: Freezer, commands: int,
                 directory: tempfile.TemporaryDirectory[str]) -> None:
        self.process = process
        self.freezer = freezer
        self.phase = 0
        self._commands = commands
        self._directory = directory
        self._phase_file = Path(directory.name) / "phase"
        self._reader: threading.Thread
        self._messages: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
        self._events: list[dict[str, Any]] = []

    @classmethod
    def start(cls, options: Options, freezer: Freezer) -> _Runtime:
        directory = tempfile.TemporaryDirectory(prefix=f"leak-lsp-{os.getpid()}-")
        phase_file = Path(directory.name) / "phase"
        phase_file.write_bytes(bytes(PHASE_BYTES))
        command_read, command_write = os.pipe()
        message_read, message_write = os.pipe()
        try:
            arguments, environment = _launch(options, phase_file, command_read, message_write)
        except NodeUnavailable:
            for fd in (command_read, command_write, message_read, message_write):
                os.close(fd)
            directory.cleanup()
            raise
        process = subprocess.Popen(arguments, pass_fds=(command_read, message_write), stdin=subprocess.DEVNULL,
                                   stdout=sys.stderr.fileno(), stderr=sys.stderr.fileno(),
                                   start_new_session=True, env=environment, cwd=options.file.parent)
        os.close(command_read)
        os.close(message_write)
        runtime = cls(process, freezer, command_write, directory)
        runtime._reader = threading.Thread(target=runtime._read, args=(message_read,), name="leak-lsp-reader",
                                           daemon=True)
        runtime._reader.start()
        try:
            freezer.adopt(process.pid)
        except FreezeError:
            process.kill()
            process.wait()
            runtime.close()
            raise
        return runtime

    @property
    def folder(self) -> str:
        return self._directory.name

    def close(self) -> None:
        """After the tree is killed: the message pipe is at its end, the files can go."""
        self._reader.join()
        os.close(self._commands)
        self._directory.cleanup()

    def _read(self, fd: int) -> None:
        with os.fdopen(fd, "rb") as stream:
            for line in stream:
                self._messages.put(json.loads(line))
        self._messages.put(None)

    def send(self, command: dict[str, Any]) -> None:
        data = (json.dumps(command) + "\n").encode()
        try:
            while data:
                data = data[os.write(self._commands, data):]
        except BrokenPipeError as error:
            raise RuntimeFailure(self._death_with_cause()) from error

    def set_phase(self, phase: int) -> None:
        self.phase = phase
        with open(self._phase_file, "r+b") as file:
            file.write(struct.pack(PHASE_FORMAT, phase))

    def wait_for(self, kinds: set[str], timeout: float, what: str) -> dict[str, Any]:
        """The next message of one of ``kinds``; events received meanwhile are kept."""
        deadline = time.monotonic() + timeout
        drained_by: float | None = None  # once the runtime has exited: when its last messages must be in
        while time.monotonic() < deadline:
            try:
                message = self._messages.get(timeout=POLL_SECONDS)
            except queue.Empty:
                # What the runtime wrote before exiting (a refusal at init, a crash) may still be in the
                # pipe: it is read in order, up to the end of the stream, before the exit is reported.
                if drained_by is None and self.process.poll() is not None:
                    drained_by = time.monotonic() + DRAIN_SECONDS
                if drained_by is not None and time.monotonic() > drained_by:
                    raise RuntimeFailure(self._death()) from None
                continue
            if message is None:
                self.process.wait()
                raise RuntimeFailure(self._death())
            if message["message"] in kinds:
                return message
            if message["message"] == "crashed":
                raise RuntimeFailure(f"{self._death()}:\n{message['error']}")
            self._events.append(_event(message))
        raise RuntimeFailure(f"{what} timed out after {timeout:g} s; Lambda would reset the environment",
                             timed_out=True)

    def collect_events(self) -> list[dict[str, Any]]:
        """Events received so far, including those still queued."""
        while True:
            try:
                message = self._messages.get_nowait()
            except queue.Empty:
                break
            if message is not None and message["message"] == "event":
                self._events.append(_event(message))
        events, self._events = self._events, []
        return events

    def _death_with_cause(self) -> str:
        """The runtime has exited: read what it said last (its crash report may still be in the pipe)."""
        deadline = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < deadline:
            try:
                message = self._messages.get(timeout=POLL_SECONDS)
            except queue.Empty:
                continue
            if message is None:
                break
            if message["message"] == "crashed":
                return f"{self._death()}:\n{message['error']}"
            if message["message"] == "event":
                self._events.append(_event(message))
        return self._death()

    def _death(self) -> str:
        code = self.process.wait()
        how = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with code {code}"
        return f"the runtime {how} during {describe_phase(self.phase)}"


def _event(message: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in message.items() if key != "message"}


def _launch(options: Options, phase_file: Path, commands: int, messages: int) -> tuple[list[str], dict[str, str]]:
    """The runtime's command line and environment: the Node runner for JavaScript, else the Python child."""
    if is_node_handler(options.file):
        return (node_command(options.file, options.handler, options.node_runtime, commands, messages),
                node_environment(options.file, options.node_runtime, options.timeout_seconds))
    arguments = [sys.executable, "-m", "leak_lsp.runtime.child", "--file", str(options.file),
                 "--handler", options.handler, "--phase-file", str(phase_file),
                 "--commands", str(commands), "--messages", str(messages), "--parent", str(os.getpid())]
    return arguments, _environment(options)


def _environment(options: Options) -> dict[str, str]:
    """What the Lambda runtime sets, and unbuffered output so that prints appear when they happen."""
    name = options.file.stem
    package_root = str(Path(__file__).resolve().parents[2])
    path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
    return os.environ | {
        "PYTHONUNBUFFERED": "1", "PYTHONPATH": path,
        "AWS_LAMBDA_FUNCTION_NAME": name, "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_LAMBDA_FUNCTION_TIMEOUT": f"{options.timeout_seconds:g}", "AWS_EXECUTION_ENV": "AWS_Lambda_python3",
    }

"""The emulated execution environment: imports the handler once, then runs invocations on request.

Started by ``leak-lsp reproduce`` as ``python -m leak_lsp.runtime.child``; standard library
only. The parent owns the clock: it writes the current phase into a shared file while this
process is frozen, so that whatever runs at the thaw already sees the next invocation.
Commands arrive as JSON lines on one pipe, messages leave as JSON lines on another.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import importlib.util
import inspect
import json
import mmap
import os
import queue
import signal
import struct
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from leak_lsp.runtime.instrument import ENDED, Clock, Instrumentation, Tracker, invocation_phase

PHASE_FORMAT = "q"
PHASE_BYTES = struct.calcsize(PHASE_FORMAT)
ACCOUNT = "123456789012"
MAX_VALUE = 2000
PR_SET_PDEATHSIG = 1
REGION = "us-east-1"


class SharedClock(Clock):
    """The phase lives in a file mapped by both processes."""

    def __init__(self, path: str) -> None:
        with open(path, "r+b") as file:
            self._map = mmap.mmap(file.fileno(), PHASE_BYTES)

    def now(self) -> int:
        phase: int = struct.unpack_from(PHASE_FORMAT, self._map)[0]
        return phase

    def set(self, phase: int) -> None:
        struct.pack_into(PHASE_FORMAT, self._map, 0, phase)


class Channel:
    """Messages to the parent, written in order by one thread (safe from signal handlers)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._queue: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()

        self._writer = threading.Thread(target=self._write_until_closed, name="leak-lsp-channel", daemon=True)
        self._writer.start()

    def send(self, message: dict[str, Any]) -> None:
        self._queue.put(message)

    def close(self) -> None:
        """Write everything sent so far, before the process exits."""
        self._queue.put(None)
        self._writer.join()

    def _write_until_closed(self) -> None:
        while (message := self._queue.get()) is not None:
            data = (json.dumps(message, default=str) + "\n").encode()
            while data:
                data = data[os.write(self._fd, data):]


class LambdaContext:
    """The attributes and method of the context object the AWS Python runtime passes."""

    def __init__(self, function_name: str, timeout: float) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function_name}"
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = time.strftime("%Y/%m/%d") + f"/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(int((self._deadline - time.monotonic()) * 1000), 0)


def load_handler(path: Path, name: str) -> Callable[..., Any]:
    """Import the module as the runtime does (its folder first on sys.path) and find the handler."""
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    target: Any = module
    for depth, part in enumerate(name.split(".")):
        if not hasattr(target, part):
            where = path.name if depth == 0 else ".".join(name.split(".")[:depth])
            raise HandlerNotFound(f"{where} has no attribute `{part}`: the handler `{name}` does not exist")
        target = getattr(target, part)
    if not callable(target):
        raise HandlerNotFound(f"`{name}` in {path.name} is not callable")
    handler: Callable[..., Any] = target
    return handler


def user_traceback(failure: BaseException) -> str:
    """The traceback from the handler's frame on: the runtime's own frames above it are noise."""
    tb = failure.__traceback__
    while tb is not None and tb.tb_next is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(failure), failure, tb))


class HandlerNotFound(LookupError):
    """The module imported, but the handler is not in it: a message, not a traceback."""


def die_with_parent(parent: int) -> None:
    """The kernel kills this process when ``reproduce`` dies, even by SIGKILL (Linux)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def call_handler(handler: Callable[..., Any], event: Any, context: LambdaContext) -> Any:
    """Lambda passes (event, context); Azure and GCP entry points take the request alone."""
    for arguments in ((event, context), (event,), ()):
        try:
            inspect.signature(handler).bind(*arguments)
        except TypeError:
            continue
        except ValueError:  # no signature (some builtins): Lambda's shape
            break
        return handler(*arguments)
    return handler(event, context)


class Runtime:
    """Runs invocations as the parent asks; async handlers share one long-lived event loop."""

    def __init__(self, handler: Callable[..., Any], function_name: str, clock: SharedClock,
                 tracker: Tracker, channel: Channel) -> None:
        self.handler = handler
        self.function_name = function_name
        self.clock = clock
        self.tracker = tracker
        self.channel = channel
        self.loop: asyncio.AbstractEventLoop | None = None
        self.pid = os.getpid()

    def invoke(self, number: int, event: Any, timeout: float, last: bool) -> None:
        """Run one invocation; child processes that outlive it are checked by the parent, frozen."""
        error = value = None
        try:
            value = describe_value(self._run(event, timeout))
        except BaseException as failure:  # the handler's failure is a result to report, whatever it is
            error = user_traceback(failure)
        if os.getpid() != self.pid:  # a forked child returned from the handler: it is not the runtime
            os._exit(0)
        pending = [work.as_dict() for work in self.tracker.pending_in()]
        self.clock.set(ENDED if last else invocation_phase(number) + 1)
        self.channel.send({"message": "returned", "number": number, "error": error, "pending": pending,
                           "value": value})

    def _run(self, event: Any, timeout: float) -> Any:
        result = call_handler(self.handler, event, LambdaContext(self.function_name, timeout))
        if inspect.isawaitable(result):
            if self.loop is None:
                self.loop = asyncio.new_event_loop()
            return self.loop.run_until_complete(result)
        return result


def describe_value(value: Any) -> str:
    """What the handler returned, as text to compare between runs (a fix must not change it)."""
    try:
        text = repr(value)
    except Exception as error:  # a broken __repr__ is the user's; say so instead of failing the invocation
        text = f"<unrepresentable {type(value).__name__}: {error!r}>"
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 3] + "..."


def read_commands(stream: BinaryIO) -> Any:
    for line in stream:
        yield json.loads(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="leak_lsp.runtime.child")
    parser.add_argument("--file", required=True, type=Path)
    parser.add_argument("--handler", required=True)
    parser.add_argument("--phase-file", required=True)
    parser.add_argument("--commands", required=True, type=int)
    parser.add_argument("--messages", required=True, type=int)
    parser.add_argument("--parent", type=int, help="the pid of reproduce: this process dies with it")
    args = parser.parse_args(argv)
    if args.parent is not None:
        die_with_parent(args.parent)

    clock = SharedClock(args.phase_file)
    channel = Channel(args.messages)
    tracker = Tracker(clock, lambda event: channel.send({"message": "event", **event}), trace_threads=True)
    Instrumentation(tracker).install(unawaited_coroutines=True)
    commands = read_commands(os.fdopen(args.commands, "rb"))
    if next(commands, None) is None:  # "init": the parent has put this process where it can freeze it
        return 2
    try:
        handler = load_handler(args.file.resolve(), args.handler)
    except HandlerNotFound as error:
        channel.send({"message": "failed", "error": str(error)})
        channel.close()
        return 2
    except BaseException:  # any failure of the init phase is reported, never raised
        channel.send({"message": "failed", "error": traceback.format_exc()})
        channel.close()
        return 2
    channel.send({"message": "ready"})
    runtime = Runtime(handler, args.file.stem, clock, tracker, channel)
    try:
        for command in commands:
            runtime.invoke(command["number"], command["event"], command["timeout"], command["last"])
    except BaseException:  # raised outside the handler (a signal handler while idle): the runtime dies
        channel.send({"message": "crashed", "error": traceback.format_exc()})
        return 1
    finally:
        channel.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

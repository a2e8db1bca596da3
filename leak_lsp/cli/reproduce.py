"""``leak-lsp reproduce FILE[:HANDLER]``: run a handler the way a warm container would, and report its leaks."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from leak_lsp.runtime.node import DEFAULT_HANDLER as DEFAULT_NODE_HANDLER
from leak_lsp.runtime.node import DEFAULT_RUNTIME, RUNTIMES, is_node_handler

DEFAULT_HANDLERS = ("lambda_handler", "handler", "main")
CLEANUP_SIGNALS = (signal.SIGHUP, signal.SIGINT, signal.SIGTERM)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="FILE[:HANDLER]",
                        help="the handler's module and, after a colon, its name (default: the first of "
                             + ", ".join(DEFAULT_HANDLERS) + " that the file defines; for JavaScript: "
                             + DEFAULT_NODE_HANDLER + ")")
    parser.add_argument("--event", default="{}", metavar="JSON|@FILE",
                        help="the event passed to every invocation, as JSON or @path/to/event.json (default: {})")
    parser.add_argument("--invocations", type=_positive_int, default=2, metavar="N",
                        help="how many invocations to run in the same environment (default: 2)")
    parser.add_argument("--idle", type=_non_negative_float, default=0.5, metavar="SECONDS",
                        help="how long the environment stays frozen between invocations (default: 0.5)")
    parser.add_argument("--timeout", type=_positive_float, default=30.0, metavar="SECONDS",
                        help="limit for the init phase and for each invocation (default: 30)")
    parser.add_argument("--freezer", choices=("auto", "cgroup", "signal"), default="auto",
                        help="how to freeze the process tree: a cgroup freezer, SIGSTOP, or the first that works")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    parser.add_argument("--runtime", choices=RUNTIMES, default=None,
                        help="for JavaScript handlers (.js .mjs .cjs, .ts where Node strips types): the platform "
                             f"whose invocation ends are emulated (default: {DEFAULT_RUNTIME}, the strictest)")


def run(args: argparse.Namespace) -> int:
    from leak_lsp.runtime.emulator import Options, reproduce
    from leak_lsp.runtime.report import Report

    try:
        file, handler = _parse_target(args.target)
        event = _parse_event(args.event)
        if args.runtime is not None and not is_node_handler(file):
            raise ValueError("--runtime applies to JavaScript handlers only")
    except ValueError as error:
        print(f"leak-lsp reproduce: {error}", file=sys.stderr)
        if args.format == "json":  # a reader of the JSON gets its verdict too
            print(Report(args.target, args.freezer, args.idle, setup_error=str(error)).to_json())
        return 2
    options = Options(file, handler, event, args.invocations, args.idle, args.timeout, args.freezer,
                      args.runtime or DEFAULT_RUNTIME)
    progress = _progress if args.format == "text" else None
    previous = {signum: signal.signal(signum, _interrupt) for signum in CLEANUP_SIGNALS}  # cleanup runs on each
    try:
        report = reproduce(options, progress)
    except Interrupted as interruption:
        print(f"leak-lsp reproduce: stopped by {interruption.name}; the handler's processes were killed",
              file=sys.stderr)
        return 128 + interruption.signum
    finally:
        for signum, handler_before in previous.items():
            signal.signal(signum, handler_before)
    print(report.to_json() if args.format == "json" else report.to_text(), end="" if args.format == "text" else "\n")
    return report.exit_code


def _parse_target(target: str) -> tuple[Path, str]:
    path_text, _, handler = target.rpartition(":") if ":" in Path(target).name else (target, "", "")
    path = Path(path_text)
    if not path.is_file():
        raise ValueError(f"no such file: {path_text}")
    if is_node_handler(path):  # the runner names a missing export itself
        return path.resolve(), handler or DEFAULT_NODE_HANDLER
    defined = _top_level_names(path)
    if not handler:
        handler = next((name for name in DEFAULT_HANDLERS if name in (defined or DEFAULT_HANDLERS)), "")
        if not handler:
            raise ValueError(f"{path_text} defines none of {', '.join(DEFAULT_HANDLERS)}; "
                             f"name the handler: {path_text}:NAME (it defines {_listing(defined)})")
    elif defined is not None and handler.split(".")[0] not in defined:
        raise ValueError(f"{path_text} defines no `{handler.split('.')[0]}` (it defines {_listing(defined)})")
    return path.resolve(), handler


def _top_level_names(path: Path) -> set[str] | None:
    """The names the module binds at its top level, read without running it; None when a
    star import, a module ``__getattr__`` or a syntax error makes that unknowable."""
    import ast

    try:
        tree = ast.parse(path.read_bytes())
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # the child reports the real import error
    names: set[str] = set()

    def visit(node: ast.AST) -> bool:
        """False once a star import makes the names unknowable."""
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(child.name)  # its body binds names of its own scope
            elif isinstance(child, ast.alias):
                if child.name == "*":
                    return False
                names.add((child.asname or child.name).split(".")[0])
            elif isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                names.add(child.id)
            elif not isinstance(child, ast.Lambda) and not visit(child):
                return False
        return True

    if not visit(tree):
        return None
    return None if "__getattr__" in names else names


def _listing(names: set[str] | None) -> str:
    public = sorted(name for name in names or () if not name.startswith("_"))
    return ", ".join(public[:10]) + (", ..." if len(public) > 10 else "") if public else "no public names"


def _parse_event(text: str) -> Any:
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as error:
            raise ValueError(f"cannot read the event file {text[1:]}: {error.strerror}") from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"the event is not valid JSON: {error}") from error


def _progress(line: str) -> None:
    print(f"leak-lsp: {line}", file=sys.stderr, flush=True)


class Interrupted(Exception):
    """A signal asked reproduce to stop: the ``finally`` blocks kill the tree and remove what it made."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value

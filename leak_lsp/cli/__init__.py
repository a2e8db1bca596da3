"""``leak-lsp check | serve | rule | reproduce``: each subcommand lives in its own module.

A subcommand module provides ``add_arguments(parser)`` and ``run(args) -> int``; its
heavy imports stay inside ``run`` so that ``--help`` and ``serve`` start fast.
"""

from leak_lsp.cli.safe_path import drop_workspace_paths

drop_workspace_paths()  # before anything else is imported: the user's code must not shadow ours

import argparse  # noqa: E402
import importlib  # noqa: E402
import sys  # noqa: E402
from collections.abc import Sequence  # noqa: E402

from leak_lsp import __version__  # noqa: E402

SUBCOMMANDS = {
    "check": "Find execution leaks in Python files and folders.",
    "serve": "Run the language server (stdio by default).",
    "rule": "Show the documentation of a rule, or list all rules.",
    "reproduce": "Run a handler the way a warm container would, and report the work that leaks.",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand, or of ``only`` that one (its arguments need its
    module, and the others' modules are import time that ``serve`` and ``check`` would pay)."""
    parser = argparse.ArgumentParser(prog="leak-lsp", description="Find execution leaks in serverless handlers.")
    parser.add_argument("--version", action="version", version=f"leak-lsp {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, summary in SUBCOMMANDS.items():
        if only is not None and name != only:
            continue
        module = importlib.import_module(f"leak_lsp.cli.{name}")
        sub = commands.add_parser(name, help=summary, description=summary)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(arguments[0] if arguments and arguments[0] in SUBCOMMANDS else None)
    args = parser.parse_args(arguments)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("leak-lsp: interrupted", file=sys.stderr)
        return 130

"""``leak-lsp serve``: the language server, over stdio (the default) or TCP."""

from __future__ import annotations

import argparse
import logging
import sys

DEFAULT_PORT = 2087


def add_arguments(parser: argparse.ArgumentParser) -> None:
    transport = parser.add_mutually_exclusive_group()
    transport.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (the default)")
    transport.add_argument("--tcp", action="store_true", help="listen for one client on a TCP port")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind with --tcp (default: %(default)s)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port to bind with --tcp (default: %(default)s)")
    parser.add_argument(
        "--log-level",
        choices=("debug", "info", "warning", "error"),
        default="warning",
        help="what the server writes to stderr (default: %(default)s)",
    )


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(stream=sys.stderr, level=args.log_level.upper(), format="leak-lsp %(levelname)s %(name)s: %(message)s")
    # pygls logs every message it sends at INFO: keep it quiet unless debugging.
    logging.getLogger("pygls").setLevel(logging.DEBUG if args.log_level == "debug" else logging.WARNING)

    from leak_lsp.server.app import create_server

    server = create_server()
    try:
        if args.tcp:
            server.start_tcp(args.host, args.port)
        else:
            server.start_io()
    except SystemExit:  # pygls leaves through sys.exit on the ``exit`` notification
        pass
    finally:
        if server.session is not None:
            server.session.stop()
    return server.exit_code

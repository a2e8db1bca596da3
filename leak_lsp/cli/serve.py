"""``leak-lsp serve``: the language server, over stdio (the default) or TCP."""

from __future__ import annotations

import argparse
import logging
import sys

DEFAULT_PORT = 2087
EXIT_USAGE = 2


def port_number(text: str) -> int:
    if not text.strip().isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got {text!r}")
    return int(text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    transport = parser.add_mutually_exclusive_group()
    transport.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (the default)")
    transport.add_argument("--tcp", action="store_true", help="listen for one client on a TCP port")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind with --tcp (default: %(default)s)")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT, help="port to bind with --tcp (default: %(default)s)")
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
    except OSError as error:  # the port is taken, or the host is not an address of this machine
        print(f"leak-lsp serve: error: cannot listen on {args.host}:{args.port}: {error.strerror or error}",
              file=sys.stderr)
        return EXIT_USAGE
    finally:
        if server.session is not None:
            server.session.stop()
    return server.exit_code

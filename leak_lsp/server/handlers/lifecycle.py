"""initialize / initialized / shutdown / exit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from leak_lsp.server.capabilities import ClientFeatures
from leak_lsp.server.handlers.configuration import pull_client_settings, watch_project_files
from leak_lsp.server.positions import PositionCodec, encoding_named
from leak_lsp.server.session import Session

if TYPE_CHECKING:
    from leak_lsp.server.app import LeakLanguageServer


def initialize(ls: LeakLanguageServer, params: types.InitializeParams) -> None:
    """Set up the session; pygls has chosen the position encoding and builds the reply."""
    codec = PositionCodec(encoding_named(ls.workspace.position_encoding))
    ls.session = session = Session(ls, ClientFeatures.of(params.capabilities), codec)
    options = params.initialization_options
    if isinstance(options, dict) and "settings" in options:
        session.apply_client_settings(options["settings"])


async def initialized(ls: LeakLanguageServer, params: types.InitializedParams) -> None:
    session = ls.require_session()
    session.warm_up()
    try:
        await pull_client_settings(session)
    finally:
        session.settings_ready.set()
    await watch_project_files(session)


def shutdown(ls: LeakLanguageServer, params: None) -> None:
    ls.shutdown_requested = True
    if ls.session is not None:
        ls.session.stop()


def exit_(ls: LeakLanguageServer, params: None) -> None:
    ls.exit_code = 0 if ls.shutdown_requested else 1


def register(server: LeakLanguageServer) -> None:
    server.feature(types.INITIALIZE)(initialize)
    server.feature(types.INITIALIZED)(initialized)
    server.feature(types.SHUTDOWN)(shutdown)
    server.feature(types.EXIT)(exit_)

"""Client settings (workspace/configuration, didChangeConfiguration) and pyproject.toml reloads."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lsprotocol import types

from leak_lsp.server.settings import CLIENT_SECTION

if TYPE_CHECKING:
    from leak_lsp.server.app import LeakLanguageServer
    from leak_lsp.server.session import Session

logger = logging.getLogger(__name__)

PYPROJECT_GLOB = "**/pyproject.toml"


async def pull_client_settings(session: Session) -> None:
    """Ask the client for the ``leakLsp`` section; a missing section keeps what we have."""
    if not session.features.configuration:
        return
    item = types.ConfigurationItem(section=CLIENT_SECTION, scope_uri=session.server.workspace.root_uri)
    try:
        values = await session.server.workspace_configuration_async(types.ConfigurationParams(items=[item]))
    except Exception as error:  # the client's error reply: keep the settings we have
        logger.warning("workspace/configuration failed: %s", error)
        return
    if values and values[0] is not None:
        session.apply_client_settings(values[0])


async def watch_pyproject_files(session: Session) -> None:
    """Register a watcher for pyproject.toml when the client lets servers do so."""
    if not session.features.watched_files_registration:
        return
    watcher = types.FileSystemWatcher(glob_pattern=PYPROJECT_GLOB)
    registration = types.Registration(
        id="leak-lsp-pyproject-watcher",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=[watcher]),
    )
    try:
        await session.server.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
    except Exception as error:
        logger.warning("could not register the pyproject.toml watcher: %s", error)


async def did_change_configuration(ls: LeakLanguageServer, params: types.DidChangeConfigurationParams) -> None:
    session = ls.require_session()
    if isinstance(params.settings, dict) and CLIENT_SECTION in params.settings:
        session.apply_client_settings(params.settings[CLIENT_SECTION])
    await pull_client_settings(session)
    session.refresh_all()


def did_change_watched_files(ls: LeakLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
    session = ls.require_session()
    if any(change.uri.endswith("/pyproject.toml") for change in params.changes):
        session.settings.pyproject_changed()
        session.refresh_all()


def register(server: LeakLanguageServer) -> None:
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(did_change_configuration)
    server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(did_change_watched_files)

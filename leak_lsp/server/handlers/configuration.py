"""Client settings (workspace/configuration, didChangeConfiguration), watched files
(pyproject.toml, Python modules, deployment files) and workspace folders."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.uris import to_fs_path

from leak_lsp.project.files import PROJECT_GLOBS, PYPROJECT_GLOB
from leak_lsp.server.settings import CLIENT_SECTION

if TYPE_CHECKING:
    from leak_lsp.server.app import LeakLanguageServer
    from leak_lsp.server.session import Session

logger = logging.getLogger(__name__)


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


async def watch_project_files(session: Session) -> None:
    """Register watchers for pyproject.toml and the project's files when the client lets servers do so."""
    if not session.features.watched_files_registration:
        return
    watchers = [types.FileSystemWatcher(glob_pattern=glob) for glob in (PYPROJECT_GLOB, *PROJECT_GLOBS)]
    registration = types.Registration(
        id="leak-lsp-file-watcher",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
    )
    try:
        await session.server.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
    except Exception as error:
        logger.warning("could not register the file watchers: %s", error)


async def did_change_configuration(ls: LeakLanguageServer, params: types.DidChangeConfigurationParams) -> None:
    session = ls.require_session()
    if isinstance(params.settings, dict) and CLIENT_SECTION in params.settings:
        session.apply_client_settings(params.settings[CLIENT_SECTION])
    session.settings_ready.clear()  # an analysis started meanwhile (an edit right after) waits for them
    try:
        await pull_client_settings(session)
    finally:
        session.settings_ready.set()
    session.refresh_all()


def did_change_watched_files(ls: LeakLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
    session = ls.require_session()
    if any(change.uri.endswith("/pyproject.toml") for change in params.changes):
        session.settings.pyproject_changed()
        session.refresh_all()
    for change in params.changes:
        path = to_fs_path(change.uri)
        if path is not None and not change.uri.endswith("/pyproject.toml"):
            session.file_changed(path)


def did_change_workspace_folders(ls: LeakLanguageServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
    """pygls has updated its folder list; drop the workspaces of removed folders and analyse again."""
    session = ls.require_session()
    session.projects.folders_removed(Path(path) for folder in params.event.removed if (path := to_fs_path(folder.uri)))
    session.refresh_all()


def register(server: LeakLanguageServer) -> None:
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(did_change_configuration)
    server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(did_change_watched_files)
    server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)(did_change_workspace_folders)

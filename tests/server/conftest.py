"""pytest-lsp clients with the capabilities of real editors, and a test editor on top.

``visual-studio-code`` pushes diagnostics and counts UTF-16 units, ``neovim`` (0.11)
counts UTF-8 bytes and pulls (``neovim+refresh``: with workspace/diagnostic/refresh
support; plain ``neovim`` has none, so the server pushes to it), ``emacs`` (29) counts
code points.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES

from .editor import Editor

SERVER_COMMAND = [sys.executable, "-m", "leak_lsp", "serve"]
REFRESHING = "+refresh"  # a profile suffix: the client also asks for workspace/diagnostic/refresh
PROFILES = ["visual-studio-code", f"neovim{REFRESHING}"]
ENCODING_PROFILES = [*PROFILES, "emacs"]


def make_client() -> LanguageClient:
    """pytest-lsp's client, but keeping each publication's version and every registration."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = {}  # type: ignore[attr-defined]
    client.registrations = []  # type: ignore[attr-defined]
    client.code_lens_refreshes = 0  # type: ignore[attr-defined]
    for method, handler in DEFAULT_CLIENT_FEATURES.items():
        if method != types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
            client.feature(method)(handler)

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        client.published[params.uri] = params  # type: ignore[attr-defined]

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(client: LanguageClient, params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def refresh_code_lenses(client: LanguageClient, params: None) -> None:
        client.code_lens_refreshes += 1  # type: ignore[attr-defined]

    return client


CONFIG = ClientServerConfig(server_command=SERVER_COMMAND, client_factory=make_client)



def capabilities_of(profile: str) -> types.ClientCapabilities:
    capabilities = client_capabilities(profile.removesuffix(REFRESHING))
    if profile.endswith(REFRESHING):
        assert capabilities.workspace is not None
        capabilities.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    return capabilities


async def start_editor(client: LanguageClient, profile: str, root: Path, initialization_options: Any = None) -> Editor:
    capabilities = capabilities_of(profile)
    params = types.InitializeParams(
        capabilities=capabilities,
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        initialization_options=initialization_options,
    )
    result = await client.initialize_session(params)
    encoding = str(getattr(result.capabilities.position_encoding, "value", result.capabilities.position_encoding or "utf-16"))
    return Editor(client, encoding, pulls=result.capabilities.diagnostic_provider is not None)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "client_settings(value): the client's `leakLsp` configuration section")
    config.addinivalue_line("markers", "initialization_options(value): the client's initializationOptions")


async def _start(client: LanguageClient, request: pytest.FixtureRequest, root: Path) -> None:
    if (settings := request.node.get_closest_marker("client_settings")) is not None:
        client.set_configuration(settings.args[0], section="leakLsp")
    options = request.node.get_closest_marker("initialization_options")
    client.editor = await start_editor(client, request.param, root, options.args[0] if options else None)  # type: ignore[attr-defined]


@pytest_lsp.fixture(config=CONFIG, params=PROFILES)
async def lsp(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A server per test, driven with the push/UTF-16 and the pull/UTF-8 profiles."""
    await _start(lsp_client, request, tmp_path)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, params=ENCODING_PROFILES)
async def lsp_any_encoding(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """As ``lsp``, plus the code-point (UTF-32) profile, where columns are what is tested."""
    await _start(lsp_client, request, tmp_path)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, params=[f"neovim{REFRESHING}"])
async def lsp_pulling(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A client that pulls diagnostics, for what only pulling clients do (result ids)."""
    await _start(lsp_client, request, tmp_path)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, params=["neovim"])
async def lsp_neovim_without_refresh(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """Neovim 0.11 as it is: it pulls, but cannot be asked to pull again."""
    await _start(lsp_client, request, tmp_path)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, params=[f"neovim{REFRESHING}"])
async def lsp_pulling_with_refresh(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A pulling client that also supports workspace/diagnostic/refresh."""
    await _start(lsp_client, request, tmp_path)
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def editor(lsp: LanguageClient) -> Editor:
    return lsp.editor  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def encoded_editor(lsp_any_encoding: LanguageClient) -> Editor:
    return lsp_any_encoding.editor  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def pulling_editor(lsp_pulling: LanguageClient) -> Editor:
    return lsp_pulling.editor  # type: ignore[attr-defined,no-any-return]

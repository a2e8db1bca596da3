"""The server tests' editor fixtures (real client profiles, the server as a subprocess)."""

from server.conftest import editor, lsp  # noqa: F401 - fixtures shared with tests/server

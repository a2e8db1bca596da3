"""Settings for a document: ``[tool.leak-lsp]`` of its nearest pyproject.toml, then the client's.

The client's settings (``initializationOptions.settings``, the ``leakLsp`` section of
``workspace/configuration`` or ``workspace/didChangeConfiguration``) use the same keys
as the TOML section and lie over it as the command line does in ``check``: one
:class:`~leak_lsp.analysis.config.Overlay` (``select`` replaces, ``ignore`` adds...).
Keys of the editor extension itself (an interpreter path, a trace level) are left to
the extension and ignored here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from leak_lsp.analysis.config import ConfigError, Settings, load_settings

CLIENT_SECTION = "leakLsp"
ANALYSIS_KEYS = frozenset({"select", "ignore", "extend-select", "severity", "handlers", "exclude", "extend-exclude"})


def client_overrides(raw: Any) -> dict[str, Any]:
    """The analysis keys of a client settings object (``None`` values mean "not set").

    Raises :class:`ConfigError` for a value the analysis would reject.
    """
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"the `{CLIENT_SECTION}` settings must be an object, not {type(raw).__name__}")
    overrides = {
        key.replace("_", "-"): value
        for key, value in raw.items()
        if key.replace("_", "-") in ANALYSIS_KEYS and value is not None
    }
    Settings().merged(overrides)
    return overrides


class SettingsStore:
    """Settings per folder, cached until a pyproject.toml or the client's settings change."""

    def __init__(self) -> None:
        self._overrides: dict[str, Any] = {}
        self._by_folder: dict[Path, Settings] = {}
        self.generation = 0  # bumped on every change, so cached results can tell they are stale

    def set_client_settings(self, raw: Any) -> None:
        """Replace the client's settings; ``ConfigError`` leaves the previous ones in place."""
        self._overrides = client_overrides(raw)
        self._changed()

    def pyproject_changed(self) -> None:
        self._changed()

    def settings_for(self, path: str | None) -> Settings:
        """The settings of a file (``None`` for a document that is not on disk).

        Raises :class:`ConfigError` for a malformed pyproject.toml; the caller reports
        it and falls back to :meth:`client_only`.
        """
        return self.client_only() if path is None else self.for_folder(Path(path).parent)

    def for_folder(self, folder: Path) -> Settings:
        if folder not in self._by_folder:
            self._by_folder[folder] = load_settings(folder).merged(self._overrides)
        return self._by_folder[folder]

    def client_only(self) -> Settings:
        return Settings().merged(self._overrides)

    def _changed(self) -> None:
        self._by_folder.clear()
        self.generation += 1

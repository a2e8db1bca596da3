"""Settings for each checked file: the nearest pyproject.toml, then the command line on top.

The command line is an :class:`~leak_lsp.analysis.config.Overlay`, as the editor's
settings are in the server: ``--select`` replaces, ``--extend-select`` and ``--ignore``
add, ``--severity`` wins per code. Loading is cached by pyproject.toml path, so a
thousand files under one project read their configuration once.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from leak_lsp.analysis.config import Overlay, Settings, find_pyproject, load_settings
from leak_lsp.analysis.model import Severity


def overlay_from_arguments(args: argparse.Namespace) -> Overlay:
    """The rule selection of the command line (already checked by the argument types)."""
    return Overlay(
        select=_flatten(args.select) if args.select is not None else None,
        extend_select=_flatten(args.extend_select or []),
        ignore=_flatten(args.ignore or []),
        severity={code: Severity(level) for code, level in args.severity or []},
    )


def _flatten(groups: list[list[str]]) -> tuple[str, ...]:
    return tuple(code for group in groups for code in group)


class SettingsResolver:
    """Settings for any path, from the nearest pyproject.toml, with the overlay applied.

    Raises :class:`leak_lsp.analysis.config.ConfigError` for a malformed pyproject.toml.
    """

    def __init__(self, overlay: Overlay) -> None:
        self.overlay = overlay
        self._pyproject_of_folder: dict[Path, Path | None] = {}
        self._settings_of_pyproject: dict[Path | None, Settings] = {}

    def for_folder(self, folder: Path) -> Settings:
        if folder not in self._pyproject_of_folder:
            self._pyproject_of_folder[folder] = find_pyproject(folder)
        pyproject = self._pyproject_of_folder[folder]
        if pyproject not in self._settings_of_pyproject:
            loaded = load_settings(pyproject) if pyproject is not None else Settings()
            self._settings_of_pyproject[pyproject] = self.overlay.apply(loaded)
        return self._settings_of_pyproject[pyproject]

    def for_file(self, path: Path) -> Settings:
        return self.for_folder(path.parent)

"""Settings for each checked file: the nearest pyproject.toml, then the command line on top.

Loading is cached by pyproject.toml path, so a thousand files under one project read
their configuration once.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from leak_lsp.analysis.config import Settings, find_pyproject, load_settings
from leak_lsp.analysis.model import Severity


@dataclass(frozen=True)
class Overrides:
    """Rule selection given on the command line, applied on top of each file's settings.

    Like ruff: ``--select`` replaces the configured selection, ``--extend-select`` adds
    to it, ``--ignore`` adds to the configured ignores, ``--severity`` wins per code.
    """

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)

    @staticmethod
    def from_arguments(args: argparse.Namespace) -> Overrides:
        return Overrides(
            select=_flatten(args.select) if args.select is not None else None,
            extend_select=_flatten(args.extend_select or []),
            ignore=_flatten(args.ignore or []),
            severity={code: Severity(level) for code, level in args.severity or []},
        )

    def apply(self, settings: Settings) -> Settings:
        select = self.select if self.select is not None else settings.select
        return replace(
            settings,
            select=select + self.extend_select,
            ignore=settings.ignore + self.ignore,
            severity={**settings.severity, **self.severity},
        )


def _flatten(groups: list[list[str]]) -> tuple[str, ...]:
    return tuple(code for group in groups for code in group)


class SettingsResolver:
    """Settings for any path, from the nearest pyproject.toml, with the overrides applied.

    Raises :class:`leak_lsp.analysis.config.ConfigError` for a malformed pyproject.toml.
    """

    def __init__(self, overrides: Overrides) -> None:
        self.overrides = overrides
        self._pyproject_of_folder: dict[Path, Path | None] = {}
        self._settings_of_pyproject: dict[Path | None, Settings] = {}

    def for_folder(self, folder: Path) -> Settings:
        if folder not in self._pyproject_of_folder:
            self._pyproject_of_folder[folder] = find_pyproject(folder)
        pyproject = self._pyproject_of_folder[folder]
        if pyproject not in self._settings_of_pyproject:
            loaded = load_settings(pyproject) if pyproject is not None else Settings()
            self._settings_of_pyproject[pyproject] = self.overrides.apply(loaded)
        return self._settings_of_pyproject[pyproject]

    def for_file(self, path: Path) -> Settings:
        return self.for_folder(path.parent)

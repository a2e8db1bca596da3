"""Settings from ``[tool.leak-lsp]`` in the nearest pyproject.toml, merged with overrides.

The same :class:`Settings` value is built by the CLI (from pyproject.toml and flags)
and by the server (from pyproject.toml and the client's settings).
"""

from __future__ import annotations

import fnmatch
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from leak_lsp.analysis.model import Severity
from leak_lsp.analysis.models import ModelError, parse_models
from leak_lsp.rules.rule import WorkKind

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

SECTION = "leak-lsp"


class ConfigError(ValueError):
    """A setting has the wrong type or an unknown value."""


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    handlers: tuple[str, ...] = ()  # "path/glob.py:function_glob", relative to ``root``
    exclude: tuple[str, ...] = ()  # gitignore-style patterns, relative to ``root``
    root: str | None = None  # the folder holding the pyproject.toml the settings came from
    models: tuple[WorkKind, ...] = ()  # library models declared in ``models`` (see analysis/models.py)

    def is_enabled(self, code: str) -> bool:
        """Ruff's prefix rule: the longest matching prefix of select/ignore wins."""
        selected = _longest_prefix(code, self.select)
        ignored = _longest_prefix(code, self.ignore)
        return selected > ignored

    def severity_of(self, code: str, default: Severity) -> Severity:
        best, chosen = -1, default
        for prefix, severity in self.severity.items():
            length = _prefix_length(code, prefix)
            if length > best:
                best, chosen = length, severity
        return chosen

    def configured_handlers(self, path: str) -> list[str]:
        """Function-name patterns that ``handlers`` names for the file at ``path``."""
        relative = _relative_posix(path, self.root)
        names = []
        for entry in self.handlers:
            file_pattern, _, function = entry.rpartition(":")
            if not file_pattern:
                continue
            if fnmatch.fnmatch(relative, file_pattern) or fnmatch.fnmatch(relative, "*/" + file_pattern):
                names.append(function)
        return names

    def merged(self, overrides: Mapping[str, Any]) -> Settings:
        """These settings with ``overrides`` (same keys as the TOML section) on top."""
        return replace(self, **_parse_section(overrides, base_select=self.select))


def _prefix_length(code: str, prefix: str) -> int:
    if prefix == "ALL":
        return 0
    return len(prefix) if code.startswith(prefix) else -1


def _longest_prefix(code: str, prefixes: Iterable[str]) -> int:
    return max((_prefix_length(code, prefix) for prefix in prefixes), default=-1)


def _relative_posix(path: str, root: str | None) -> str:
    target = Path(path)
    if root is not None:
        try:
            return target.resolve().relative_to(Path(root).resolve()).as_posix()
        except (ValueError, OSError):
            pass
    return target.as_posix()


def _strings(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ConfigError(f"`{key}` must be a list of strings")


def _severities(value: Any) -> dict[str, Severity]:
    if not isinstance(value, Mapping):
        raise ConfigError("`severity` must be a table of CODE = \"error|warning|information|hint\"")
    result = {}
    for code, name in value.items():
        try:
            result[str(code)] = Severity(str(name).lower())
        except ValueError:
            raise ConfigError(f"unknown severity {name!r} for {code}") from None
    return result


def _models(key: str, value: Any) -> tuple[WorkKind, ...]:
    try:
        return parse_models(value)
    except ModelError as error:
        raise ConfigError(str(error)) from None


_PARSERS = {
    "models": _models,
    "select": _strings,
    "ignore": _strings,
    "extend-select": _strings,
    "handlers": _strings,
    "exclude": _strings,
}


def _parse_section(section: Mapping[str, Any], base_select: tuple[str, ...] = Settings.select) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for key, value in section.items():
        key = key.replace("_", "-")
        if key == "severity":
            parsed["severity"] = _severities(value)
        elif key in _PARSERS:
            parsed[key.replace("-", "_")] = _PARSERS[key](key, value)
        else:
            raise ConfigError(f"unknown setting `{key}` in [tool.{SECTION}]")
    extra = parsed.pop("extend_select", ())
    if extra:
        parsed["select"] = tuple(parsed.get("select", base_select)) + extra
    return parsed


def find_pyproject(start: str | Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start`` (a file or a folder)."""
    here = Path(start).resolve()
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_settings(start: str | Path) -> Settings:
    """Settings for a file or folder; defaults when no pyproject.toml has a section.

    Raises :class:`ConfigError` for a malformed file or section, so that the caller
    can say so once instead of silently ignoring the user's configuration.
    """
    pyproject = find_pyproject(start)
    if pyproject is None:
        return Settings()
    try:
        document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{pyproject}: {error}") from None
    section = document.get("tool", {}).get(SECTION, {})
    if not isinstance(section, Mapping):
        raise ConfigError(f"{pyproject}: [tool.{SECTION}] must be a table")
    try:
        return replace(Settings(root=str(pyproject.parent)), **_parse_section(section))
    except ConfigError as error:
        raise ConfigError(f"{pyproject}: {error}") from None

"""Settings from ``[tool.leak-lsp]`` in the nearest pyproject.toml, merged with overrides.

The same :class:`Settings` value is built by the CLI (from pyproject.toml and flags)
and by the server (from pyproject.toml and the client's settings).
"""

from __future__ import annotations

import difflib
import fnmatch
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from leak_lsp.analysis.model import Severity
from leak_lsp.analysis.models import ModelError, parse_models
from leak_lsp.rules.rule import WorkKind

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

SECTION = "leak-lsp"
T = TypeVar("T")


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
        """These settings with ``overrides`` (same keys as the TOML section) on top, as an
        :class:`Overlay` (``select`` replaces, ``ignore`` adds...)."""
        return Overlay.parse(overrides).apply(self)


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
    raise ConfigError(f"`{key}` must be a list of strings, not {value!r}")


def check_selector(text: str) -> str:
    """``ALL``, or a rule code or prefix that selects at least one rule, written as ruff
    writes them (upper case): ``EL1``, ``EL101``. Raises :class:`ConfigError` with a
    suggestion: ``EL11``, ``el101`` and ``EL999`` would silently select nothing."""
    from leak_lsp.rules import all_rules

    selector = text.strip()
    codes = [rule.code for rule in all_rules()]
    if selector == "ALL" or (selector.startswith("EL") and any(code.startswith(selector) for code in codes)):
        return selector
    raise ConfigError(f"{text!r} selects no rule{_suggestion(selector, codes)}; `leak-lsp rule` lists them")


_LOOKALIKE_DIGITS = str.maketrans("OILS", "0115")


def _suggestion(text: str, choices: Iterable[str]) -> str:
    """`` (did you mean EL101?)`` for the nearest choice, as ruff and git suggest."""
    candidates = list(choices)
    upper = text.upper()
    digits = upper[:2] + upper[2:].translate(_LOOKALIKE_DIGITS)  # EL1O1 -> EL101
    if digits in candidates:
        return f" (did you mean {digits}?)"
    if upper in candidates:
        return f" (did you mean {upper}?)"
    close = difflib.get_close_matches(upper, candidates, n=1, cutoff=0.6) or difflib.get_close_matches(
        text, candidates, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _selectors(key: str, value: Any) -> tuple[str, ...]:
    return tuple(_keyed(key, check_selector, item) for item in _strings(key, value))


def _keyed(key: str, check: Callable[[str], T], item: str) -> T:
    try:
        return check(item)
    except ConfigError as error:
        raise ConfigError(f"`{key}`: {error}") from None


def check_severity(text: str) -> Severity:
    """``error``, ``warning``, ``information`` or ``hint`` (any case)."""
    levels = [severity.value for severity in Severity]
    try:
        return Severity(text.strip().lower())
    except ValueError:
        raise ConfigError(f"unknown severity {text!r}{_suggestion(text.lower(), levels)}; "
                          f"expected {'|'.join(levels)}") from None


def _severities(key: str, value: Any) -> dict[str, Severity]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"`{key}` must be a table of CODE = \"error|warning|information|hint\"")
    return {
        _keyed(key, check_selector, str(code)): _keyed(f"{key}.{code}", check_severity, str(name))
        for code, name in value.items()
    }


def _models(key: str, value: Any) -> tuple[WorkKind, ...]:
    try:
        return parse_models(value)
    except ModelError as error:
        raise ConfigError(str(error)) from None


_HANDLER_SPEC = re.compile(r"^(?P<file>[^:]+):(?P<function>[A-Za-z_*?\[][\w*?\[\]!.-]*)$")


def check_handler_spec(text: str) -> str:
    """``path/glob.py:function_glob`` (``handlers/*.py:handle_*``)."""
    if not _HANDLER_SPEC.match(text.strip()):
        raise ConfigError(f"{text!r} is not `path/glob.py:function_glob` (as in \"handlers/*.py:lambda_handler\")")
    return text.strip()


def _handler_specs(key: str, value: Any) -> tuple[str, ...]:
    return tuple(_keyed(key, check_handler_spec, item) for item in _strings(key, value))


@dataclass(frozen=True)
class Overlay:
    """Settings given on top of others: ``[tool.leak-lsp]`` over the defaults, the command
    line or the editor's settings over ``[tool.leak-lsp]``. One meaning everywhere, as
    ruff's ``extend-*`` convention has it:

    - ``select`` replaces the selection below and its ignores (a new selection starts
      afresh, as ruff's ``--select`` does);
    - ``extend-select`` adds to the selection below, and turns back on the codes it names
      that were ignored below;
    - ``ignore`` adds to the ignores below;
    - ``severity`` is merged per code, the overlay's level winning;
    - ``handlers`` adds entry points;
    - ``exclude`` replaces the patterns below, ``extend-exclude`` adds to them;
    - ``models`` adds library models.
    """

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    handlers: tuple[str, ...] = ()
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    models: tuple[WorkKind, ...] = ()

    @staticmethod
    def parse(section: Mapping[str, Any]) -> Overlay:
        """The overlay of a settings table (the TOML section's keys; ``_`` may stand for ``-``).

        Raises :class:`ConfigError` naming the key, with a suggestion when it is a typo.
        """
        parsed: dict[str, Any] = {}
        for raw_key, value in section.items():
            key = str(raw_key).replace("_", "-")
            if key not in _PARSERS:
                raise ConfigError(f"unknown setting `{key}`{_suggestion(key, _PARSERS)}")
            parsed[key.replace("-", "_")] = _PARSERS[key](key, value)
        return Overlay(**parsed)

    def apply(self, settings: Settings) -> Settings:
        select, ignore = (settings.select, settings.ignore) if self.select is None else (self.select, ())
        ignore = tuple(code for code in ignore if not any(code.startswith(added) for added in self.extend_select))
        exclude = settings.exclude if self.exclude is None else self.exclude
        return replace(
            settings,
            select=select + self.extend_select,
            ignore=ignore + self.ignore,
            severity={**settings.severity, **self.severity},
            handlers=settings.handlers + self.handlers,
            exclude=exclude + self.extend_exclude,
            models=settings.models + self.models,
        )


_PARSERS: dict[str, Callable[[str, Any], Any]] = {
    "select": _selectors,
    "extend-select": _selectors,
    "ignore": _selectors,
    "severity": _severities,
    "handlers": _handler_specs,
    "exclude": _strings,
    "extend-exclude": _strings,
    "models": _models,
}


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
        return Overlay.parse(section).apply(Settings(root=str(pyproject.parent)))
    except ConfigError as error:
        raise ConfigError(f"{pyproject}: [tool.{SECTION}] {error}") from None

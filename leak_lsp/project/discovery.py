"""Which files ``leak-lsp check`` looks at: ``*.py``, JavaScript/TypeScript sources and
deployment files under the given paths, as ruff picks them.

Folders are walked recursively, skipping virtual environments, caches and build output,
everything a ``.gitignore`` ignores, and the ``exclude`` patterns of the settings and
the command line (gitignore syntax). A file named on the command line is always checked.
What is not a regular file (a FIFO, a symlink loop, a dangling link) is skipped with a
reason: reading it would hang or fail.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec

from leak_lsp.analysis.config import Settings
from leak_lsp.project.files import SKIPPED_FOLDERS, SOURCE_SUFFIXES


@dataclass(frozen=True)
class Discovered:
    files: list[Path]  # absolute, sorted, without duplicates: Python files and deployment files
    missing: list[str]  # command-line paths that do not exist, as the user wrote them
    skipped: list[tuple[Path, str]]  # files that cannot be read as files, and why


def not_a_file(path: Path) -> str | None:
    """Why ``path`` must not be read as a file (a symlink loop, a FIFO...), or None.

    Other errors (a dangling link, no permission) are left to the reading, which reports them.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        return "a symlink loop" if error.errno == errno.ELOOP else None
    if stat.S_ISREG(mode):
        return None
    return "a FIFO" if stat.S_ISFIFO(mode) else "not a regular file"


def is_source_name(name: str) -> bool:
    """A Python, JavaScript or TypeScript source (a ``.d.ts`` declares types only)."""
    return name.endswith(SOURCE_SUFFIXES) and not name.endswith(".d.ts")


def is_deployment_name(path: Path) -> bool:
    """A deployment file told by its name alone (a CDK app is a source file, checked as code)."""
    if path.name.endswith(SOURCE_SUFFIXES):
        return False
    from leak_lsp.project.deployment import is_deployment_file  # its YAML reader is not needed before

    return is_deployment_file(path)


@dataclass(frozen=True)
class ExcludeOptions:
    """``--exclude`` replaces the configured patterns, ``--extend-exclude`` adds to them."""

    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    force_exclude: bool = False  # exclude named files too (pre-commit names every staged file)


@dataclass(frozen=True)
class _Rules:
    """Gitignore-style patterns and the folder they are relative to."""

    base: Path
    spec: pathspec.PathSpec  # type: ignore[type-arg]  # generic in its stubs only, not at run time

    @staticmethod
    def of(base: Path, patterns: Sequence[str]) -> _Rules:
        return _Rules(base, pathspec.GitIgnoreSpec.from_lines(patterns))

    def decision(self, path: Path, is_folder: bool) -> bool | None:
        """True: ignored, False: re-included by a ``!`` pattern, None: no pattern matched."""
        relative = _relative(path, self.base)
        if relative in ("", "."):
            return None
        return self.spec.check_file(relative + "/" if is_folder else relative).include


def _relative(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` (through symlinks if need be), else its bare name."""
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # elsewhere, or a symlink loop
        return path.name


class _GitIgnores:
    """The ``.gitignore`` files that apply in a folder, outermost first.

    Inside a git repository the ones above the walked folder count too (up to the folder
    holding ``.git``); outside one, only those from the walked folder down.
    """

    def __init__(self) -> None:
        self._chains: dict[tuple[Path, Path], tuple[_Rules, ...]] = {}

    def chain(self, folder: Path, top: Path) -> tuple[_Rules, ...]:
        key = (folder, top)
        if key not in self._chains:
            outer = self.chain(folder.parent, top) if folder != top and folder.parent != folder else ()
            own = _read_gitignore(folder)
            self._chains[key] = outer + ((own,) if own is not None else ())
        return self._chains[key]

    def ignores(self, path: Path, is_folder: bool, top: Path) -> bool:
        decision = None
        for rules in self.chain(path.parent, top):
            decision = _last_word(decision, rules.decision(path, is_folder))
        return decision is True


def _last_word(previous: bool | None, current: bool | None) -> bool | None:
    return previous if current is None else current


def _read_gitignore(folder: Path) -> _Rules | None:
    try:
        lines = (folder / ".gitignore").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return _Rules.of(folder, lines)


def _repository_top(folder: Path) -> Path:
    """The folder holding ``.git`` above ``folder``, else ``folder`` itself."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


class FileFinder:
    def __init__(self, settings_for_folder: Callable[[Path], Settings], options: ExcludeOptions) -> None:
        self._settings_for_folder = settings_for_folder
        self._gitignores = _GitIgnores()
        self._excludes: dict[tuple[str | None, tuple[str, ...]], _Rules] = {}
        self._force_exclude = options.force_exclude
        cwd = Path.cwd()
        self._command_line_rules = (
            _Rules.of(cwd, options.exclude) if options.exclude is not None else None,
            _Rules.of(cwd, options.extend_exclude),
        )

    def find(self, paths: Sequence[str]) -> Discovered:
        found: set[Path] = set()
        missing: list[str] = []
        for given in paths:
            path = Path(os.path.abspath(given))
            if path.is_dir():
                found.update(self._walk(path))
            elif os.path.lexists(path):
                if not (self._force_exclude and self._excluded(path)):
                    found.add(path)
            else:
                missing.append(given)
        reasons = {path: not_a_file(path) for path in found}
        files = sorted(path for path, reason in reasons.items() if reason is None)
        skipped = sorted((path, reason) for path, reason in reasons.items() if reason is not None)
        return Discovered(files, missing, skipped)

    def _walk(self, root: Path) -> Iterator[Path]:
        top = _repository_top(root)
        for folder_name, folder_names, file_names in os.walk(root):
            folder = Path(folder_name)
            folder_names[:] = sorted(name for name in folder_names if not self._skipped(folder / name, True, top))
            for name in file_names:
                path = folder / name
                wanted = is_source_name(name) or is_deployment_name(path)
                if wanted and not self._skipped(path, False, top):
                    yield path

    def _excluded(self, path: Path) -> bool:
        """A named file, or a folder above it, matched by ``exclude`` or a ``.gitignore``."""
        top = _repository_top(path.parent)
        folders = [folder for folder in path.parents if top in folder.parents]  # below the repository's top
        return any(self._skipped(folder, True, top) for folder in folders) or self._skipped(path, False, top)

    def _skipped(self, path: Path, is_folder: bool, top: Path) -> bool:
        if is_folder and path.name in SKIPPED_FOLDERS:
            return True
        if self._gitignores.ignores(path, is_folder, top):
            return True
        return any(rules.decision(path, is_folder) for rules in self._exclude_rules(path.parent))

    def _exclude_rules(self, folder: Path) -> Iterator[_Rules]:
        configured, extended = self._command_line_rules
        if configured is None:
            configured = self._configured_rules(self._settings_for_folder(folder))
        yield configured
        yield extended

    def _configured_rules(self, settings: Settings) -> _Rules:
        """The ``exclude`` of one settings value, relative to its pyproject.toml's folder."""
        key = (settings.root, settings.exclude)
        if key not in self._excludes:
            base = Path(settings.root) if settings.root is not None else Path.cwd()
            self._excludes[key] = _Rules.of(base, settings.exclude)
        return self._excludes[key]

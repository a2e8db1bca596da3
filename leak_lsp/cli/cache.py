"""Results of ``check`` kept on disk between runs, as ruff's ``.ruff_cache``.

An entry is keyed by what the analysis of a file reads: its bytes, its path, the
settings, the leak-lsp code (its version and source files), and the deployment files of its project (names, sizes,
times); it also records the other files its findings depend on (helper modules,
deployment files) with a hash of each, checked before the entry is used. Entries are
JSON, never pickle: the cache folder lies in the user's tree, and loading it must not
be able to run code. The folder holds a ``.gitignore`` of ``*``, so git leaves it alone.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import json
import os
import tempfile
import types
import typing
from pathlib import Path
from typing import Any

from leak_lsp import __version__
from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.model import FileReport

FOLDER_NAME = ".leak_lsp_cache"
_GITIGNORE = "# Created by leak-lsp automatically.\n*\n"


def cache_folder(settings: Settings) -> Path:
    """Beside the pyproject.toml the settings came from, else in the working folder."""
    return Path(settings.root or os.getcwd()) / FOLDER_NAME / __version__


@functools.cache
def code_fingerprint() -> str:
    """leak-lsp's own source files (names, sizes, times): an edited or reinstalled copy of the same
    version (an editable install) must not answer from results its older code computed."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(__version__.encode())
    for source in sorted(package.rglob("*.py")):
        try:
            stat = source.stat()
        except OSError:
            continue
        digest.update(f"{source.relative_to(package)}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def entry_key(path: str, data: bytes, settings: Settings, deployments: str) -> str:
    digest = hashlib.sha256()
    for part in (code_fingerprint(), os.path.realpath(path), repr(settings), deployments):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(data)
    return digest.hexdigest()


def load(folder: Path, key: str) -> FileReport | None:
    """The cached report, if there is one and the files it depends on are unchanged."""
    try:
        entry = json.loads((folder / key[:2] / f"{key}.json").read_text(encoding="utf-8"))
        if any(_file_hash(Path(path)) != digest for path, digest in entry["dependencies"].items()):
            return None
        report = _decode(FileReport, entry["report"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # absent, from another version of the format, or damaged: analyse again
    return report if isinstance(report, FileReport) else None


def store(folder: Path, key: str, report: FileReport) -> None:
    """Write an entry atomically; a cache that cannot be written is no error."""
    entry = {
        "dependencies": {path: _file_hash(Path(path)) for path in report.dependencies},
        "report": _encode(report),
    }
    try:
        _prepare(folder)
        bucket = folder / key[:2]
        bucket.mkdir(exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=bucket, suffix=".tmp")
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            json.dump(entry, stream, ensure_ascii=False, separators=(",", ":"))
        os.replace(temporary, bucket / f"{key}.json")
    except OSError:
        pass


def _prepare(folder: Path) -> None:
    top = folder.parent
    if not (top / ".gitignore").exists():
        folder.mkdir(parents=True, exist_ok=True)
        (top / ".gitignore").write_text(_GITIGNORE, encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)


_HASHES: dict[Path, str | None] = {}


def _file_hash(path: Path) -> str | None:
    """The hash of a file's bytes, once per process: files do not change during one run."""
    if path not in _HASHES:
        try:
            _HASHES[path] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            _HASHES[path] = None
    return _HASHES[path]


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


# JSON of the analysis's plain data, driven by the dataclasses' type hints


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _encode(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _encode(item) for key, item in value.items()}
    return value


def _decode(hint: Any, value: Any) -> Any:
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        hints = _hints(hint)
        return hint(**{field.name: _decode(hints[field.name], value[field.name])
                       for field in dataclasses.fields(hint) if field.name in value})
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    origin, arguments = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return _decode_union(arguments, value)
    if origin is tuple:
        items = arguments[0] if len(arguments) == 2 and arguments[1] is Ellipsis else None
        return tuple(_decode(items if items is not None else arguments[i], item) for i, item in enumerate(value))
    if origin is list:
        return [_decode(arguments[0], item) for item in value]
    if origin is dict:
        return {key: _decode(arguments[1], item) for key, item in value.items()}
    return value


def _decode_union(options: tuple[Any, ...], value: Any) -> Any:
    if value is None:
        return None
    present = [option for option in options if option is not type(None)]
    return _decode(present[0], value) if len(present) == 1 else value


_FINGERPRINTS: dict[Path, str] = {}


def deployment_fingerprint(root: Path) -> str:
    """Names, sizes and times of the deployment files under a project root (once per process):
    a new or changed template may name a handler in any file. A CDK app, told by its content,
    counts once one of its findings depends on it (see ``dependencies``)."""
    if root not in _FINGERPRINTS:
        from leak_lsp.project.discovery import is_deployment_name
        from leak_lsp.project.files import SKIPPED_FOLDERS

        parts = []
        for folder, subfolders, names in os.walk(root):
            subfolders[:] = sorted(name for name in subfolders if name not in SKIPPED_FOLDERS and not name.startswith("."))
            for name in sorted(names):
                path = Path(folder) / name
                if is_deployment_name(path):
                    parts.append(_stamp(path))
        _FINGERPRINTS[root] = ";".join(parts)
    return _FINGERPRINTS[root]


def _stamp(path: Path) -> str:
    try:
        status = path.stat()
    except OSError:
        return f"{path}:gone"
    return f"{path}:{status.st_size}:{status.st_mtime_ns}"

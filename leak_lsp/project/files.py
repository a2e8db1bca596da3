"""Facts about a project's files, in one place for ``check``, the language server and
its file watchers: which folder is a project's root, which files are deployment files,
which folders nobody wants analysed, and how a source file is read.

A file's project is found from the file upwards, as ruff finds its settings: the
nearest folder holding a root marker (``pyproject.toml`` with or without a
``[tool.leak-lsp]`` section, a deployment file, ``.git``...). ``check`` and the server
both ask :func:`project_root`, so an editor opened on a sub-folder of a project sees
what ``check`` sees from the project's root.
"""

from __future__ import annotations

import stat
from pathlib import Path

from leak_lsp.analysis.text import decode_source
from leak_lsp.javascript.languages import SUFFIXES as JAVASCRIPT_AND_TYPESCRIPT

# Deployment files, by name: they name the entry points of a project.
TEMPLATE_NAMES = frozenset({"template.yaml", "template.yml", "template.json"})
TEMPLATE_SUFFIXES = (".template.yaml", ".template.yml", ".template.json")
SERVERLESS_NAMES = frozenset({"serverless.yml", "serverless.yaml"})
AZURE_FUNCTION_NAME = "function.json"
AZURE_HOST_NAME = "host.json"
CDK_APP_MARKER = "cdk.json"
TERRAFORM_SUFFIX = ".tf"
PYPROJECT_NAME = "pyproject.toml"
SOURCE_SUFFIX = ".py"
SOURCE_SUFFIXES = (SOURCE_SUFFIX, *JAVASCRIPT_AND_TYPESCRIPT)

# A folder holding one of these is a project's root.
ROOT_MARKERS = (
    PYPROJECT_NAME, *sorted(TEMPLATE_NAMES), *sorted(SERVERLESS_NAMES), CDK_APP_MARKER, AZURE_HOST_NAME,
    "setup.py", "setup.cfg", ".git",
)

# The files other analyses depend on (helper modules, deployment files), as LSP watcher globs.
PYPROJECT_GLOB = f"**/{PYPROJECT_NAME}"
PROJECT_GLOBS = (
    f"**/*{SOURCE_SUFFIX}",
    "**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}",
    "**/template.{yaml,yml,json}",
    "**/*.template.{yaml,yml,json}",
    "**/serverless.{yml,yaml}",
    f"**/*{TERRAFORM_SUFFIX}",
    f"**/{AZURE_FUNCTION_NAME}",
    f"**/{CDK_APP_MARKER}",
)

# Folders no one wants analysed or scanned: ruff's default ``exclude``, installed
# packages, and the build output of the deployment tools.
SKIPPED_FOLDERS = frozenset(
    {
        ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints",
        ".leak_lsp_cache", ".mypy_cache", ".nox", ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache",
        ".svn", ".tox", ".venv", ".vscode", "__pycache__", "__pypackages__", "_build",
        "buck-out", "build", "dist", "node_modules", "site-packages", "dist-packages", "venv",
        ".aws-sam", "cdk.out", ".serverless", ".terraform",
    }
)  # fmt: skip

LARGEST_SOURCE = 64 * 1024 * 1024  # bytes; read no further (a generated bundle, a disk image)


def deployment_format(path: Path) -> str | None:
    """The deployment format a file's name says it has (a CDK app is told by its imports, elsewhere)."""
    name = path.name
    if name in TEMPLATE_NAMES or name.endswith(TEMPLATE_SUFFIXES):
        return "cloudformation"
    if name in SERVERLESS_NAMES:
        return "serverless"
    if name == AZURE_FUNCTION_NAME:
        return "azure"
    if name.endswith(TERRAFORM_SUFFIX):
        return "terraform"
    return None


def resolved(path: str | Path) -> Path:
    """The absolute path with symlinks resolved; as given when that fails (a symlink loop)."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(path).absolute()


def read_bytes(path: Path, limit: int = LARGEST_SOURCE) -> bytes | None:
    """A regular file's bytes; ``None`` for a FIFO, a device, a folder, an unreadable or too large file."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        return path.read_bytes()
    except (OSError, RuntimeError):
        return None


def read_source(path: Path) -> str | None:
    """A Python file's text, decoded as the interpreter would; ``None`` when it cannot be read."""
    data = read_bytes(path)
    if data is None:
        return None
    try:
        return decode_source(data)
    except (UnicodeDecodeError, SyntaxError):
        return None


def is_project_root(folder: Path) -> bool:
    return any((folder / marker).exists() for marker in ROOT_MARKERS)


def marked_root(path: str | Path) -> Path | None:
    """The nearest folder at or above a file (or folder) that holds a root marker."""
    start = resolved(path)
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if is_project_root(candidate):
            return candidate
    return None


def project_root(path: str | Path) -> Path:
    """The root of the project a file belongs to; the file's own folder when no folder above is marked."""
    start = resolved(path)
    return marked_root(start) or (start if start.is_dir() else start.parent)


def root_marker(root: Path) -> str | None:
    """The marker that makes ``root`` a project root, for saying why (first in :data:`ROOT_MARKERS`)."""
    return next((marker for marker in ROOT_MARKERS if (root / marker).exists()), None)

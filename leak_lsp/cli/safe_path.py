"""Keep the user's code off the import path, before anything else is imported.

``python -m leak_lsp`` puts the working folder first on ``sys.path``, a console script
puts its own folder there, and ``PYTHONPATH`` may name the project: a workspace
``argparse.py`` would then shadow the standard library, and jedi could import a
workspace package to inspect a compiled module in it (running its ``__init__.py``).
This does what ``python -P`` does, and also drops the folders being checked, what lies
inside them, and the ``PYTHONPATH`` entries that are not installations. Installed
packages stay: site-packages, the interpreter's own folders, the folder holding leak_lsp
(the VS Code bundle) and any folder ``pip install --target`` filled (it holds
``*.dist-info``). Only ``os`` and ``sys`` are used: both are loaded before
any path entry is consulted.
"""

import os  # no ``from __future__`` and no other import: they could come from the workspace
import sys

_PACKAGE_FOLDERS = frozenset({"site-packages", "dist-packages"})


def drop_workspace_paths(argv: list[str] | None = None) -> list[str]:
    """Remove the working folder, the script's folder and the checked paths from ``sys.path``.

    Returns the entries removed.
    """
    arguments = list(sys.argv if argv is None else argv)
    workspaces = _workspace_folders(arguments[1:])
    script = _script_folder(arguments[0] if arguments else "")
    from_environment = {os.path.realpath(entry) for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if entry}
    removed = [entry for entry in sys.path if _is_unsafe(entry, workspaces, script, from_environment)]
    sys.path[:] = [entry for entry in sys.path if entry not in removed]
    return removed


def _workspace_folders(arguments: list[str]) -> list[str]:
    """The working folder and every existing path named on the command line (a file's folder)."""
    folders = []
    try:
        folders.append(os.path.realpath(os.getcwd()))
    except OSError:  # the working folder was deleted
        pass
    for argument in arguments:
        if argument.startswith("-") or not os.path.exists(argument):
            continue
        path = os.path.realpath(argument)
        folders.append(path if os.path.isdir(path) else os.path.dirname(path))
    return folders


def _script_folder(script: str) -> str | None:
    return os.path.dirname(os.path.realpath(script)) if script and os.path.isfile(script) else None


def _is_unsafe(entry: str, workspaces: list[str], script: str | None, from_environment: set[str]) -> bool:
    if entry in ("", "."):
        return True
    path = os.path.realpath(entry)
    if path == script:
        return True
    if _is_installation(path):
        return False
    return path in from_environment or any(path == folder or path.startswith(folder.rstrip(os.sep) + os.sep) for folder in workspaces)


def _is_installation(path: str) -> bool:
    """Where installed code lives: site-packages, the interpreter's folders, leak_lsp's own."""
    if _PACKAGE_FOLDERS.intersection(path.split(os.sep)):
        return True
    prefixes = {os.path.realpath(prefix) for prefix in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    if any(path.startswith(prefix.rstrip(os.sep) + os.sep) for prefix in prefixes):
        return True
    return path == _leak_lsp_home() or _holds_distributions(path)


def _holds_distributions(path: str) -> bool:
    try:
        return any(name.endswith(".dist-info") for name in os.listdir(path))
    except OSError:
        return False


def _leak_lsp_home() -> str:
    """The folder that holds the ``leak_lsp`` package (a PYTHONPATH entry for the VS Code bundle)."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    return os.path.dirname(package)

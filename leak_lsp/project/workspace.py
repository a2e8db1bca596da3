"""What the analysis of one file may know about the rest of its workspace.

Entry points named in deployment files, and summaries of helpers defined in other
modules of the workspace, resolved with jedi in static mode (no user code is imported
or run: jedi's unsafe extensions stay off). Summaries are cached by file content, and
the depth of helper chains across modules is bounded.
"""

from __future__ import annotations

import ast
import hashlib
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.project_view import MAX_HELPER_DEPTH, ExternalHelper, HelperChain, Summarize
from leak_lsp.project.files import SKIPPED_FOLDERS, is_project_root, project_root, read_source
from leak_lsp.project.files import resolved as _resolved
from leak_lsp.project.invokers import Invoked, invoked_methods, module_facts, parse_module

if TYPE_CHECKING:
    import jedi

    from leak_lsp.project.deployment import DeployedHandler, DeploymentProblem

MAX_SCRIPTS = 16  # parsed callers kept for their next analysis
_PACKAGE_LEVELS = 4


class Workspace:
    """One workspace folder. Thread-safe: the server analyses in worker threads."""

    def __init__(self, root: str | Path, read_text: Callable[[Path], str | None] = read_source,
                 settings: Settings | None = None, find_deployments: bool | None = None) -> None:
        """``find_deployments``: scan the tree for deployment files; by default only when the
        root looks like a project (a loose file's folder may be a home directory)."""
        self.root = Path(root).resolve()
        self.find_deployments = is_project_root(self.root) if find_deployments is None else find_deployments
        self.read_text = read_text
        self.settings = settings or Settings()
        self._lock = threading.RLock()
        self._deployments: tuple[list[DeployedHandler], list[DeploymentProblem]] | None = None
        self._project: jedi.Project | None = None
        self._summaries: dict[tuple[str, str, str], ExternalHelper | None] = {}
        self._scripts: dict[str, tuple[int, jedi.Script]] = {}  # caller path -> its latest version's script, oldest first
        self._by_stem: dict[str, list[Path]] | None = None  # module file name -> the project's files of that name
        self._bases: dict[str, list[str]] = {}
        self._layers: list[Path] | None = None
        self._invoked: dict[Path, list[Invoked]] | None = None

    # -- deployment files ------------------------------------------------------------
    def deployments(self) -> tuple[list[DeployedHandler], list[DeploymentProblem]]:
        with self._lock:
            if self._deployments is None and not self.find_deployments:
                self._deployments = ([], [])
            if self._deployments is None:
                from leak_lsp.project.deployment import scan_deployments

                try:
                    self._deployments = scan_deployments(self.root, self.read_text)
                except (OSError, ValueError, RecursionError):
                    self._deployments = ([], [])
            return self._deployments

    def import_roots(self, importer: str | Path) -> list[Path]:
        """Where the platform imports a module's flat imports from: the code roots (``CodeUri``, a
        service folder) that hold it, deepest first, then the ``python/`` folders of the layers."""
        module = _resolved(importer)
        roots = {handler.code_dir for handler in self.deployments()[0]
                 if handler.code_dir is not None and handler.code_dir in module.parents}
        return [*sorted(roots, key=lambda root: len(root.parts), reverse=True), *self.layer_folders()]

    def layer_folders(self) -> list[Path]:
        with self._lock:
            if self._layers is None:
                from leak_lsp.project.deployment import scan_layer_folders

                try:
                    self._layers = scan_layer_folders(self.root, self.read_text) if self.find_deployments else []
                except (OSError, ValueError, RecursionError):
                    self._layers = []
            return self._layers

    def invoked_methods(self, path: str | Path) -> list[Invoked]:
        """The methods of this module's classes that handler modules elsewhere in the project call."""
        with self._lock:
            if self._invoked is None:
                modules = [module for modules in self._module_index().values() for module in modules]
                self._invoked = invoked_methods(modules, self.module_path, self.read_text) if self.find_deployments else {}
            return self._invoked.get(_resolved(path), [])

    def _may_change_invoked(self, changed: Path) -> bool:
        """Whether an edit can change which methods handler modules call: the file is, or is now, a handler
        module, or defines invoked classes. Other edits keep the project-wide scan (the server edits often)."""
        if self._invoked is None:
            return False
        if changed in self._invoked or any(i.handler_module == changed for found in self._invoked.values() for i in found):
            return True
        facts = module_facts(self.read_text(changed)) if changed.suffix == ".py" else None
        return facts is not None and facts.has_handler

    def deployed_handlers(self, path: str | Path) -> list[DeployedHandler]:
        from leak_lsp.project.deployment import handlers_for

        return handlers_for(_resolved(path), self.deployments()[0])

    def invalidate(self, path: str | Path | None = None) -> None:
        """Forget what a changed file (or everything) contributed."""
        with self._lock:
            self._deployments = None
            self._layers = None
            if path is None or self._may_change_invoked(_resolved(path)):
                self._invoked = None
            if path is None:
                self._summaries.clear()
            else:
                changed = str(_resolved(path))
                self._summaries = {
                    key: helper for key, helper in self._summaries.items()
                    if key[0] != changed and (helper is None or changed not in helper.summary.dependencies)
                }

    # -- helpers in other modules -------------------------------------------------------
    def helper(self, path: str, source: str, line: int, column: int, qualified: str | None,
               chain: HelperChain, summarize: Summarize) -> ExternalHelper | None:
        """The summary of the workspace function named at (1-based line, 0-based column), in another module.

        ``qualified`` (``time_out_handler.arm``) finds it when jedi cannot: a flat import as Lambda
        packages it, of a module under a code root of the project. ``chain``: the modules whose helpers
        are being summarised above this call (a module already in it is not entered again).
        """
        if len(chain) >= MAX_HELPER_DEPTH:
            return None
        target = self._packaged(qualified, path) or self._resolve(path, source, line, column) \
            or (self._by_name(qualified, path) if qualified else None)
        if target is None:
            return None
        target_path, function = target
        if str(target_path) == str(_resolved(path)) or str(target_path) in chain:
            return None
        text = self.read_text(target_path)
        if text is None:
            return None
        key = (str(target_path), hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest(), function)
        with self._lock:
            if key in self._summaries:
                return self._summaries[key]
        helper = self._summarize(target_path, text, function, chain, summarize)
        with self._lock:
            self._summaries[key] = helper
        return helper

    def _summarize(self, target: Path, text: str, function: str, chain: HelperChain,
                   summarize: Summarize) -> ExternalHelper | None:
        result = summarize(text, str(target), function, self.settings, self, (*chain, str(target)))
        if result is None:
            return None
        summary, is_async = result
        return ExternalHelper(f"{target.stem}.{function}", str(target), summary, is_async)

    def _resolve(self, path: str, source: str, line: int, column: int) -> tuple[Path, str] | None:
        import jedi

        with self._lock:
            if self._project is None:
                self._project = jedi.Project(self.root, load_unsafe_extensions=False, smart_sys_path=True)
            known = self._scripts.pop(path, None)
            script = known[1] if known is not None and known[0] == hash(source) else None
            try:
                if script is None:
                    script = jedi.Script(source, path=path, project=self._project,
                                         environment=_environment_without(self.root))
                self._remember_script(path, hash(source), script)
                names = script.goto(line, max(column, 0), follow_imports=True)
            except Exception:  # jedi raises many kinds of errors on odd code; a miss is just unknown
                return None
        for name in names:
            module = name.module_path
            if name.type not in {"function", "class"} or module is None or module.suffix != ".py":
                continue
            module = _resolved(module)
            if not _inside(module, self.root):
                continue
            if name.type == "class":  # ``Guard(context)``: what its constructor does
                return module, f"{name.name}.__init__"
            owner = _owner_class(module, self.read_text, name.line) if name.line else None
            return module, f"{owner}.{name.name}" if owner else name.name
        return None

    def _remember_script(self, path: str, version: int, script: jedi.Script) -> None:
        """Keep the scripts of the most recent callers only (the workspace scan meets every file)."""
        self._scripts[path] = (version, script)
        while len(self._scripts) > MAX_SCRIPTS:
            evicted = next(iter(self._scripts))
            del self._scripts[evicted]
            _forget_parse(evicted)

    def forget_caller(self, path: str | Path) -> None:
        """Release what the analyses of a closed document kept: its jedi script and parsed tree."""
        caller = str(path)
        with self._lock:
            self._scripts.pop(caller, None)
        _forget_parse(caller)

    def release(self) -> None:
        """Release everything (no open document belongs to this workspace any more)."""
        with self._lock:
            for caller in list(self._scripts):
                _forget_parse(caller)
            self._scripts.clear()
            self._summaries.clear()
            self._project = None
            self._deployments = None
    def _packaged(self, qualified: str | None, importer: str) -> tuple[Path, str] | None:
        """A flat import found in the importer's code roots or layers: what the platform imports,
        before what jedi finds from the workspace root (a same-named module elsewhere)."""
        found = self._by_name(qualified, importer) if qualified and self.import_roots(importer) else None
        if found is None or not any(root in found[0].parents for root in self.import_roots(importer)):
            return None
        return found

    def _by_name(self, qualified: str, importer: str) -> tuple[Path, str] | None:
        """``module.function``, ``module.Class`` (its constructor) or ``module.Class.method``."""
        parts = qualified.split(".")
        for cut in (len(parts) - 1, len(parts) - 2):
            if cut < 1:
                continue
            found = self.module_path(".".join(parts[:cut]), importer)
            if found is not None and not SKIPPED_FOLDERS & set(found.parts):  # the project's code, not a venv
                return _defined(found, parts[cut:], self.read_text)
        return None

    def module_path(self, module: str, importer: str, installed: bool = False) -> Path | None:
        """The file of an imported module, found without importing anything.

        Beside the importer, at the root or under ``src``; else the one module of that name in the
        project (Lambda packages a code root's modules as top-level ones); with ``installed``, in
        the interpreter's search path too (site-packages).
        """
        dots = len(module) - len(module.lstrip("."))
        parts = [part for part in module[dots:].split(".") if part]
        if dots:  # ``from .helpers import x``: beside the importer, or that many packages up
            folder = _resolved(importer).parents[dots - 1] if dots <= len(_resolved(importer).parents) else None
            return _module_file(folder / Path(*parts) if folder is not None and parts else folder)
        if not parts:
            return None
        relative = Path(*parts)
        here = _resolved(importer).parent
        # the folders a package of the importer's tree would be imported from: itself, the code roots and layers
        # deployment files name, the root, src/, and up to four levels above the importer
        # (``sentry_sdk/integrations/x.py`` importing ``sentry_sdk.utils``)
        roots = self.import_roots(importer)
        bases = [here, *roots, self.root, self.root / "src", *list(here.parents)[:_PACKAGE_LEVELS]]
        if installed:
            bases += [Path(entry) for entry in sys.path if entry and Path(entry).is_dir()]
        for base in bases:
            for candidate in (base / relative.with_suffix(".py"), base / relative / "__init__.py"):
                if candidate.is_file():
                    return _resolved(candidate)
        if "." in module:
            return None
        same_name = self._modules_named(module)
        if len(same_name) > 1:  # several: the one the importer's code roots or layers package, if only one
            same_name = [path for path in same_name if any(root in path.parents for root in roots)]
        return same_name[0] if len(same_name) == 1 else None

    def _modules_named(self, stem: str) -> list[Path]:
        return self._module_index().get(stem, [])

    def _module_index(self) -> dict[str, list[Path]]:
        """The project's Python files by module name (a package's ``__init__.py`` by its folder's)."""
        with self._lock:
            if self._by_stem is None:
                by_stem: dict[str, list[Path]] = {}
                for folder, subfolders, files in os.walk(self.root):
                    subfolders[:] = [name for name in subfolders if name not in SKIPPED_FOLDERS and not name.startswith(".")]
                    for file in files:
                        if file.endswith(".py"):
                            module = file[:-3] if file != "__init__.py" else Path(folder).name
                            by_stem.setdefault(module, []).append(_resolved(Path(folder, file)))
                self._by_stem = by_stem
            return self._by_stem

    def class_bases(self, qualified: str, importer: str) -> list[str]:
        """The qualified base classes of a class defined in another module or an installed package."""
        with self._lock:
            if qualified in self._bases:
                return self._bases[qualified]
        module, _, name = qualified.rpartition(".")
        found = self.module_path(module, importer, installed=True) if module else None
        bases: list[str] = []
        tree = parse_module(self.read_text(found)) if found is not None else None
        if tree is not None:
            from leak_lsp.analysis.names import LOCAL, module_scope

            scope = module_scope(tree)
            for node in tree.body:
                if isinstance(node, ast.ClassDef) and node.name == name:
                    for base in node.bases:
                        text = scope.qualify(base)
                        if text:
                            bases.append(f"{module}.{text[len(LOCAL) + 1:]}" if text.startswith(LOCAL + ".") else text)
        with self._lock:
            self._bases[qualified] = bases
        return bases

    def module_switches(self, module: str, importer: str) -> tuple[str, frozenset[tuple[str, str]]] | None:
        """A project module's file and the process-wide switches it sets (``App(process_before_response=True)``):
        the module an entry point imports its library object from decides whether that object starts work."""
        found = self._project_module(module, importer)
        if found is None:
            return None
        from leak_lsp.analysis.names import keyword_switches, module_scope

        path, tree = found
        calls = (node for node in ast.walk(tree) if isinstance(node, ast.Call))
        return str(path), frozenset(keyword_switches(calls, module_scope(tree)))

    def module_constructions(self, module: str, importer: str) -> tuple[str, dict[str, str]] | None:
        """A project module's file and the library calls its module-level names are bound to
        (``EXECUTOR = ThreadPoolExecutor()``): an entry point importing ``EXECUTOR`` shares that object."""
        found = self._project_module(module, importer)
        if found is None:
            return None
        from leak_lsp.analysis.names import module_constructions

        path, tree = found
        return str(path), module_constructions(tree)

    def _project_module(self, module: str, importer: str) -> tuple[Path, ast.Module] | None:
        """The file and tree of a module of this project that ``importer`` imports (never the standard library)."""
        if not module.startswith(".") and module.split(".")[0] in sys.stdlib_module_names:
            return None
        found = self.module_path(module, importer)
        tree = parse_module(self.read_text(found)) if found is not None and not SKIPPED_FOLDERS & set(found.parts) else None
        return None if found is None or tree is None else (found, tree)

    def is_workspace_module(self, module: str, importer: str) -> bool:
        """A cheap test before asking jedi: does an imported module live in this workspace?"""
        if module.startswith("."):
            return True
        top = module.split(".")[0]
        if top in sys.stdlib_module_names:
            return False
        return self.module_path(module, importer) is not None


_WORKSPACES: dict[Path, Workspace] = {}


def workspace_for(path: str | Path, settings: Settings | None = None) -> Workspace:
    """One shared Workspace per root in this process, for command-line runs."""
    root = project_root(path)
    if root not in _WORKSPACES:
        _WORKSPACES[root] = Workspace(root, settings=settings)
    return _WORKSPACES[root]


def _forget_parse(path: str) -> None:
    """Drop parso's in-memory tree of a caller (jedi keeps one per path, never freed)."""
    from parso.cache import parser_cache

    for trees in list(parser_cache.values()):  # list(): copied atomically, other threads may parse meanwhile
        for key in [key for key in list(trees) if str(key) == path]:
            trees.pop(key, None)


def _environment_without(root: Path) -> jedi.InterpreterEnvironment:
    """This interpreter as jedi's environment, minus the import paths inside the workspace.

    jedi imports a compiled module it meets on that path to inspect it, which runs the
    ``__init__.py`` of the package holding it: workspace code must never run. Installed
    packages (site-packages), even in a virtual environment inside the workspace, stay.
    """
    import jedi

    class Environment(jedi.InterpreterEnvironment):  # type: ignore[misc]
        def get_sys_path(self) -> list[str]:
            return [entry for entry in sys.path if entry and not _workspace_entry(Path(entry), root)]

    return Environment()


def _workspace_entry(entry: Path, root: Path) -> bool:
    resolved = _resolved(entry)
    return (resolved == root or root in resolved.parents) and not {"site-packages", "dist-packages"} & set(resolved.parts)


def _inside(module: Path, root: Path) -> bool:
    try:
        relative = module.relative_to(root)
    except ValueError:
        return False
    return not SKIPPED_FOLDERS & set(relative.parts)


def _module_file(path: Path | None) -> Path | None:
    """``path.py``, or ``path/__init__.py`` for a package."""
    if path is None or not path.name:
        return None
    for candidate in (path.with_name(path.name + ".py"), path / "__init__.py"):
        if candidate.is_file():
            return _resolved(candidate)
    return None


def _defined(module: Path, names: list[str], read_text: Callable[[Path], str | None]) -> tuple[Path, str] | None:
    """The function, class constructor or method ``names`` designates in a module, as ``summarize`` names it."""
    tree = parse_module(read_text(module))
    for node in tree.body if tree is not None else []:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and names == [node.name]:
            return module, node.name
        if isinstance(node, ast.ClassDef) and names[0] == node.name:
            method = names[1] if len(names) > 1 else "__init__"
            if any(isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == method for item in node.body):
                return module, f"{node.name}.{method}"
    return None




def _owner_class(module: Path, read_text: Callable[[Path], str | None], line: int) -> str | None:
    text = read_text(module)
    if text is None:
        return None
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.lineno <= line <= (node.end_lineno or node.lineno):
            return node.name
    return None

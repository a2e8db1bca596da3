"""Helpers in other modules of the project, reached by relative ``import``/``require``.

A helper is summarised in its own module (the same lowering, the same core) and the
summary is used where it is called, as for Python helpers. Chains are bounded by
:data:`MAX_DEPTH` modules; each loader belongs to one analysis (no shared mutable state
across threads), and summaries are cached per (file, text, export).
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from leak_lsp.analysis.config import Settings
from leak_lsp.javascript.languages import JAVASCRIPT_SUFFIXES, SUFFIXES, TYPESCRIPT_SUFFIXES
from leak_lsp.project.files import read_bytes, resolved

if TYPE_CHECKING:
    from leak_lsp.javascript.calls import CalleeSummary
    from leak_lsp.project.workspace import Workspace

MAX_DEPTH = 3
_COMMENTS = re.compile(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', re.DOTALL)
_TRAILING_COMMAS = re.compile(r",\s*([}\]])")
_INDEX_NAMES = tuple(f"index{suffix}" for suffix in SUFFIXES)


class ModuleLoader:
    def __init__(self, workspace: Workspace | None, depth: int = 0, chain: tuple[str, ...] = ()) -> None:
        self.workspace = workspace
        self.depth = depth
        self.chain = chain
        self.dependencies: set[str] = set()
        self._cache: dict[tuple[str, str, str], CalleeSummary | None] = {}

    def summary(self, importer: str, specifier: str, export: str, settings: Settings) -> CalleeSummary | None:
        if self.depth >= MAX_DEPTH:
            return None
        target = resolve_specifier(resolved(importer).parent, specifier)
        if target is None or str(target) in self.chain or str(target) == str(resolved(importer)):
            return None
        text = self._read(target)
        if text is None:
            return None
        key = (str(target), hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest(), export)
        if key not in self._cache:
            self._cache[key] = self._summarize(target, text, export, settings, importer)
        self.dependencies.add(str(target))
        return self._cache[key]

    def _summarize(self, target: Path, text: str, export: str, settings: Settings, importer: str) -> CalleeSummary | None:
        from leak_lsp.javascript.analysis import JsModule
        from leak_lsp.javascript.handlers import class_member
        from leak_lsp.javascript.module import resolve_function
        from leak_lsp.javascript.syntax import ParsedSource

        loader = ModuleLoader(self.workspace, self.depth + 1, (*self.chain, str(resolved(importer))))
        module = JsModule(ParsedSource(text, str(target)), settings, loader)
        class_name, _, method = export.partition(".")  # ``Publisher.publish``: a method of an exported class
        value = module.facts.exports.get(class_name if export != "*" else "module.exports")
        if value is None and export == "default":
            value = module.facts.exports.get("module.exports")
        if method:
            named = value is not None and value.type in ("identifier", "shorthand_property_identifier")
            klass = module.facts.classes.get(module.facts.parsed.text(value) if named else class_name)
            function = class_member(module.facts.parsed, klass, method) if klass is not None else None
        else:
            function = resolve_function(module.facts, value) or module.facts.functions.get(export)
        if function is None:
            return None
        summary = module.summarize(function, f"{target.stem}.{export}")
        self.dependencies |= loader.dependencies
        return summary

    def _read(self, path: Path) -> str | None:
        if self.workspace is not None:
            return self.workspace.read_text(path)
        return _utf8(read_bytes(path))


def resolve_specifier(folder: Path, specifier: str) -> Path | None:
    """Node's and TypeScript's resolution of a project specifier: relative, or mapped by the
    nearest ``tsconfig.json``'s ``paths``; packages (``node_modules``) are not followed."""
    if specifier.startswith("."):
        return _resolve_file(folder / specifier)
    for target in _mapped(folder, specifier):
        found = _resolve_file(target)
        if found is not None:
            return found
    return None


def _mapped(folder: Path, specifier: str) -> list[Path]:
    """``@lib/x`` through ``"paths": {"@lib/*": ["src/lib/*"]}`` (relative to ``baseUrl``)."""
    config = _nearest_tsconfig(folder)
    options = _compiler_options(config) if config is not None else {}
    paths = options.get("paths")
    if config is None or not isinstance(paths, dict):
        return []
    base = config.parent / str(options.get("baseUrl", "."))
    targets = []
    for pattern, replacements in paths.items():
        prefix, star, suffix = str(pattern).partition("*")
        matches = specifier.startswith(prefix) and specifier.endswith(suffix) if star else specifier == pattern
        if not matches or not isinstance(replacements, list):
            continue
        middle = specifier[len(prefix) : len(specifier) - len(suffix)] if star else ""
        targets += [base / str(replacement).replace("*", middle) for replacement in replacements]
    return targets


@lru_cache(maxsize=256)
def _nearest_tsconfig(folder: Path) -> Path | None:
    return next((parent / "tsconfig.json" for parent in (folder, *folder.parents) if (parent / "tsconfig.json").is_file()), None)


def _compiler_options(config: Path) -> dict[str, object]:
    """``compilerOptions`` of a tsconfig.json (JSON with comments and trailing commas)."""
    text = _utf8(read_bytes(config))
    if text is None:
        return {}
    text = _COMMENTS.sub(lambda match: match.group(1) or "", text)
    text = _TRAILING_COMMAS.sub(r"\1", text)
    try:
        options = json.loads(text).get("compilerOptions", {})
    except (ValueError, AttributeError):
        return {}
    return options if isinstance(options, dict) else {}


def _resolve_file(base: Path) -> Path | None:
    """Exact file, added extension, ``.js`` written for a ``.ts`` source, or ``index.*`` of a folder."""
    candidates = [base] + [base.with_name(base.name + suffix) for suffix in SUFFIXES]
    if base.suffix in JAVASCRIPT_SUFFIXES:
        stem = base.with_suffix("")
        candidates += [stem.with_name(stem.name + suffix) for suffix in (*TYPESCRIPT_SUFFIXES, ".tsx")]
    candidates += [base / name for name in _INDEX_NAMES]
    return next((resolved(candidate) for candidate in candidates if candidate.is_file()), None)


def _utf8(data: bytes | None) -> str | None:
    """A source's text (JavaScript and JSON are UTF-8); ``None`` when unreadable or not UTF-8."""
    try:
        return None if data is None else data.decode("utf-8")
    except UnicodeDecodeError:
        return None

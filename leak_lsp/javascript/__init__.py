"""The JavaScript/TypeScript front-end: tree-sitter parsing, handler discovery, lowering to
the :mod:`leak_lsp.flow` core, and the Node.js API catalogue."""

from leak_lsp.javascript.languages import LANGUAGE_IDS, SUFFIX_OF_LANGUAGE, SUFFIXES, is_javascript_path

__all__ = ["LANGUAGE_IDS", "SUFFIXES", "SUFFIX_OF_LANGUAGE", "is_javascript_path"]

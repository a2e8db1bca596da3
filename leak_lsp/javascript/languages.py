"""Which files and editor languages are JavaScript or TypeScript: known without tree-sitter,
so that Python-only installs (and the server's document store) never import the parser."""

JAVASCRIPT_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx")
TYPESCRIPT_SUFFIXES = (".ts", ".mts", ".cts")
SUFFIXES = (*JAVASCRIPT_SUFFIXES, *TYPESCRIPT_SUFFIXES, ".tsx")
LANGUAGE_IDS = ("javascript", "javascriptreact", "typescript", "typescriptreact")
SUFFIX_OF_LANGUAGE = {"javascript": ".js", "javascriptreact": ".jsx", "typescript": ".ts", "typescriptreact": ".tsx"}


def is_javascript_path(path: str) -> bool:
    """JavaScript or TypeScript by its suffix (declaration files too: they parse, and hold no handlers)."""
    return path.lower().endswith(SUFFIXES)

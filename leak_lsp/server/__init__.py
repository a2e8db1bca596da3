"""The language server: translates between LSP and the plain data of :mod:`leak_lsp.analysis`.

Documents, positions and settings live apart from the request handlers (one small
module per request in :mod:`leak_lsp.server.handlers`), as in ruff's server. Nothing
here imports the analysis engine until the first document is analysed, so that
``initialize`` answers fast.
"""

"""leak-lsp: finds execution leaks in serverless handlers."""

__version__ = "0.1.0"

"""Run-time half of leak-lsp: the ``reproduce`` emulation and the production ``guard``.

Importing this package changes nothing; decorating a handler with ``guard`` wraps the
scheduling APIs of the process.
"""

from leak_lsp.runtime.guard import guard

__all__ = ["guard"]

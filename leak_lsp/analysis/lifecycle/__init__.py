"""Path-sensitive lifecycle of pending work in a Python function (see ``docs/architecture.md``)."""

from leak_lsp.analysis.lifecycle.core import (
    Environment,
    HandOff,
    Held,
    LoopContext,
    Owner,
    Raised,
    Result,
    Summary,
    Work,
    analyze_function,
    carried,
    parameters,
)

__all__ = ["Environment", "HandOff", "Held", "LoopContext", "Owner", "Raised", "Result", "Summary", "Work",
           "analyze_function", "carried", "parameters"]

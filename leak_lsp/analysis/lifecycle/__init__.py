"""Path-sensitive lifecycle of pending work in a Python function.

The state at a point is the set of work *instances* that may be pending there: a creation site and
the handles through which the program can still reach it (a variable, a local container it was put
in, an alarm slot). Each statement is classified into effects (``classify.py``, ``calls.py``,
``helpers.py``; the records in ``effects.py``), which ``state.py`` applies; ``fixpoint.py`` runs
that over the control-flow graph, merging paths by union, so work pending on at least one path stays
pending. Work created in a loop and bound to one variable thus leaks all but its last instance,
unless it is also collected in a container that is settled later. ``docs/architecture.md`` draws
the data flow.
"""

from leak_lsp.analysis.lifecycle.fixpoint import analyze_function
from leak_lsp.analysis.lifecycle.handles import Handle, HandleKind, carried
from leak_lsp.analysis.lifecycle.syntax import parameters, stored_parameters
from leak_lsp.analysis.lifecycle.work import (
    Destination,
    Environment,
    Held,
    LoopContext,
    Owner,
    Raised,
    Result,
    Summary,
    Work,
)

__all__ = ["Environment", "Destination", "Handle", "HandleKind", "Held", "LoopContext", "Owner", "Raised", "Result",
           "Summary", "Work", "analyze_function", "carried", "parameters", "stored_parameters"]

"""The language-neutral lifecycle core: effects applied along a control-flow graph.

A front-end (JavaScript/TypeScript today; Python could lower onto it) turns each
function into a :class:`~leak_lsp.flow.graph.Graph` whose blocks hold
:mod:`~leak_lsp.flow.effects` (start work, settle a name, collect into a container,
bind, hand off, observe a state test, exit with a role). :func:`~leak_lsp.flow.dataflow.run`
applies them path by path (states are unioned at merges) and says which work is still
pending at which exit. Nothing here knows a language, an API or a rule code.
"""

from leak_lsp.flow.dataflow import ExitHit, FlowResult, run
from leak_lsp.flow.effects import Bind, Collect, Effect, Exit, ExitRole, HandOff, Observe, Settle, Start, Work
from leak_lsp.flow.graph import Graph, GraphBuilder

__all__ = [
    "Bind", "Collect", "Effect", "Exit", "ExitHit", "ExitRole", "FlowResult", "Graph", "GraphBuilder",
    "HandOff", "Observe", "Settle", "Start", "Work", "run",
]

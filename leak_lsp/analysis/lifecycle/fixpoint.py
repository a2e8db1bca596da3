"""The worklist over a function's control-flow graph: each node's statement classified into effects
and applied to the state flowing in; paths merge by union; branch tests refine the state."""

from __future__ import annotations

import ast
from typing import cast

from leak_lsp.analysis.catalogue import ARGUMENT_SLOTS, QUEUE_JOIN, RETURNS_ARGUMENT, catalogue
from leak_lsp.analysis.cfg import Condition, Node, StatementGraph, build_graph
from leak_lsp.analysis.lifecycle.branches import settled_on_branch
from leak_lsp.analysis.lifecycle.classify import Classifier
from leak_lsp.analysis.lifecycle.effects import LeaveWith, Observe, Settle, SettledBy, Start
from leak_lsp.analysis.lifecycle.facts import Facts, gather_facts
from leak_lsp.analysis.lifecycle.handles import Handle, HandleKind, drained, slot, variable
from leak_lsp.analysis.lifecycle.state import Ledger, Pending, started, without_fresh
from leak_lsp.analysis.lifecycle.syntax import parameters
from leak_lsp.analysis.lifecycle.work import Environment, Held, Mode, Owner, Result, Sites, State
from leak_lsp.analysis.raising import RaiseTest


def analyze_function(
    function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Module,
    env: Environment,
    mode: Mode,
    owner_class: str | None = None,
    body: list[ast.stmt] | None = None,
) -> Result:
    scope = env.scope.child(function) if not isinstance(function, ast.Module) else env.scope
    may_raise = RaiseTest(scope, function, catalogue(env.models), env.calls_in) if mode != "module" else None
    graph = build_graph(function, body, may_raise)
    facts = gather_facts(function, env, mode, owner_class, scope)
    return Fixpoint(facts, graph).run()


class Fixpoint:
    def __init__(self, facts: Facts, graph: StatementGraph) -> None:
        self.facts = facts
        self.graph = graph
        self.sites = Sites()
        self.ledger = Ledger(self.sites, facts.scope)
        self.too_deep: dict[int, ast.AST] = {}

    def run(self) -> Result:
        inputs = self._solve()
        pending: dict[int, list[Node]] = {}
        for node in self.graph.exits:
            for site, _ in inputs.get(node.id, frozenset()):
                if node not in pending.setdefault(site, []):
                    pending[site].append(node)
        on_raise: dict[int, list[Node]] = {}
        for node in self.graph.crashes:
            for site, _ in inputs.get(node.id, frozenset()):
                on_raise.setdefault(site, []).append(node)
        ledger = self.ledger
        return Result(self.sites.works, pending, ledger.handoffs, self.graph, ledger.returned,
                      exit_states={node.id: inputs.get(node.id, frozenset()) for node in self.graph.exits},
                      pending_on_raise=on_raise, raised_in_helpers=ledger.raised_in_helpers,
                      gives_up=ledger.gives_up, too_deep=self.too_deep)

    def _solve(self) -> dict[int, State]:
        """The state flowing into each node, iterated to a fixpoint (bounded, should a graph not settle)."""
        nodes = self.graph.nodes
        predecessors: dict[int, list[tuple[int, Condition | None]]] = {node.id: [] for node in nodes}
        for node in nodes:
            for target, condition in node.successors:
                predecessors[target].append((node.id, condition))
        entry_state = self._entry_state()
        outputs: dict[int, State] = {}
        inputs: dict[int, State] = {0: entry_state}
        worklist, queued, visits = [0], {0}, 0
        while worklist and visits < 50 * len(nodes) + 100:
            visits += 1
            node_id = worklist.pop(0)
            queued.discard(node_id)
            state = entry_state if node_id == 0 else frozenset().union(*(
                self._refine(outputs[source], condition)
                for source, condition in predecessors[node_id] if source in outputs))
            inputs[node_id] = state
            new = self._transfer(nodes[node_id], state)
            if outputs.get(node_id) == new:
                continue
            outputs[node_id] = new
            for target, _ in nodes[node_id].successors:
                if target not in queued:
                    worklist.append(target)
                    queued.add(target)
        return inputs

    # -- the entry ------------------------------------------------------------------------
    def _entry_state(self) -> State:
        """A handler starts with the buffers created at import time; a helper with its callers' work."""
        facts = self.facts
        if facts.mode == "handler":
            return started(self._buffers())
        if facts.mode != "helper" or isinstance(facts.function, ast.Module):
            return frozenset()
        return started(self._inputs())

    def _buffers(self) -> list[Start]:
        """Buffers created at import time hold this invocation's data from its start."""
        starts: list[Start] = []
        for kind, call, names in self.facts.env.buffers:
            assert kind.buffer_slot is not None
            site = self.sites.site(kind, call, None, name=names[0] if names else None, slot=kind.buffer_slot)
            starts.append(Start(site, frozenset({slot(kind.buffer_slot), *map(variable, names)})))
        return starts

    def _inputs(self) -> list[Start]:
        """Where a helper's callers may hold work: timer slots, parameters, attributes, joined queues."""
        facts, starts = self.facts, list[Start]()
        function = facts.function
        for name in sorted(facts.catalogue.fixed_slots | set(ARGUMENT_SLOTS)):  # which ones the helper settles
            handle = slot(name)
            starts.append(Start(self.sites.input(function, handle, slot=name), frozenset({handle})))
        for handle in [*map(variable, parameters(function)), *sorted(self._attributes_used())]:
            site = self.sites.input(function, handle, name=handle.text if handle.kind is HandleKind.VARIABLE else None)
            starts.append(Start(site, frozenset({handle})))
        return starts

    def _attributes_used(self) -> set[Handle]:
        """Carried handles a helper may settle for its callers: ``self.<attribute>`` in a method, and the
        queues it joins (``_threads.join()``: the threads draining a shared queue)."""
        facts = self.facts
        attributes = {handle for node in facts.nodes.noted if isinstance(node, ast.Attribute)
                      and (handle := facts.attribute_handle(node)) is not None}
        joined = {drained(node.func.value.id) for node in facts.nodes.noted if isinstance(node, ast.Call)
                  and isinstance(node.func, ast.Attribute) and node.func.attr == QUEUE_JOIN
                  and isinstance(node.func.value, ast.Name) and node.func.value.id not in facts.local_names}
        return attributes | joined

    # -- transfer -------------------------------------------------------------------------
    def _transfer(self, node: Node, state: State) -> State:
        """The state after a node; a statement nested too deeply to walk is skipped, not the function."""
        try:
            return self._apply(node, state)
        except RecursionError:
            if node.stmt is not None:
                self.too_deep[id(node.stmt)] = node.stmt
            return state

    def _apply(self, node: Node, state: State) -> State:
        stmt = node.stmt
        if node.kind == "with-exit" and isinstance(stmt, (ast.With, ast.AsyncWith)):
            return self._with_exit(stmt, state)
        pending = Pending(state, self.ledger)
        if node.kind == "for" and isinstance(stmt, (ast.For, ast.AsyncFor)):
            self._classifier(pending, stmt).for_header(stmt)
        elif node.kind == "test" and isinstance(stmt, ast.expr):
            self._classifier(pending, None).evaluate(stmt)
        elif node.kind == "stmt" and stmt is not None:
            self._classifier(pending, cast(ast.stmt, stmt)).statement(cast(ast.stmt, stmt))
        else:
            return state
        return without_fresh(pending.instances)

    def _classifier(self, pending: Pending, statement: ast.stmt | None) -> Classifier:
        return Classifier(self.facts, self.sites, pending.reaches, pending.apply, statement)

    def _with_exit(self, stmt: ast.With | ast.AsyncWith, state: State) -> State:
        """Leaving a ``with`` block settles what its items hold, then runs its context managers' exits."""
        names: set[Handle] = set()
        owners: set[Owner] = set()
        pending = Pending(state, self.ledger)
        for item in stmt.items:
            method = self._wrapper_exit(item.context_expr)
            if isinstance(item.optional_vars, ast.Name) and method is not None:  # ``closing(d)``: d.close()
                pending.apply(Settle(frozenset({variable(item.optional_vars.id)}), SettledBy(method)))
            elif isinstance(item.optional_vars, ast.Name):
                names.add(variable(item.optional_vars.id))
                owners.add(Owner(Held.WITH, item.optional_vars.id))
            if isinstance(item.context_expr, ast.Name):
                names.add(variable(item.context_expr.id))
        pending.apply(LeaveWith(frozenset(names), frozenset(owners)))
        step = self._classifier(pending, stmt)
        for item in stmt.items:
            step.context_manager(item.context_expr, "__aexit__" if isinstance(stmt, ast.AsyncWith) else "__exit__")
        return without_fresh(pending.instances)

    def _wrapper_exit(self, expression: ast.expr) -> str | None:
        """The method a wrapping context manager calls on its object at the block's exit."""
        if not isinstance(expression, ast.Call):
            return None
        return RETURNS_ARGUMENT.get(self.facts.scope.qualify(expression.func) or "")

    def _refine(self, state: State, condition: Condition | None) -> State:
        """Drop work that cannot be pending on a branch: ``if t:`` false, ``t.is_alive()`` false."""
        if condition is None:
            return state
        handle = settled_on_branch(condition.test, condition.value)
        if handle is None:
            return state
        pending = Pending(state, self.ledger)
        pending.apply(Observe(handle))
        return pending.instances

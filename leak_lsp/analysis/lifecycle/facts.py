"""Flow-insensitive facts about one function, gathered once before the dataflow: what each name
was constructed as, the executors and loops it holds, loop variables, containers, instances."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import cast

from leak_lsp.analysis.catalogue import CONTAINER_METHODS, Catalogue, catalogue
from leak_lsp.analysis.lifecycle.handles import Handle, variable
from leak_lsp.analysis.lifecycle.syntax import assigned_names, guarded_by_settings, root_name, self_parameter
from leak_lsp.analysis.lifecycle.work import Environment, Held, Mode, Owner
from leak_lsp.analysis.names import Scope

Receivers = dict[str, tuple[str, Owner]]  # name -> (receiver kind, owner)


@dataclass
class Facts:
    """What the classification of a statement may look up without reading the state."""

    function: ast.AST
    env: Environment
    mode: Mode
    owner_class: str | None
    scope: Scope
    catalogue: Catalogue
    self_name: str | None
    nodes: OwnNodes  # its own nodes (not those of nested scopes), grouped
    guarded: dict[int, tuple[str, object] | None]  # node id -> the setting it requires (see guarded_by_settings)
    local_names: set[str]
    globals: set[str]
    imported_instances: set[str]  # ``wrapper = WebDriverWrapper()``: an object of a class of another module
    nested_functions: dict[str, ast.AST]
    instance_classes: dict[str, str]  # name -> the local class it is an instance of
    types: dict[str, str] = field(default_factory=dict)  # name -> the started type it was constructed as
    receivers: Receivers = field(default_factory=dict)  # executors and loops
    element_of: dict[str, str] = field(default_factory=dict)  # loop variable -> the container it iterates
    collected_into: dict[str, set[str]] = field(default_factory=dict)  # ``threads.append(t)``: t -> {threads}
    constructions: dict[str, ast.Call] = field(default_factory=dict)  # name -> constructor of the work it starts
    attribute_reads: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # ``t.join``: t -> positions

    def constructed_type(self, call: ast.Call) -> str | None:
        started = self.catalogue.started_types()
        for name in self.env.lineage(self.scope.class_lineage(self.scope.qualify(call.func))):
            if name in started:
                return name
        return None

    def receiver_of_constructor(self, call: ast.Call) -> str | None:
        for name in self.env.lineage(self.scope.class_lineage(self.scope.qualify(call.func))):
            if name in self.catalogue.receivers:
                return self.catalogue.receivers[name]
        return None

    def used_after(self, name: str, node: ast.AST) -> bool:
        """Whether the function reads an attribute of ``name`` after ``node`` (``driver.title``, ``t.join()``)."""
        end = (getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0)
        return any(position > end for position in self.attribute_reads.get(name, ()))

    def attribute_handle(self, node: ast.expr) -> Handle | None:
        """``self.worker`` in a method: tracked across the methods of the class like a variable."""
        if self.self_name is not None and isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == self.self_name:
            return variable(f"self.{node.attr}")
        return None


@dataclass
class OwnNodes:
    """A function's own nodes sorted, in one pass, into the groups its facts are read from (each in walk order)."""

    names: list[ast.AST] = field(default_factory=list)
    ifs: list[ast.AST] = field(default_factory=list)
    declarations: list[ast.AST] = field(default_factory=list)  # ``global`` and ``nonlocal``
    functions: list[ast.AST] = field(default_factory=list)
    noted: list[ast.AST] = field(default_factory=list)  # see ``_note_node``; attributes among them

    @staticmethod
    def of(nodes: list[ast.AST]) -> OwnNodes:
        grouped = OwnNodes()
        groups = {kind: getattr(grouped, group) for kind, group in _GROUPS.items()}
        for node in nodes:
            group = groups.get(type(node))  # parsed nodes: exact types
            if group is not None:
                group.append(node)
        return grouped


_NOTED = (ast.Assign, ast.AnnAssign, ast.With, ast.AsyncWith, ast.Call, ast.For, ast.AsyncFor, ast.comprehension,
          ast.Attribute)
_GROUPS: dict[type, str] = {
    ast.Name: "names", ast.If: "ifs", ast.Global: "declarations", ast.Nonlocal: "declarations",
    ast.FunctionDef: "functions", ast.AsyncFunctionDef: "functions", **dict.fromkeys(_NOTED, "noted"),
}


def gather_facts(function: ast.AST, env: Environment, mode: Mode, owner_class: str | None, scope: Scope) -> Facts:
    """``scope``: the function's, on top of the module's (the graph's raise test reads it too)."""
    nodes = OwnNodes.of(env.nodes_of(function))
    assigns = [node for node in nodes.noted if isinstance(node, ast.Assign)]
    facts = Facts(
        function=function, env=env, mode=mode, owner_class=owner_class, scope=scope,
        catalogue=catalogue(env.models),
        self_name=self_parameter(function) if owner_class is not None else None,
        nodes=nodes,
        guarded=guarded_by_settings(nodes.ifs, env.module_names),
        local_names=assigned_names(function, nodes.names) if not isinstance(function, ast.Module) else set(),
        globals={name for node in nodes.declarations for name in cast(ast.Global | ast.Nonlocal, node).names},
        imported_instances={target.id for node in assigns if isinstance(node.value, ast.Call)
                            and root_name(node.value.func) in env.scope.imports
                            for target in node.targets if isinstance(target, ast.Name)},
        nested_functions={cast(ast.FunctionDef, node).name: node for node in nodes.functions},
        instance_classes={**env.instance_classes, **_local_instances(assigns, env.scope)},
        receivers={name: (kind, Owner(Held.MODULE, name)) for name, kind in env.module_receivers.items()},
    )
    if owner_class is not None:  # ``self.thread = Thread(...)`` in ``__init__``, ``self.thread.start()`` here
        for text, call in env.attribute_types.items():
            _note_constructed(facts, text, call, Held.ATTRIBUTE)
    if not isinstance(function, ast.Module):  # ``HEARTBEAT = Thread(...)`` at import, ``HEARTBEAT.start()`` here
        for name, call in env.module_types.items():
            if name not in facts.local_names:
                _note_constructed(facts, name, call, Held.MODULE)
    for node in nodes.noted:
        _note_node(facts, node)
    _note_comprehension_types(facts, assigns)
    for name, container in facts.element_of.items():
        if container in facts.types:
            facts.types.setdefault(name, facts.types[container])
    return facts


def _local_instances(assigns: list[ast.Assign], scope: Scope) -> dict[str, str]:
    """``guard = TimeoutGuard(context)``: a variable holding an object of a class of the module."""
    return {target.id: node.value.func.id for node in assigns
            if isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name)
            and node.value.func.id in scope.classes for target in node.targets if isinstance(target, ast.Name)}


def _note_node(facts: Facts, node: ast.AST) -> None:
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, (ast.Name, ast.Attribute)):
                name = target.id if isinstance(target, ast.Name) else ast.unparse(target)
                _note_constructed(facts, name, node.value, Held.LOCAL)
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        for item in node.items:
            if isinstance(item.optional_vars, ast.Name) and isinstance(item.context_expr, ast.Call):
                _note_constructed(facts, item.optional_vars.id, item.context_expr, Held.WITH)
    elif isinstance(node, ast.Call):
        _note_collected(facts, node)
    elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and isinstance(node.ctx, ast.Load):
        facts.attribute_reads.setdefault(node.value.id, []).append((node.lineno, node.col_offset))
    elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
        _note_loop_variable(facts, node)


def _note_collected(facts: Facts, node: ast.Call) -> None:
    """``threads.append(t)`` before ``t.start()``: the container reaches what t starts."""
    if isinstance(node.func, ast.Attribute) and node.func.attr in CONTAINER_METHODS \
            and isinstance(node.func.value, ast.Name):
        for argument in node.args:
            if isinstance(argument, ast.Name):
                facts.collected_into.setdefault(argument.id, set()).add(node.func.value.id)


def _note_loop_variable(facts: Facts, node: ast.For | ast.AsyncFor | ast.comprehension) -> None:
    if isinstance(node.target, ast.Name):
        root = root_name(node.iter)
        if root:
            facts.element_of[node.target.id] = root
            if root in facts.types:
                facts.types.setdefault(node.target.id, facts.types[root])


def _note_constructed(facts: Facts, name: str, call: ast.Call, held: Held) -> None:
    constructed = facts.constructed_type(call)
    if constructed:
        facts.types.setdefault(name, constructed)
        facts.constructions.setdefault(name, call)
    receiver = facts.receiver_of_constructor(call)
    if receiver:
        facts.receivers[name] = (receiver, Owner(held, name))


def _note_comprehension_types(facts: Facts, assigns: list[ast.Assign]) -> None:
    """``threads = [Thread(target=f) for ...]``: the container's elements have the type."""
    for node in assigns:
        if isinstance(node.value, (ast.ListComp, ast.SetComp)):
            element = node.value.elt
            if isinstance(element, ast.Call):
                constructed = facts.constructed_type(element)
                for target in node.targets:
                    if isinstance(target, ast.Name) and constructed:
                        facts.types.setdefault(target.id, constructed)

"""A control-flow graph of blocks of effects, and the builder front-ends fill it with."""

from __future__ import annotations

from dataclasses import dataclass, field

from leak_lsp.flow.effects import Effect


@dataclass
class Block:
    effects: list[Effect] = field(default_factory=list)
    successors: list[int] = field(default_factory=list)


@dataclass
class Graph:
    """Block 0 is the entry; a block without successors ends its paths."""

    blocks: list[Block] = field(default_factory=lambda: [Block()])


class GraphBuilder:
    """Appends effects to a *current* block; ``None`` means the code here is unreachable."""

    def __init__(self) -> None:
        self.graph = Graph()
        self.current: int | None = 0

    def new_block(self) -> int:
        self.graph.blocks.append(Block())
        return len(self.graph.blocks) - 1

    def add(self, effect: Effect) -> None:
        if self.current is not None:
            self.graph.blocks[self.current].effects.append(effect)

    def edge(self, source: int | None, target: int) -> None:
        if source is not None and target not in self.graph.blocks[source].successors:
            self.graph.blocks[source].successors.append(target)

    def branch(self) -> int:
        """A new block reached from the current one; it becomes current."""
        block = self.new_block()
        self.edge(self.current, block)
        self.current = block
        return block

    def join(self, sources: list[int | None]) -> int | None:
        """A block where ``sources`` meet (``None`` when none is reachable); it becomes current."""
        reachable = [source for source in sources if source is not None]
        if not reachable:
            self.current = None
            return None
        block = self.new_block()
        for source in reachable:
            self.edge(source, block)
        self.current = block
        return block

    def stop(self) -> None:
        """The path ends here (after a terminal exit, a break or a continue)."""
        self.current = None

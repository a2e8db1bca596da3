"""The invoked-methods scan reads a handler module chunk by chunk: the same facts as its whole parse."""

from __future__ import annotations

import ast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leak_lsp.project.invokers import ModuleFacts, module_facts, parse_module
from tests.analysis.fixture_corpus import all_fixtures

CORPUS = [fixture.source for fixture in all_fixtures()]
CODE_AT_COLUMN_ZERO = 'DOC = """\ndef handler(event, context):\n    Server().receive(event)\n"""\n'


def _comparable(facts: ModuleFacts | None) -> tuple[object, ...] | None:
    return None if facts is None else (facts.has_handler, facts.called, [ast.dump(node) for node in facts.imports])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CORPUS), st.integers(0, 10_000), st.sampled_from(["", "  ", "else:", "def f(", '"""', "\r"]))
def test_a_module_read_by_chunks_gives_the_facts_of_its_whole_parse(source: str, where: int, inserted: str) -> None:
    lines = source.split("\n")
    lines.insert(where % (len(lines) + 1), inserted + lines[where % len(lines)] if inserted == "  " else inserted)
    text = "\n".join(lines)
    tree = parse_module(text)
    assert _comparable(module_facts(text)) == _comparable(ModuleFacts.of(tree) if tree is not None else None)


def test_code_inside_a_string_at_column_zero_is_not_a_handler() -> None:
    facts = module_facts(CODE_AT_COLUMN_ZERO)
    assert facts is not None and not facts.has_handler and facts.called == frozenset()

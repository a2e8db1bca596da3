"""The language-neutral core: effects along a graph, and which work each exit leaves pending."""

from __future__ import annotations

from leak_lsp.analysis.model import Span
from leak_lsp.flow import Bind, Collect, Exit, ExitRole, GraphBuilder, HandOff, Observe, Settle, Start, Work, run

SPAN = Span.of(0, 0, 0, 1)
TIMER = Work(site=1, kind="timer", span=Span.of(1, 0, 1, 5), name="t")
PROMISE = Work(site=2, kind="promise", span=Span.of(2, 0, 2, 5), name="p")
RETURN = Span.of(9, 0, 9, 6)


def _if_else(builder: GraphBuilder, then: list[object], otherwise: list[object]) -> None:
    before = builder.current
    for effects in (then, otherwise):
        builder.current = before
        builder.branch()
        for effect in effects:
            builder.add(effect)  # type: ignore[arg-type]
        effects.append(builder.current)  # type: ignore[arg-type]
    builder.join([then[-1], otherwise[-1]])  # type: ignore[list-item]


def _pending(builder: GraphBuilder) -> dict[Work, list[ExitRole]]:
    return {work: sorted(hit.role for hit in hits) for work, hits in run(builder.graph).pending_at.items()}


def test_work_settled_on_one_branch_only_is_pending_at_the_exit() -> None:
    builder = GraphBuilder()
    builder.add(Start(TIMER, ("t",)))
    _if_else(builder, [Settle("t")], [])
    builder.add(Exit(ExitRole.RETURN, RETURN))
    assert _pending(builder) == {TIMER: [ExitRole.RETURN]}


def test_work_settled_on_every_branch_is_not_pending() -> None:
    builder = GraphBuilder()
    builder.add(Start(TIMER, ("t",)))
    _if_else(builder, [Settle("t")], [Settle("t")])
    builder.add(Exit(ExitRole.RETURN, RETURN))
    assert _pending(builder) == {}


def test_a_settled_container_settles_what_was_collected_in_it_and_an_alias_settles_its_work() -> None:
    builder = GraphBuilder()
    builder.add(Start(PROMISE, ("$1",)))
    builder.add(Collect("all", ("$1",)))
    builder.add(Start(TIMER, ("$2",)))
    builder.add(Bind("t", ("$2",)))
    builder.add(Settle("all"))
    builder.add(Settle("t"))
    builder.add(Exit(ExitRole.RETURN, RETURN))
    assert _pending(builder) == {}


def test_a_settle_limited_to_other_kinds_leaves_the_work_pending() -> None:
    builder = GraphBuilder()
    builder.add(Start(TIMER, ("race",)))
    builder.add(Settle("race", frozenset({"promise"})))
    builder.add(Exit(ExitRole.RETURN, RETURN))
    assert _pending(builder) == {TIMER: [ExitRole.RETURN]}


def test_handed_off_and_observed_absent_work_is_not_pending() -> None:
    builder = GraphBuilder()
    builder.add(Start(PROMISE, ("p",)))
    builder.add(HandOff("p"))
    builder.add(Start(TIMER, ("t",)))
    builder.add(Observe("t"))
    builder.add(Exit(ExitRole.RETURN, RETURN))
    result = run(builder.graph)
    assert dict(result.pending_at) == {} and result.handed_off == {PROMISE}


def test_work_started_after_a_response_is_reported_against_it_even_when_settled() -> None:
    builder = GraphBuilder()
    builder.add(Exit(ExitRole.RESPONSE, SPAN, terminal=False))
    builder.add(Start(PROMISE, ("p",)))
    builder.add(Settle("p"))
    builder.add(Exit(ExitRole.END, RETURN))
    result = run(builder.graph)
    assert {work: [hit.role for hit in hits] for work, hits in result.after_response.items()} == {PROMISE: [ExitRole.RESPONSE]}


def test_a_loop_that_rebinds_a_name_leaves_earlier_instances_pending() -> None:
    builder = GraphBuilder()
    head = builder.branch()
    builder.branch()
    builder.add(Start(TIMER, ("t",)))
    builder.edge(builder.current, head)
    builder.join([head])
    builder.add(Settle("t"))
    builder.add(Exit(ExitRole.RETURN, RETURN))
    assert _pending(builder) == {TIMER: [ExitRole.RETURN]}


def test_an_exit_for_one_name_ends_only_that_work() -> None:
    builder = GraphBuilder()
    builder.add(Start(TIMER, ("t", "#unref")))
    builder.add(Start(PROMISE, ("p",)))
    builder.add(Exit(ExitRole.CALLBACK, SPAN, terminal=False, only="#unref"))
    builder.add(Settle("p"))
    builder.add(Exit(ExitRole.END, RETURN))
    assert _pending(builder) == {TIMER: [ExitRole.CALLBACK]}
